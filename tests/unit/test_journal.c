/*  test_journal - the producer's journal survives crashes, torn tails and compaction  */
#include "ab_journal.h"
#include "ab_testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <unistd.h>

static ab_article_t *
s_article (const char *id, const char *body)
{
    ab_article_t *article = ab_article_new ();
    ab_article_set (&article->id, id);
    ab_article_set (&article->source, "Wire");
    ab_article_set_body (article, body, strlen (body));
    return article;
}

static void
s_free_articles (zlistx_t **list_p)
{
    for (ab_article_t *article = zlistx_first (*list_p); article; article = zlistx_next (*list_p))
        ab_article_destroy (&article);
    zlistx_destroy (list_p);
}

static void
test_replay_keeps_only_unacked (void **state)
{
    char *dir = ab_test_tempdir ();
    char *path = zsys_sprintf ("%s/j", dir);
    char error [256] = "";
    zlistx_t *pending = zlistx_new ();
    ab_journal_t *journal = ab_journal_open (path, AB_JOURNAL_FSYNC_ALWAYS, pending, error, sizeof error);
    assert_non_null (journal);
    assert_int_equal (zlistx_size (pending), 0);
    const char *ids [] = { "0000000000000001", "0000000000000002", "0000000000000003" };
    for (int index = 0; index < 3; index++) {
        ab_article_t *article = s_article (ids [index], "body text");
        assert_int_equal (ab_journal_append (journal, article), 0);
        ab_article_destroy (&article);
    }
    assert_int_equal (ab_journal_done (journal, ids [1]), 0);
    //  Simulate a crash: no orderly close matters, the file is the truth
    ab_journal_destroy (&journal);

    journal = ab_journal_open (path, AB_JOURNAL_FSYNC_BATCH, pending, error, sizeof error);
    assert_non_null (journal);
    assert_int_equal (zlistx_size (pending), 2);
    ab_article_t *first = zlistx_first (pending);
    assert_string_equal (first->id, ids [0]);
    assert_string_equal (first->body, "body text");
    assert_string_equal (((ab_article_t *) zlistx_next (pending))->id, ids [2]);
    ab_journal_destroy (&journal);
    s_free_articles (&pending);
    ab_test_rmtree (dir);
    free (dir);
    zstr_free (&path);
}

static void
test_torn_tail_is_cut (void **state)
{
    char *dir = ab_test_tempdir ();
    char *path = zsys_sprintf ("%s/j", dir);
    char error [256] = "";
    zlistx_t *pending = zlistx_new ();
    ab_journal_t *journal = ab_journal_open (path, AB_JOURNAL_FSYNC_NEVER, pending, error, sizeof error);
    ab_article_t *article = s_article ("00000000000000aa", "kept");
    ab_journal_append (journal, article);
    ab_article_destroy (&article);
    article = s_article ("00000000000000bb", "torn");
    ab_journal_append (journal, article);
    ab_article_destroy (&article);
    ab_journal_destroy (&journal);
    //  Cut the last record in the middle, as a crash mid-write would
    struct stat st;
    stat (path, &st);
    assert_int_equal (truncate (path, st.st_size - 5), 0);

    journal = ab_journal_open (path, AB_JOURNAL_FSYNC_NEVER, pending, error, sizeof error);
    assert_non_null (journal);
    assert_int_equal (zlistx_size (pending), 1);
    assert_string_equal (((ab_article_t *) zlistx_first (pending))->id, "00000000000000aa");
    //  Appending after the cut works and replays
    article = s_article ("00000000000000cc", "after");
    assert_int_equal (ab_journal_append (journal, article), 0);
    ab_article_destroy (&article);
    ab_journal_destroy (&journal);
    s_free_articles (&pending);
    pending = zlistx_new ();
    journal = ab_journal_open (path, AB_JOURNAL_FSYNC_NEVER, pending, error, sizeof error);
    assert_int_equal (zlistx_size (pending), 2);
    ab_journal_destroy (&journal);
    s_free_articles (&pending);
    ab_test_rmtree (dir);
    free (dir);
    zstr_free (&path);
}

static void
test_compaction_shrinks (void **state)
{
    char *dir = ab_test_tempdir ();
    char *path = zsys_sprintf ("%s/j", dir);
    char error [256] = "";
    zlistx_t *pending = zlistx_new ();
    ab_journal_t *journal = ab_journal_open (path, AB_JOURNAL_FSYNC_NEVER, pending, error, sizeof error);
    for (int index = 0; index < 100; index++) {
        char id [17];
        snprintf (id, sizeof id, "%016x", index);
        ab_article_t *article = s_article (id, "a body long enough to make the file grow");
        ab_journal_append (journal, article);
        ab_article_destroy (&article);
        ab_journal_done (journal, id);
    }
    ab_journal_destroy (&journal);
    journal = ab_journal_open (path, AB_JOURNAL_FSYNC_NEVER, pending, error, sizeof error);
    assert_int_equal (zlistx_size (pending), 0);
    struct stat st;
    stat (path, &st);
    assert_int_equal (st.st_size, 0);
    ab_journal_destroy (&journal);
    zlistx_destroy (&pending);
    ab_test_rmtree (dir);
    free (dir);
    zstr_free (&path);
}

static void
test_unwritable_path (void **state)
{
    char error [256] = "";
    zlistx_t *pending = zlistx_new ();
    ab_journal_t *journal = ab_journal_open ("/nonexistent/dir/journal", AB_JOURNAL_FSYNC_NEVER,
                                             pending, error, sizeof error);
    assert_null (journal);
    assert_non_null (strstr (error, "/nonexistent/dir/journal"));
    zlistx_destroy (&pending);
    ab_journal_fsync_t policy;
    assert_int_equal (ab_journal_fsync_parse ("batch", &policy), 0);
    assert_int_equal (policy, AB_JOURNAL_FSYNC_BATCH);
    assert_int_equal (ab_journal_fsync_parse ("sometimes", &policy), -1);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_replay_keeps_only_unacked),
        cmocka_unit_test (test_torn_tail_is_cut),
        cmocka_unit_test (test_compaction_shrinks),
        cmocka_unit_test (test_unwritable_path),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
