/*  test_intake - article parsing, checks and ids  */
#include "ab_intake.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static ab_article_t *
s_parse_text (const char *text, int *rc, ab_intake_error_t *error)
{
    ab_article_t *article = ab_article_new ();
    *rc = ab_intake_parse_text (text, strlen (text), article, error);
    if (*rc == 0)
        *rc = ab_intake_finish (article, 4096, error);
    return article;
}

static void
test_header_block (void **state)
{
    ab_intake_error_t error;
    int rc;
    ab_article_t *article = s_parse_text (
        "Title: Marines to rotate\nSource: Example Wire\nURL: https://example.com/a\n"
        "Published: 2026-01-15\n\nThe body starts here.\nSecond line.\n", &rc, &error);
    assert_int_equal (rc, 0);
    assert_string_equal (article->title, "Marines to rotate");
    assert_string_equal (article->source, "Example Wire");
    assert_string_equal (article->url, "https://example.com/a");
    assert_string_equal (article->published, "2026-01-15");
    assert_string_equal (article->body, "The body starts here.\nSecond line.\n");
    assert_int_equal (strlen (article->id), 16);
    ab_article_destroy (&article);
}

static void
test_no_header_is_all_body (void **state)
{
    ab_intake_error_t error;
    int rc;
    //  "Washington:" looks like a key but is not one we know
    ab_article_t *article = s_parse_text ("Washington: the alliance said today.\n", &rc, &error);
    assert_int_equal (rc, 0);
    assert_string_equal (article->body, "Washington: the alliance said today.\n");
    assert_string_equal (article->title, "");
    ab_article_destroy (&article);
}

static void
test_bad_header (void **state)
{
    ab_intake_error_t error;
    int rc;
    ab_article_t *article = s_parse_text ("Title: x\nColour: red\n\nbody\n", &rc, &error);
    assert_int_equal (rc, -1);
    assert_string_equal (error.reason, "bad_header");
    assert_non_null (strstr (error.message, "Colour"));
    ab_article_destroy (&article);
    article = s_parse_text ("Title: x\nthis is not a header line\n\nbody\n", &rc, &error);
    assert_int_equal (rc, -1);
    assert_string_equal (error.reason, "bad_header");
    ab_article_destroy (&article);
}

static void
test_refusals (void **state)
{
    ab_intake_error_t error;
    int rc;
    ab_article_t *article = s_parse_text ("Title: x\n\n   \n\t\n", &rc, &error);
    assert_int_equal (rc, -1);
    assert_string_equal (error.reason, "empty");
    ab_article_destroy (&article);

    char big [5000];
    memset (big, 'a', sizeof big - 1);
    big [sizeof big - 1] = 0;
    article = s_parse_text (big, &rc, &error);
    assert_int_equal (rc, -1);
    assert_string_equal (error.reason, "too_large");
    ab_article_destroy (&article);

    char binary [200];
    for (size_t index = 0; index < sizeof binary; index++)
        binary [index] = (char) (index % 7 + 1);
    binary [sizeof binary - 1] = 0;
    article = s_parse_text (binary, &rc, &error);
    assert_int_equal (rc, -1);
    assert_string_equal (error.reason, "binary");
    ab_article_destroy (&article);

    char latin1 [200];
    for (size_t index = 0; index < sizeof latin1; index++)
        latin1 [index] = (char) (index % 2? 0xE9: 'x');
    latin1 [sizeof latin1 - 1] = 0;
    article = s_parse_text (latin1, &rc, &error);
    assert_int_equal (rc, -1);
    assert_string_equal (error.reason, "bad_utf8");
    ab_article_destroy (&article);

    article = s_parse_text ("Published: yesterday-ish\n\nbody\n", &rc, &error);
    assert_int_equal (rc, -1);
    assert_string_equal (error.reason, "bad_date");
    ab_article_destroy (&article);
}

static void
test_json_line (void **state)
{
    ab_intake_error_t error;
    const char *line = "{\"id\":\"0123456789abcdef\",\"source\":\"Wire\",\"published\":"
                       "\"Mon, 09 Mar 2026 10:00:00 +0900\",\"body\":\"Text \\u00e9.\"}";
    ab_article_t *article = ab_article_new ();
    assert_int_equal (ab_intake_parse_json (line, strlen (line), article, &error), 0);
    assert_int_equal (ab_intake_finish (article, 4096, &error), 0);
    assert_string_equal (article->id, "0123456789abcdef");
    assert_string_equal (article->published, "2026-03-09T01:00:00Z");
    assert_string_equal (article->body, "Text \xc3\xa9.");
    ab_article_destroy (&article);

    const char *bad [] = { "{\"source\":\"x\"}", "{\"body\": 5}", "[1,2]", "{\"body\":\"x\"",
                           "{\"body\":\"x\",\"id\":\"NOTHEX\"}" };
    const char *reasons [] = { "bad_json", "bad_json", "bad_json", "bad_json", "bad_id" };
    for (size_t index = 0; index < 5; index++) {
        article = ab_article_new ();
        int rc = ab_intake_parse_json (bad [index], strlen (bad [index]), article, &error);
        if (rc == 0)
            rc = ab_intake_finish (article, 4096, &error);
        assert_int_equal (rc, -1);
        assert_string_equal (error.reason, reasons [index]);
        ab_article_destroy (&article);
    }
}

static void
test_manifest_fills_only_missing (void **state)
{
    ab_intake_error_t error;
    ab_article_t *article = ab_article_new ();
    const char *text = "Source: Header Wins\n\nbody\n";
    assert_int_equal (ab_intake_parse_text (text, strlen (text), article, &error), 0);
    json_t *entry = json_pack ("{s:s, s:s, s:s}", "source", "Manifest", "published", "2024-03-25",
                               "title", "From manifest");
    ab_intake_apply_manifest (article, entry);
    json_decref (entry);
    assert_string_equal (article->source, "Header Wins");
    assert_string_equal (article->published, "2024-03-25");
    assert_string_equal (article->title, "From manifest");
    ab_article_destroy (&article);
}

static void
test_stable_ids (void **state)
{
    char a [17], b [17], c [17];
    ab_intake_make_id ("Wire", "same body", 9, a);
    ab_intake_make_id ("Wire", "same body", 9, b);
    ab_intake_make_id ("Other", "same body", 9, c);
    assert_string_equal (a, b);
    assert_string_not_equal (a, c);
    for (int index = 0; index < 16; index++)
        assert_true (strchr ("0123456789abcdef", a [index]));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_header_block),
        cmocka_unit_test (test_no_header_is_all_body),
        cmocka_unit_test (test_bad_header),
        cmocka_unit_test (test_refusals),
        cmocka_unit_test (test_json_line),
        cmocka_unit_test (test_manifest_fills_only_missing),
        cmocka_unit_test (test_stable_ids),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
