/*  =========================================================================
    test_feed - feed parsing (RSS 2.0, Atom 1.0, encodings) and HTML to text

    Runs from the repository root on tests/fixtures/feeds/.
    =========================================================================
*/
#include "ab_feed.h"
#include "ab_file.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define FIXTURES "tests/fixtures/feeds/"

static zlistx_t *
s_parse_fixture (const char *name, size_t *keyless, char *errbuf, size_t errlen)
{
    char path [256];
    snprintf (path, sizeof path, FIXTURES "%s", name);
    size_t size = 0;
    char *data = ab_file_read (path, 1 << 20, &size, errbuf, errlen);
    assert_non_null (data);
    zlistx_t *items = ab_feed_parse (data, size, path, keyless, errbuf, errlen);
    free (data);
    return items;
}

static void
test_rss (void **state)
{
    char error [256] = "";
    size_t keyless = 99;
    zlistx_t *items = s_parse_fixture ("rss.xml", &keyless, error, sizeof error);
    assert_non_null (items);
    assert_int_equal (keyless, 0);
    assert_int_equal (zlistx_size (items), 3);

    ab_feed_item_t *item = zlistx_first (items);
    assert_string_equal (item->key, "harbour-0001");
    assert_string_equal (item->title, "Ministers meet in Wellington & agree on patrols");
    assert_string_equal (item->link, "http://example.test/news/patrols");
    assert_string_equal (item->published, "Mon, 04 Mar 2024 08:15:00 +1300");
    //  Escaped HTML: paragraphs kept, the double-escaped &amp; decoded once
    assert_string_equal (item->body, "Defence ministers from New Zealand and Australia met on Monday.\n\n"
                                     "They agreed to share maritime patrol schedules & data.");

    //  CDATA title kept literally; content:encoded wins over description;
    //  script dropped, &nbsp; and &mdash; decoded, <br> a line break
    item = zlistx_next (items);
    assert_string_equal (item->title, "Budget talks <continue>");
    assert_string_equal (item->key, "http://example.test/news/budget");
    assert_string_equal (item->body, "The finance committee reviewed the plan.\n\n"
                                     "Spending rises to 2\xc2\xa0percent \xe2\x80\x94 officials said.\n"
                                     "More next week.\n\nfirst point\n\nsecond point");

    //  No guid: the link is the key; dc:date is the date
    item = zlistx_next (items);
    assert_string_equal (item->key, "http://example.test/news/linkonly");
    assert_string_equal (item->published, "2024-03-06T10:30:00Z");
    assert_string_equal (item->body, "Plain text description with an entity: caf\xc3\xa9.");
    zlistx_destroy (&items);
}

static void
test_atom (void **state)
{
    char error [256] = "";
    zlistx_t *items = s_parse_fixture ("atom.xml", NULL, error, sizeof error);
    assert_non_null (items);
    assert_int_equal (zlistx_size (items), 3);
    ab_feed_item_t *item = zlistx_first (items);
    assert_string_equal (item->key, "urn:test:northern-dispatch:1");
    assert_string_equal (item->title, "Joint drill announced");
    assert_string_equal (item->link, "http://example.test/atom/1");
    assert_string_equal (item->published, "2024-04-01T09:30:00+09:00");
    assert_string_equal (item->body, "Japan and the Philippines will hold a coast guard drill.\n\n"
                                     "The drill starts in June.");
    item = zlistx_next (items);
    assert_string_equal (item->link, "http://example.test/atom/2");
    assert_string_equal (item->published, "2024-04-02T11:00:00Z");
    assert_string_equal (item->body, "First inline paragraph.\n\nSecond bold paragraph.");
    item = zlistx_next (items);
    assert_string_equal (item->body, "Only a summary in plain text.");
    assert_string_equal (item->link, "");
    zlistx_destroy (&items);
}

static void
test_latin1_declaration_honoured (void **state)
{
    char error [256] = "";
    zlistx_t *items = s_parse_fixture ("latin1.xml", NULL, error, sizeof error);
    assert_non_null (items);
    assert_int_equal (zlistx_size (items), 1);
    ab_feed_item_t *item = zlistx_first (items);
    assert_string_equal (item->title, "D\xc3\xa9" "fense: accord sign\xc3\xa9");
    assert_string_equal (item->body, "Le minist\xc3\xa8re a confirm\xc3\xa9 l'accord \xc3\xa0 Paris.");
    zlistx_destroy (&items);
}

static void
test_malformed_and_foreign (void **state)
{
    char error [256] = "";
    assert_null (s_parse_fixture ("malformed.xml", NULL, error, sizeof error));
    assert_non_null (strstr (error, "malformed XML at line"));
    const char *html = "<html><body><p>not a feed</p></body></html>";
    assert_null (ab_feed_parse (html, strlen (html), "x", NULL, error, sizeof error));
    assert_non_null (strstr (error, "not an RSS or Atom feed (root element <html>)"));
    assert_null (ab_feed_parse ("", 0, "x", NULL, error, sizeof error));
    //  An external entity is never loaded
    const char *xxe = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                      "<rss><channel><item><guid>1</guid><description>a&x;b</description></item></channel></rss>";
    zlistx_t *items = ab_feed_parse (xxe, strlen (xxe), "x", NULL, error, sizeof error);
    if (items) {
        ab_feed_item_t *item = zlistx_first (items);
        assert_null (strstr (item->body, "root:"));
        zlistx_destroy (&items);
    }
}

static void
test_keyless_items_counted (void **state)
{
    const char *doc = "<rss><channel><item><description>no title, link or guid</description></item>"
                      "<item><title>kept</title></item></channel></rss>";
    char error [256] = "";
    size_t keyless = 0;
    zlistx_t *items = ab_feed_parse (doc, strlen (doc), "x", &keyless, error, sizeof error);
    assert_non_null (items);
    assert_int_equal (zlistx_size (items), 1);
    assert_int_equal (keyless, 1);
    zlistx_destroy (&items);
}

static void
test_html_to_text (void **state)
{
    struct { const char *html; const char *text; } cases [] = {
        { "plain words", "plain words" },
        { "  <b>bold</b>   and\n\t<i>italic</i>  ", "bold and italic" },
        { "<p>one</p><p>two</p>", "one\n\ntwo" },
        { "<h2>Head</h2>text<br>next<br/>last", "Head\n\ntext\nnext\nlast" },
        { "<style>p{}</style><p>kept</p><script>x()</script>", "kept" },
        { "Tom &amp; Jerry &lt;3 &#x263A;", "Tom & Jerry <3 \xe2\x98\xba" },
        { "<p>unclosed <b>tags <p>still work", "unclosed tags\n\nstill work" },
        { "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\n\nc" },
        { "", "" },
        { "<p></p><div> </div>", "" },
        { "caf\xe9 ok", "caf\xef\xbf\xbd ok" },
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases [0]; index++) {
        char *text = ab_feed_html_to_text (cases [index].html, strlen (cases [index].html));
        assert_string_equal (text, cases [index].text);
        free (text);
    }
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_rss),
        cmocka_unit_test (test_atom),
        cmocka_unit_test (test_latin1_declaration_honoured),
        cmocka_unit_test (test_malformed_and_foreign),
        cmocka_unit_test (test_keyless_items_counted),
        cmocka_unit_test (test_html_to_text),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
