/*  =========================================================================
    test_feeds - RSS/Atom feeds over HTTP into the real pipeline

    tests/integration/feedserver.py serves feeds on 127.0.0.1 (ETag and
    Last-Modified with 304s, a 404, a slow endpoint, a redirect loop, a
    10 MiB body) next to fixtures from tests/fixtures/feeds/ (Atom, an
    ISO-8859-1 feed, malformed XML) and a feed this test rewrites between
    polls.  The producer runs with sink and worker; the briefing's article
    count and the producer's per-source totals show that each item goes in
    exactly once: new items only after a rewrite, nothing on a 304, nothing
    old after a restart.  Every wait is bounded.
    =========================================================================
*/
#include "ab_testlive.h"

#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <czmq.h>

typedef ab_fixture_t fixture_t;

#define WAIT_MS 30000

//  Write the test's own RSS feed: stories numbered from..to, in that
//  order or reversed
static void
s_write_news (const char *path, int from, int to, bool reversed)
{
    char temp [600];
    snprintf (temp, sizeof temp, "%s.tmp", path);
    FILE *file = fopen (temp, "w");
    assert_non_null (file);
    fprintf (file, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>"
                   "<title>Test Harbour</title><link>http://example.test/</link>\n");
    for (int step = 0; step <= to - from; step++) {
        int story = reversed? to - step: from + step;
        fprintf (file, "<item><title>Story %d</title><guid>story-%d</guid>"
                       "<link>http://example.test/story/%d</link>"
                       "<pubDate>Wed, 0%d Apr 2024 0%d:00:00 GMT</pubDate>"
                       "<description>&lt;p&gt;Report number %d from the harbour desk.&lt;/p&gt;"
                       "&lt;p&gt;Officials met for talks round %d.&lt;/p&gt;</description></item>\n",
                 story, story, story, story % 9 + 1, story % 9, story, story);
    }
    fprintf (file, "</channel></rss>\n");
    fclose (file);
    assert_int_equal (rename (temp, path), 0);
}

static void
s_copy_fixture (const char *name, const char *dir)
{
    char source [300], target [600];
    snprintf (source, sizeof source, "tests/fixtures/feeds/%s", name);
    snprintf (target, sizeof target, "%s/%s", dir, name);
    assert_true (ab_test_copy_file (source, target));
}

//  Start feedserver.py on served/; returns its port
static int
s_start_server (fixture_t *self, const char *served, const char *requests)
{
    char script [PATH_MAX], port_file [600];
    assert_non_null (realpath ("tests/integration/feedserver.py", script));
    snprintf (port_file, sizeof port_file, "%s/port", self->dir);
    const char *args [] = { served, port_file, requests, NULL };
    assert_true (ab_procs_start (self->procs, script, args, self->log, NULL) > 0);
    assert_true (ab_live_wait_text (port_file, "\n", WAIT_MS));
    char *text = ab_test_read (port_file);
    int port = atoi (text);
    free (text);
    assert_true (port > 0);
    return port;
}

static pid_t
s_start_producer (fixture_t *self, const char *feeds, const char *state)
{
    const char *args [] = { "--work", self->endpoints [0], "--ack", self->endpoints [1],
                            "--journal", self->journal, "--dead-letter", self->dead_letter,
                            "--feeds", feeds, "--feed-state", state, NULL };
    pid_t producer = ab_procs_start (self->procs, "allybrief-producer", args, self->log, NULL);
    assert_true (producer > 0);
    return producer;
}

static void
s_expect_articles (fixture_t *self, const char *out, long articles)
{
    if (ab_live_wait_articles (out, articles, WAIT_MS) != articles)
        ab_test_show_log (self->log);
    assert_int_equal (ab_live_article_count (out), articles);
}

//  Wait until the server has answered path with status at least times
static void
s_expect_requests (fixture_t *self, const char *requests, const char *path, int status, int times)
{
    char line [300];
    snprintf (line, sizeof line, "GET %s %d\n", path, status);
    int64_t deadline = zclock_mono () + WAIT_MS;
    while (ab_live_count_text (requests, line) < times && zclock_mono () < deadline)
        zclock_sleep (50);
    if (ab_live_count_text (requests, line) < times) {
        ab_test_show_log (self->log);
        fprintf (stderr, "expected %d x %s", times, line);
    }
    assert_true (ab_live_count_text (requests, line) >= times);
}

static void
s_expect_log (fixture_t *self, const char *text)
{
    if (!ab_live_wait_text (self->log, text, WAIT_MS)) {
        ab_test_show_log (self->log);
        fprintf (stderr, "not in the log: %s\n", text);
    }
    assert_true (ab_live_count_text (self->log, text) >= 1);
}

static void
test_feeds_polled_once_each (void **state)
{
    fixture_t *self = *state;
    char served [512], requests [512], feeds [512], feed_state [512], news [600];
    snprintf (served, sizeof served, "%s/served", self->dir);
    snprintf (requests, sizeof requests, "%s/requests.log", self->dir);
    snprintf (feeds, sizeof feeds, "%s/feeds.txt", self->dir);
    snprintf (feed_state, sizeof feed_state, "%s/feeds.db", self->dir);
    snprintf (news, sizeof news, "%s/news.xml", served);
    zsys_dir_create (served);
    s_write_news (news, 1, 3, false);
    s_copy_fixture ("atom.xml", served);
    s_copy_fixture ("latin1.xml", served);
    s_copy_fixture ("malformed.xml", served);
    int port = s_start_server (self, served, requests);

    FILE *file = fopen (feeds, "w");
    assert_non_null (file);
    fprintf (file, "# feeds for test_feeds\n"
                   "http://127.0.0.1:%d/news.xml 1 Test Harbour\n"
                   "http://127.0.0.1:%d/atom.xml 1 Northern Dispatch\n"
                   "http://127.0.0.1:%d/latin1.xml 1\n"
                   "http://127.0.0.1:%d/malformed.xml 1 Broken\n"
                   "http://127.0.0.1:%d/missing.xml 1 Missing\n"
                   "http://127.0.0.1:%d/slow 1 timeout=1 Slow\n"
                   "http://127.0.0.1:%d/loop 1 timeout=5\n"
                   "http://127.0.0.1:%d/huge 1 Huge\n"
                   "http://127.0.0.1:%d/stream 1 Stream\n"
                   "http://127.0.0.1:1/closed.xml 1 Closed\n",
             port, port, port, port, port, port, port, port, port);
    fclose (file);

    assert_true (ab_live_start_backend (self, self->out) > 0);
    pid_t producer = s_start_producer (self, feeds, feed_state);
    //  3 stories + 3 Atom entries + 1 Latin-1 item
    s_expect_articles (self, self->out, 7);

    //  Every fault is logged with the feed's URL and reason, and retried
    char url [200];
    snprintf (url, sizeof url, "127.0.0.1:%d", port);
    s_expect_requests (self, requests, "/missing.xml", 404, 2);
    s_expect_log (self, "/missing.xml): HTTP 404; retry in");
    s_expect_log (self, "/malformed.xml): malformed XML at line");
    s_expect_log (self, "/slow): Operation timed out");
    //  (a feed without a name is named by its URL)
    s_expect_log (self, "/loop: Maximum (5) redirects followed");
    s_expect_log (self, "/huge): response larger than 4194304 bytes");
    s_expect_log (self, "/stream): response larger than 4194304 bytes");
    s_expect_log (self, "127.0.0.1:1/closed.xml): Failed to connect");
    s_expect_requests (self, requests, "/slow", 200, 0);

    //  Unchanged feeds answer 304 and add nothing
    s_expect_requests (self, requests, "/news.xml", 304, 2);
    s_expect_requests (self, requests, "/atom.xml", 304, 2);
    assert_int_equal (ab_live_article_count (self->out), 7);

    //  Stats on request: per feed, with the failing ones' reasons
    assert_int_equal (kill (producer, SIGUSR1), 0);
    s_expect_log (self, "feed Missing: ");
    s_expect_log (self, "errors; failing: HTTP 404");

    //  Two new stories: only they go in
    int not_modified = ab_live_count_text (requests, "GET /news.xml 304\n");
    s_write_news (news, 1, 5, false);
    s_expect_articles (self, self->out, 9);
    s_expect_requests (self, requests, "/news.xml", 304, not_modified + 2);
    assert_int_equal (ab_live_count_text (requests, "GET /news.xml 200\n"), 2);
    assert_int_equal (ab_live_article_count (self->out), 9);
    assert_int_equal (ab_procs_stop (self->procs, producer, 10000), 0);
    char total [700];
    snprintf (total, sizeof total, "source feeds:%s: 9 articles", feeds);
    assert_int_equal (ab_live_count_text (self->log, total), 1);

    //  Restart on the same state, the feed reordered with one new story:
    //  only that story goes in, and unchanged feeds are 304 at once
    s_write_news (news, 1, 6, true);
    int atom_not_modified = ab_live_count_text (requests, "GET /atom.xml 304\n");
    int atom_full = ab_live_count_text (requests, "GET /atom.xml 200\n");
    producer = s_start_producer (self, feeds, feed_state);
    s_expect_articles (self, self->out, 10);
    s_expect_requests (self, requests, "/atom.xml", 304, atom_not_modified + 1);
    s_expect_requests (self, requests, "/news.xml", 304, not_modified + 3);
    assert_int_equal (ab_live_count_text (requests, "GET /atom.xml 200\n"), atom_full);
    assert_int_equal (ab_procs_stop (self->procs, producer, 10000), 0);
    snprintf (total, sizeof total, "source feeds:%s: 1 articles", feeds);
    assert_int_equal (ab_live_count_text (self->log, total), 1);
    assert_int_equal (ab_live_article_count (self->out), 10);

    assert_int_equal (ab_live_count_text (self->dead_letter, "\"reason\""), 0);
}

static void
test_bad_feeds_file (void **state)
{
    fixture_t *self = *state;
    char feeds [512];
    snprintf (feeds, sizeof feeds, "%s/feeds.txt", self->dir);
    FILE *file = fopen (feeds, "w");
    assert_non_null (file);
    fprintf (file, "http://127.0.0.1:9/a.xml 60\n\nftp://127.0.0.1/b.xml 60\n");
    fclose (file);
    const char *args [] = { "--work", self->endpoints [0], "--ack", self->endpoints [1],
                            "--feeds", feeds, NULL };
    pid_t producer = ab_procs_start (self->procs, "allybrief-producer", args, self->log, NULL);
    assert_int_equal (ab_procs_wait (self->procs, producer, 10000), 2);
    char expected [700];
    snprintf (expected, sizeof expected, "%s:3: 'ftp://127.0.0.1/b.xml' is not an http:// or https:// URL", feeds);
    if (ab_live_count_text (self->log, expected) != 1)
        ab_test_show_log (self->log);
    assert_int_equal (ab_live_count_text (self->log, expected), 1);

    file = fopen (feeds, "w");
    fprintf (file, "http://127.0.0.1:9/a.xml soon\n");
    fclose (file);
    producer = ab_procs_start (self->procs, "allybrief-producer", args, self->log, NULL);
    assert_int_equal (ab_procs_wait (self->procs, producer, 10000), 2);
    assert_int_equal (ab_live_count_text (self->log, ":1: the poll interval must be whole seconds"), 1);
}

//  The launcher passes live inputs through and stops after --duration
static void
test_launcher_runs_live_inputs (void **state)
{
    fixture_t *self = *state;
    char served [512], requests [512], feeds [512], news [600], drop [512], article [600];
    snprintf (served, sizeof served, "%s/served", self->dir);
    snprintf (requests, sizeof requests, "%s/requests.log", self->dir);
    snprintf (feeds, sizeof feeds, "%s/feeds.txt", self->dir);
    snprintf (news, sizeof news, "%s/news.xml", served);
    snprintf (drop, sizeof drop, "%s/drop", self->dir);
    snprintf (article, sizeof article, "%s/dropped.txt", drop);
    zsys_dir_create (served);
    zsys_dir_create (drop);
    s_write_news (news, 1, 2, false);
    FILE *file = fopen (article, "w");
    assert_non_null (file);
    fputs ("Title: Dropped in\n\nA report left in the drop folder before the run.\n", file);
    fclose (file);
    int port = s_start_server (self, served, requests);
    file = fopen (feeds, "w");
    assert_non_null (file);
    fprintf (file, "http://127.0.0.1:%d/news.xml 1 Test Harbour\n", port);
    fclose (file);

    const char *args [] = { "run", "--feeds", feeds, "--watch", drop, "--duration", "6",
                            "-w", "1", "-o", self->out, NULL };
    pid_t launcher = ab_procs_start (self->procs, "allybrief", args, self->log, NULL);
    assert_true (launcher > 0);
    int status = ab_procs_wait (self->procs, launcher, 60000);
    if (status != 0)
        ab_test_show_log (self->log);
    assert_int_equal (status, 0);
    assert_int_equal (ab_live_article_count (self->out), 3);
    assert_true (ab_live_count_text (self->log, "duration reached: stopping the pipeline") == 1);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_feeds_polled_once_each, ab_fixture_setup, ab_fixture_teardown),
        cmocka_unit_test_setup_teardown (test_bad_feeds_file, ab_fixture_setup, ab_fixture_teardown),
        cmocka_unit_test_setup_teardown (test_launcher_runs_live_inputs, ab_fixture_setup, ab_fixture_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
