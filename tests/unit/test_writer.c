/*  =========================================================================
    test_writer - the sink's briefing files, written off the loop's thread
    =========================================================================
*/
#include "ab_writer.h"
#include "ab_testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <czmq.h>

static json_t *
s_document (int items)
{
    return json_pack ("{s:s, s:[], s:[], s:{s:i, s:i, s:i, s:i, s:i, s:i}}",
                      "schema", "allybrief.briefing/1", "conflicts", "items", "summary",
                      "articles", items, "sources", 1, "items", 0, "conflicts", 0,
                      "independent_articles", items, "last_update_ms", 0);
}

static void
test_offer_writes_both_files (void **state)
{
    char *dir = ab_test_tempdir ();
    ab_writer_t *writer = ab_writer_new (dir);
    assert_non_null (writer);
    json_t *document = s_document (3);
    assert_true (ab_writer_offer (writer, &document));
    assert_null (document);             //  the writer owns it now
    ab_writer_wait (writer);
    char path [600];
    snprintf (path, sizeof path, "%s/briefing.json", dir);
    json_t *written = ab_test_load_json (path);
    assert_non_null (written);
    assert_int_equal (json_integer_value (json_object_get (json_object_get (written, "summary"), "articles")), 3);
    json_decref (written);
    snprintf (path, sizeof path, "%s/briefing.md", dir);
    char *markdown = ab_test_read (path);
    assert_non_null (markdown);
    assert_non_null (strstr (markdown, "# Alliance briefing"));
    free (markdown);

    //  Idle again: the next offer is taken, and destroy finishes it
    document = s_document (7);
    assert_true (ab_writer_offer (writer, &document));
    ab_writer_destroy (&writer);
    assert_null (writer);
    snprintf (path, sizeof path, "%s/briefing.json", dir);
    written = ab_test_load_json (path);
    assert_int_equal (json_integer_value (json_object_get (json_object_get (written, "summary"), "articles")), 7);
    json_decref (written);
    ab_test_rmtree (dir);
    free (dir);
}

//  A refused offer leaves the document with the caller; some offers made
//  back to back while a write runs are refused, none is lost or leaked
static void
test_busy_writer_refuses (void **state)
{
    char *dir = ab_test_tempdir ();
    ab_writer_t *writer = ab_writer_new (dir);
    int taken = 0, refused = 0;
    for (int index = 0; index < 50; index++) {
        json_t *document = s_document (index);
        if (ab_writer_offer (writer, &document)) {
            assert_null (document);
            taken++;
        }
        else {
            assert_non_null (document);
            refused++;
            json_decref (document);
        }
    }
    ab_writer_destroy (&writer);
    printf ("  writer: %d documents taken, %d refused while busy\n", taken, refused);
    assert_true (taken >= 1);
    assert_int_equal (taken + refused, 50);
    ab_test_rmtree (dir);
    free (dir);
}

int
main (void)
{
    zsys_init ();
    zsys_set_logstream (NULL);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_offer_writes_both_files),
        cmocka_unit_test (test_busy_writer_refuses),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
