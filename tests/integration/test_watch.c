/*  =========================================================================
    test_watch - the producer's watched drop folder, with the real programs

    A file already in the folder, a file written slowly in pieces while the
    producer runs, and a file renamed into the folder must each reach the
    briefing exactly once and whole; a dot-file being prepared is ignored.
    =========================================================================
*/
#include "ab_testlive.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <czmq.h>

typedef ab_fixture_t fixture_t;

static void
s_write (const char *path, const char *text)
{
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    fputs (text, file);
    fclose (file);
}

static void
test_drop_folder (void **state)
{
    fixture_t *self = *state;
    char drop [512], path [600], staging [600];
    snprintf (drop, sizeof drop, "%s/drop", self->dir);
    zsys_dir_create (drop);
    snprintf (path, sizeof path, "%s/early.txt", drop);
    s_write (path, "Title: Before the start\nSource: Test Wire\n\n"
                   "Officials in Canberra said the joint exercise with New Zealand will run in May.\n");

    assert_true (ab_live_start_backend (self, self->out) > 0);
    const char *producer_args [] = { "--work", self->endpoints [0], "--ack", self->endpoints [1],
                                     "--journal", self->journal, "--dead-letter", self->dead_letter,
                                     "--watch", drop, NULL };
    pid_t producer = ab_procs_start (self->procs, "allybrief-producer", producer_args, self->log, NULL);
    assert_true (producer > 0);
    if (ab_live_wait_articles (self->out, 1, 30000) != 1)
        ab_test_show_log (self->log);
    assert_int_equal (ab_live_article_count (self->out), 1);

    //  Written in three pieces with pauses: only the whole file may be read
    snprintf (path, sizeof path, "%s/slow.txt", drop);
    FILE *slow = fopen (path, "w");
    assert_non_null (slow);
    fputs ("Title: Written slowly\nSource: Test Wire\n\nThe first part of the report arrives.\n", slow);
    fflush (slow);
    zclock_sleep (400);
    fputs ("A second paragraph follows after a pause.\n", slow);
    fflush (slow);
    zclock_sleep (400);
    fputs ("The last words close the slowly written report.\n", slow);
    fclose (slow);

    //  Prepared under a dot name (ignored), then renamed in
    snprintf (staging, sizeof staging, "%s/.renamed.txt.part", drop);
    s_write (staging, "Title: Renamed in\nSource: Test Wire\n\n"
                      "A finished report moved into the folder in one step.\n");
    snprintf (path, sizeof path, "%s/renamed.txt", drop);
    assert_int_equal (rename (staging, path), 0);

    if (ab_live_wait_articles (self->out, 3, 30000) != 3)
        ab_test_show_log (self->log);
    assert_int_equal (ab_live_article_count (self->out), 3);
    assert_int_equal (ab_procs_stop (self->procs, producer, 10000), 0);
    //  Exactly three articles from the folder, none refused
    char expected [700];
    snprintf (expected, sizeof expected, "source watch:%s: 3 articles", drop);
    if (ab_live_count_text (self->log, expected) != 1)
        ab_test_show_log (self->log);
    assert_int_equal (ab_live_count_text (self->log, expected), 1);
    //  ...and none refused: a half-read file would also show up here
    assert_int_equal (ab_live_count_text (self->dead_letter, "\"reason\""), 0);

}

static void
test_missing_folder_is_refused (void **state)
{
    fixture_t *self = *state;
    const char *args [] = { "--work", self->endpoints [0], "--ack", self->endpoints [1],
                            "--watch", "/nonexistent/drop", NULL };
    pid_t producer = ab_procs_start (self->procs, "allybrief-producer", args, self->log, NULL);
    assert_int_equal (ab_procs_wait (self->procs, producer, 10000), 2);
    assert_true (ab_live_count_text (self->log, "cannot watch directory /nonexistent/drop") == 1);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_drop_folder, ab_fixture_setup, ab_fixture_teardown),
        cmocka_unit_test_setup_teardown (test_missing_folder_is_refused, ab_fixture_setup, ab_fixture_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
