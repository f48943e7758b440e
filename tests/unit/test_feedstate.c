/*  =========================================================================
    test_feedstate - the feeds source's memory survives a reopen

    Real SQLite files in a temporary directory.
    =========================================================================
*/
#include "ab_feedstate.h"
#include "ab_testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
test_seen_and_validators_persist (void **state)
{
    char *dir = ab_test_tempdir ();
    assert_non_null (dir);
    char path [512], error [256] = "";
    snprintf (path, sizeof path, "%s/feeds.db", dir);

    ab_feedstate_t *feedstate = ab_feedstate_open (path, error, sizeof error);
    assert_non_null (feedstate);
    assert_false (ab_feedstate_seen (feedstate, "http://a.test/rss", "item-1"));
    assert_int_equal (ab_feedstate_mark_seen (feedstate, "http://a.test/rss", "item-1"), 0);
    //  Marking twice is harmless
    assert_int_equal (ab_feedstate_mark_seen (feedstate, "http://a.test/rss", "item-1"), 0);
    assert_true (ab_feedstate_seen (feedstate, "http://a.test/rss", "item-1"));
    //  Keys are per feed
    assert_false (ab_feedstate_seen (feedstate, "http://b.test/rss", "item-1"));
    char *etag, *modified;
    ab_feedstate_validators (feedstate, "http://a.test/rss", &etag, &modified);
    assert_string_equal (etag, "");
    assert_string_equal (modified, "");
    free (etag);
    free (modified);
    assert_int_equal (ab_feedstate_set_validators (feedstate, "http://a.test/rss", "\"v1\"",
                                                   "Tue, 05 Mar 2024 21:00:00 GMT"), 0);
    ab_feedstate_destroy (&feedstate);
    assert_null (feedstate);

    feedstate = ab_feedstate_open (path, error, sizeof error);
    assert_non_null (feedstate);
    assert_true (ab_feedstate_seen (feedstate, "http://a.test/rss", "item-1"));
    ab_feedstate_validators (feedstate, "http://a.test/rss", &etag, &modified);
    assert_string_equal (etag, "\"v1\"");
    assert_string_equal (modified, "Tue, 05 Mar 2024 21:00:00 GMT");
    free (etag);
    free (modified);
    //  Replaced, and cleared with NULL
    assert_int_equal (ab_feedstate_set_validators (feedstate, "http://a.test/rss", NULL, "x"), 0);
    ab_feedstate_validators (feedstate, "http://a.test/rss", &etag, &modified);
    assert_string_equal (etag, "");
    assert_string_equal (modified, "x");
    free (etag);
    free (modified);
    ab_feedstate_destroy (&feedstate);
    ab_test_rmtree (dir);
    free (dir);
}

static void
test_unopenable_path_is_an_error (void **state)
{
    char error [256] = "";
    ab_feedstate_t *feedstate = ab_feedstate_open ("/nonexistent/dir/feeds.db", error, sizeof error);
    assert_null (feedstate);
    assert_non_null (strstr (error, "cannot open feed state /nonexistent/dir/feeds.db"));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_seen_and_validators_persist),
        cmocka_unit_test (test_unopenable_path_is_an_error),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
