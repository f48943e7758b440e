/*  =========================================================================
    fuzz_feed - libFuzzer harness for the feed parser and HTML flattening

    Each input is parsed as a feed document (ab_feed_parse) and as an HTML
    fragment (ab_feed_html_to_text).  Checks the contract: every item has
    a non-empty key, every string is valid UTF-8 (the parser converts from
    the declared encoding), text never starts or ends with white space
    added by the flattener.  A violation aborts, so the fuzzer reports it.

    Built by tests/fuzz/run.sh against build/fuzz/libab.a; corpus in
    tests/fuzz/corpus/feed (copies of tests/fixtures/feeds).
    =========================================================================
*/
#include "ab_feed.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static void
s_check (int cond, const char *what)
{
    if (!cond) {
        fprintf (stderr, "fuzz_feed: contract broken: %s\n", what);
        abort ();
    }
}

static void
s_check_text (const char *text, const char *what)
{
    s_check (text != NULL, what);
    const utf8proc_uint8_t *cursor = (const utf8proc_uint8_t *) text;
    utf8proc_ssize_t left = (utf8proc_ssize_t) strlen (text);
    while (left > 0) {
        utf8proc_int32_t codepoint;
        utf8proc_ssize_t used = utf8proc_iterate (cursor, left, &codepoint);
        s_check (used > 0, what);
        cursor += used;
        left -= used;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char error [256];
    size_t keyless = 0;
    zlistx_t *items = ab_feed_parse ((const char *) data, size, "fuzz", &keyless, error, sizeof error);
    if (items) {
        for (ab_feed_item_t *item = zlistx_first (items); item; item = zlistx_next (items)) {
            s_check (item->key && *item->key, "item without a key");
            s_check_text (item->key, "key not UTF-8");
            s_check_text (item->title, "title not UTF-8");
            s_check_text (item->link, "link not UTF-8");
            s_check_text (item->published, "date not UTF-8");
            s_check_text (item->body, "body not UTF-8");
        }
        zlistx_destroy (&items);
    }
    else
        s_check (error [0] != 0, "refused without a reason");

    char *text = ab_feed_html_to_text ((const char *) data, size);
    s_check_text (text, "html text not UTF-8");
    size_t length = strlen (text);
    s_check (length == 0 || (text [0] != ' ' && text [0] != '\n'), "leading white space");
    s_check (length == 0 || (text [length - 1] != ' ' && text [length - 1] != '\n'),
             "trailing white space");
    free (text);
    return 0;
}
