#!/usr/bin/python3
"""allybrief-web in a real browser (headless Chromium through Selenium).

tests/web/run.sh starts the pipeline on samples/ and runs this, which
starts allybrief-web on a free loopback port and opens the page.  It feeds
two more articles (written here, in our own words) through a second
producer run while the page stays open, and checks, without reloading:
the new item and the new conflict appear, the changed item stands out,
the evidence view shows the source sentence with its matched span, hedged
values are marked as such, and the filters and the search box hide what
they should.  Then it pauses the sink (SIGSTOP) until the page says the
briefing is stale, and restarts allybrief-web on the same port: the page
says it is reconnecting, resumes by itself, and shows the next article,
holding exactly the server's state.  Screenshots go to the artifacts
directory.

Every wait is bounded (WAIT seconds); nothing is asserted about speed.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

WAIT = 30
AU_KEY = 'force_posture{country=US,host=AU,measure=troops}'
KR_KEY = 'force_posture{country=US,host=KR,measure=troops}'

KOREA = """Title: Seoul garrison figure revised after troop rotation
Source: Harbor Ledger Weekly
URL: https://news.example.org/harbor-ledger/korea-garrison-revised
Published: 2026-06-10

SEOUL - About 27,000 U.S. troops are stationed in South Korea after the spring rotation, a defense ministry spokesperson told reporters on Tuesday.

The spokesperson said the smaller figure reflects units that went home early and were not replaced.
"""

AUSTRALIA_AGAIN = """Title: Marines and soldiers share Darwin training areas
Source: Southern Cross Defence Notes
URL: https://news.example.com/southern-cross/darwin-shared-ranges
Published: 2026-06-20

DARWIN - Range officers said live-fire schedules now alternate between the two services every week.

About 2,500 U.S. troops are stationed in Australia for the season, according to the rotation's public affairs office.
"""

AUSTRALIA = """Title: Darwin rotation grows as new barracks open
Source: Top End Dispatch
URL: https://news.example.net/top-end/darwin-rotation
Published: 2026-06-12

DARWIN - About 2,500 U.S. troops are stationed in Australia this dry season, the largest rotation so far, officials in Canberra said on Friday.

The new barracks near the airfield can house the whole rotation for the first time.
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--bin', required=True, help='directory with the allybrief programs')
    parser.add_argument('--pub', required=True, help="the sink's --pub endpoint")
    parser.add_argument('--snapshot', required=True, help="the sink's --snapshot endpoint")
    parser.add_argument('--sink-pid', required=True, type=int, help='the sink, to pause it')
    parser.add_argument('--log', required=True, help="allybrief-web's log file")
    parser.add_argument('--work', required=True, help="the producer's --work endpoint")
    parser.add_argument('--ack', required=True, help="the producer's --ack endpoint")
    parser.add_argument('--dir', required=True, help='scratch directory for the extra articles')
    parser.add_argument('--artifacts', required=True, help='where screenshots go')
    return parser.parse_args()


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get('CHROMIUM', '/usr/bin/chromium')
    for argument in ('--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu',
                     '--window-size=1400,1800', '--no-first-run', '--disable-extensions'):
        options.add_argument(argument)
    service = Service(os.environ.get('CHROMEDRIVER', '/usr/bin/chromedriver'))
    return webdriver.Chrome(service=service, options=options)


def text(driver, element_id):
    return driver.find_element(By.ID, element_id).text.strip()


def card(driver, key):
    """The item's card, or None when it is not on the page (or hidden)."""
    found = driver.find_elements(By.CSS_SELECTOR, 'article.item[data-key="%s"]' % key)
    return found[0] if found else None


def feed_articles(args, name, articles):
    extra = os.path.join(args.dir, name)
    os.makedirs(extra, exist_ok=True)
    for file_name, body in articles:
        with open(os.path.join(extra, file_name), 'w', encoding='utf-8') as out:
            out.write(body)
    command = [os.path.join(args.bin, 'allybrief-producer'), '--work', args.work, '--ack', args.ack,
               '--journal', os.path.join(args.dir, name + '.journal'),
               '--dead-letter', os.path.join(args.dir, name + '-dead.jsonl'), '--exit-when-done', '-q', extra]
    subprocess.run(command, check=True, timeout=120)


def start_web(args, listen):
    """Start allybrief-web on listen; returns (process, port)."""
    port_file = os.path.join(args.dir, 'web.port')
    if os.path.exists(port_file):
        os.unlink(port_file)
    log = open(args.log, 'a', encoding='utf-8')
    process = subprocess.Popen([os.path.join(args.bin, 'allybrief-web'), '--pub', args.pub,
                                '--snapshot', args.snapshot, '--listen', listen, '--port-file', port_file,
                                '--stale-after', '2', '--keepalive', '500'],
                               stdout=log, stderr=log)
    log.close()
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline and not os.path.exists(port_file):
        assert process.poll() is None, 'allybrief-web exited with %s' % process.returncode
        time.sleep(0.05)
    with open(port_file, encoding='utf-8') as port:
        return process, int(port.read())


def stop_web(process):
    """SIGTERM; it must exit 0 (under ASan: no leak, no error)."""
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=WAIT) == 0, 'allybrief-web exited with %s' % process.returncode


def server_state(url):
    with urllib.request.urlopen(url + 'api/snapshot', timeout=WAIT) as response:
        return json.load(response)


def main():
    args = parse_args()
    os.makedirs(args.artifacts, exist_ok=True)
    web, port = start_web(args, '127.0.0.1:0')
    url = 'http://127.0.0.1:%d/' % port
    driver = browser()
    wait = WebDriverWait(driver, WAIT, poll_frequency=0.1)
    try:
        driver.get(url)
        # The demo corpus: 14 articles, one conflict, shown first
        wait.until(lambda d: text(d, 'stat-articles') == '14')
        wait.until(lambda d: d.find_element(By.ID, 'conn').get_attribute('data-state') == 'live')
        assert text(driver, 'stat-conflicts') == '1', text(driver, 'stat-conflicts')
        conflicts = driver.find_elements(By.CSS_SELECTOR, '#conflicts article.item.conflict')
        assert len(conflicts) == 1, len(conflicts)
        assert card(driver, AU_KEY) is None
        kr = card(driver, KR_KEY)
        assert kr is not None and 'conflict' not in kr.get_attribute('class')
        # Hedged values are shown as reported, never as fact
        hedged = driver.find_element(
            By.CSS_SELECTOR, 'article.item[data-key="defense_spending{by=2035,country=KR,metric=percent_gdp,status=target}"]')
        assert hedged.find_element(By.CSS_SELECTOR, '.value .badge.hedge').text == 'reported'
        assert 'hedged' in hedged.find_element(By.CSS_SELECTOR, '.value').get_attribute('class')
        driver.save_screenshot(os.path.join(args.artifacts, 'web-before.png'))

        # Mid-run: two more articles; the page must not reload
        driver.execute_script('window.__notReloaded = true;')
        feed_articles(args, 'extra', (('20_korea_garrison.txt', KOREA), ('21_darwin_rotation.txt', AUSTRALIA)))
        # The new item stands out when it appears (for a moment; removed later)
        wait.until(lambda d: card(d, AU_KEY) is not None)
        assert 'changed' in card(driver, AU_KEY).get_attribute('class')
        wait.until(lambda d: 'conflict' in (card(d, KR_KEY).get_attribute('class') or ''))
        wait.until(lambda d: text(d, 'stat-articles') == '16')
        assert driver.execute_script('return window.__notReloaded === true;'), 'the page reloaded'
        assert text(driver, 'stat-conflicts') == '2', text(driver, 'stat-conflicts')
        # The new conflict is listed with the conflicts, newest side marked
        kr = driver.find_element(By.CSS_SELECTOR, '#conflicts article.item[data-key="%s"]' % KR_KEY)
        sides = kr.find_elements(By.CSS_SELECTOR, '.side')
        assert len(sides) == 2, len(sides)
        newest = kr.find_element(By.CSS_SELECTOR, '.side.newest')
        assert '27,000' in newest.text or '27000' in newest.text, newest.text
        assert 'Harbor Ledger Weekly' in newest.text
        driver.save_screenshot(os.path.join(args.artifacts, 'web-live-update.png'))

        # Evidence: the source sentence, its matched span, the article
        kr.click()
        wait.until(lambda d: d.find_element(By.ID, 'evidence').is_displayed())
        evidence = driver.find_element(By.ID, 'evidence')
        sentences = [q.text for q in evidence.find_elements(By.CSS_SELECTOR, 'blockquote.sentence')]
        ours = [s for s in sentences if 'About 27,000 U.S. troops are stationed in South Korea' in s]
        assert ours, sentences
        marks = [m.text for m in evidence.find_elements(By.CSS_SELECTOR, 'blockquote.sentence mark')]
        assert any('27,000' in mark for mark in marks), marks
        link = evidence.find_element(By.CSS_SELECTOR, 'a[href="https://news.example.org/harbor-ledger/korea-garrison-revised"]')
        assert link.text == 'Seoul garrison figure revised after troop rotation', link.text
        assert 'Harbor Ledger Weekly, 2026-06-10' in evidence.text
        driver.save_screenshot(os.path.join(args.artifacts, 'web-evidence.png'))
        driver.find_element(By.ID, 'evidence-close').click()
        wait.until(lambda d: not d.find_element(By.ID, 'evidence').is_displayed())

        # Filters: a claim type hides the others
        Select(driver.find_element(By.ID, 'filter-type')).select_by_value('summit_meeting')
        wait.until(lambda d: card(d, AU_KEY) is None)
        shown = driver.find_elements(By.CSS_SELECTOR, 'article.item')
        assert shown and all(e.get_attribute('data-type') == 'summit_meeting' for e in shown), \
            [e.get_attribute('data-key') for e in shown]
        assert card(driver, KR_KEY) is None
        Select(driver.find_element(By.ID, 'filter-type')).select_by_value('')
        # ... an actor keeps only items with that actor
        Select(driver.find_element(By.ID, 'filter-actor')).select_by_value('AU')
        wait.until(lambda d: card(d, KR_KEY) is None)
        assert card(driver, AU_KEY) is not None
        Select(driver.find_element(By.ID, 'filter-actor')).select_by_value('')
        # ... a hedge keeps only items reported with it
        Select(driver.find_element(By.ID, 'filter-hedge')).select_by_value('reported')
        wait.until(lambda d: card(d, AU_KEY) is None)
        assert all('reported' in e.text for e in driver.find_elements(By.CSS_SELECTOR, 'article.item'))
        Select(driver.find_element(By.ID, 'filter-hedge')).select_by_value('')
        # ... and the search box finds words anywhere in an item
        driver.find_element(By.ID, 'filter-search').send_keys('Darwin')
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, 'article.item')) == 1)
        assert card(driver, AU_KEY) is not None
        # (the item count is the header's: the rules decide it, not this test)
        items = text(driver, 'stat-items')
        assert text(driver, 'filter-count') == '1 of %s items shown' % items, text(driver, 'filter-count')
        driver.save_screenshot(os.path.join(args.artifacts, 'web-filtered.png'))
        driver.find_element(By.ID, 'filter-search').clear()
        wait.until(lambda d: text(d, 'filter-count') == '%s items' % items)

        # The sink goes quiet: the page says since when its state is stale
        os.kill(args.sink_pid, signal.SIGSTOP)
        try:
            wait.until(lambda d: d.find_element(By.ID, 'conn').get_attribute('data-state') == 'stale')
            assert text(driver, 'conn').startswith('stale since 20'), text(driver, 'conn')
            driver.save_screenshot(os.path.join(args.artifacts, 'web-stale.png'))
        finally:
            os.kill(args.sink_pid, signal.SIGCONT)
        wait.until(lambda d: d.find_element(By.ID, 'conn').get_attribute('data-state') == 'live')

        # The server goes away: the page keeps its state and says so; a new
        # server on the same address is picked up without a reload
        stop_web(web)
        wait.until(lambda d: d.find_element(By.ID, 'conn').get_attribute('data-state') == 'reconnecting')
        assert card(driver, AU_KEY) is not None
        web, _ = start_web(args, '127.0.0.1:%d' % port)
        wait.until(lambda d: d.find_element(By.ID, 'conn').get_attribute('data-state') == 'live')
        feed_articles(args, 'more', (('22_darwin_shared_ranges.txt', AUSTRALIA_AGAIN),))
        wait.until(lambda d: '2 independent articles' in card(d, AU_KEY).text)
        assert text(driver, 'stat-articles') == '17', text(driver, 'stat-articles')
        assert driver.execute_script('return window.__notReloaded === true;'), 'the page reloaded'
        # ... holding exactly what the server holds: no duplicate, no gap
        state = server_state(url)
        wait.until(lambda d: text(d, 'stat-seq') == str(state['seq']))
        keys = sorted(e.get_attribute('data-key') for e in driver.find_elements(By.CSS_SELECTOR, 'article.item'))
        assert keys == sorted(item['key'] for item in state['items']), keys
        driver.save_screenshot(os.path.join(args.artifacts, 'web-resumed.png'))
        stop_web(web)
        web = None
        print('test_browser: OK (screenshots in %s)' % args.artifacts)
        return 0
    except Exception:
        driver.save_screenshot(os.path.join(args.artifacts, 'web-failure.png'))
        with open(os.path.join(args.artifacts, 'web-failure.html'), 'w', encoding='utf-8') as out:
            out.write(driver.page_source)
        for entry in driver.get_log('browser'):
            print('browser console:', entry, file=sys.stderr)
        raise
    finally:
        driver.quit()
        if web is not None and web.poll() is None:
            web.kill()
            web.wait()


if __name__ == '__main__':
    sys.exit(main())
