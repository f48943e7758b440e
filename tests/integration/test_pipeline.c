/*  =========================================================================
    test_pipeline - the real programs, end to end, on ipc:// in a temp dir

    Starts allybrief-sink, two allybrief-workers and allybrief-producer as
    separate processes, feeds a corpus, and checks the briefing they write.
    Runs on samples/ and stdin; the seeds are checked item by item in
    test_expected.
    =========================================================================
*/
#include "ab_intake.h"
#include "ab_testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <czmq.h>

typedef ab_fixture_t fixture_t;

static json_t *
s_run_pipeline (fixture_t *self, const char *input, const char *stdin_path, int workers)
{
    json_t *briefing = ab_fixture_run_pipeline (self, input, stdin_path, workers);
    assert_non_null (briefing);
    char path [600];
    snprintf (path, sizeof path, "%s/out/briefing.md", self->dir);
    char *markdown = ab_test_read (path);
    assert_non_null (markdown);
    assert_non_null (strstr (markdown, "# Alliance briefing"));
    free (markdown);
    return briefing;
}

//  Collect the ids of every article cited anywhere in the briefing
static void
s_collect_article_ids (json_t *node, bool in_articles, zhashx_t *ids)
{
    const char *key;
    json_t *value;
    size_t index;
    if (json_is_object (node)) {
        const char *id = json_string_value (json_object_get (node, "id"));
        if (in_articles && id)
            zhashx_update (ids, id, (void *) 1);
        json_object_foreach (node, key, value)
            s_collect_article_ids (value, streq (key, "articles"), ids);
    }
    else
    if (json_is_array (node))
        json_array_foreach (node, index, value)
            s_collect_article_ids (value, in_articles, ids);
}

static size_t
s_cited_articles (json_t *briefing)
{
    zhashx_t *ids = zhashx_new ();
    s_collect_article_ids (json_object_get (briefing, "items"), false, ids);
    size_t count = zhashx_size (ids);
    zhashx_destroy (&ids);
    return count;
}

static void
test_samples_end_to_end (void **state)
{
    fixture_t *self = *state;
    json_t *briefing = s_run_pipeline (self, "samples", NULL, 2);
    assert_string_equal (json_string_value (json_object_get (briefing, "schema")), "allybrief.briefing/1");
    json_t *summary = json_object_get (briefing, "summary");
    assert_int_equal (json_integer_value (json_object_get (summary, "articles")), 14);
    assert_true (json_array_size (json_object_get (briefing, "items")) >= 10);
    size_t cited = s_cited_articles (briefing);
    printf ("samples: %zu items from %zu cited articles\n",
            json_array_size (json_object_get (briefing, "items")), cited);
    assert_true (cited >= 8);
    json_decref (briefing);
    //  Nothing in the demo corpus is bad input
    char *text = ab_test_read (self->dead_letter);
    assert_true (!text || !*text);
    free (text);
}

static void
test_stdin_end_to_end (void **state)
{
    fixture_t *self = *state;
    json_t *briefing = s_run_pipeline (self, "samples/stdin.jsonl", "samples/stdin.jsonl", 1);
    json_t *summary = json_object_get (briefing, "summary");
    assert_int_equal (json_integer_value (json_object_get (summary, "articles")), 3);
    assert_true (s_cited_articles (briefing) >= 2);
    json_decref (briefing);
}

static void
test_launcher_runs_samples (void **state)
{
    fixture_t *self = *state;
    char out [512];
    snprintf (out, sizeof out, "%s/launch", self->dir);
    const char *args [] = { "run", "-w", "2", "-q", "-o", out, "samples", NULL };
    pid_t launcher = ab_procs_start (self->procs, "allybrief", args, self->log, NULL);
    int status = ab_procs_wait (self->procs, launcher, 90000);
    if (status != 0)
        ab_test_show_log (self->log);
    assert_int_equal (status, 0);
    char path [600];
    snprintf (path, sizeof path, "%s/briefing.json", out);
    json_t *briefing = ab_test_load_json (path);
    assert_non_null (briefing);
    assert_true (s_cited_articles (briefing) >= 8);
    json_decref (briefing);
    char *log = ab_test_read (self->log);
    assert_non_null (strstr (log, "briefing.md"));
    free (log);
}

//  Every program answers --help with 0 and bad usage with 2 and a message
static void
test_programs_usage (void **state)
{
    fixture_t *self = *state;
    const char *programs [] = { "allybrief-producer", "allybrief-worker", "allybrief-sink",
                                "allybrief-sub", "allybrief" };
    for (size_t index = 0; index < 5; index++) {
        const char *help [] = { "--help", NULL };
        pid_t pid = ab_procs_start (self->procs, programs [index], help, self->log, NULL);
        assert_int_equal (ab_procs_wait (self->procs, pid, 10000), 0);
        const char *bad [] = { "--no-such-option", NULL };
        pid = ab_procs_start (self->procs, programs [index], bad, self->log, NULL);
        assert_int_equal (ab_procs_wait (self->procs, pid, 10000), 2);
    }
    //  A bad endpoint is refused with a clear message
    const char *bad_endpoint [] = { "--results", "nonsense://x", "--out", self->dir, NULL };
    pid_t sink = ab_procs_start (self->procs, "allybrief-sink", bad_endpoint, self->log, NULL);
    assert_int_equal (ab_procs_wait (self->procs, sink, 10000), 2);
    const char *missing_dir [] = { "/nonexistent/articles", NULL };
    pid_t producer = ab_procs_start (self->procs, "allybrief-producer", missing_dir, self->log, NULL);
    assert_int_equal (ab_procs_wait (self->procs, producer, 10000), 2);
    char *log = ab_test_read (self->log);
    assert_non_null (strstr (log, "cannot bind --results nonsense://x"));
    assert_non_null (strstr (log, "cannot read directory /nonexistent/articles"));
    free (log);
}

static void
s_write_file (const char *dir, const char *name, const void *data, size_t size)
{
    char *path = zsys_sprintf ("%s/%s", dir, name);
    FILE *file = fopen (path, "wb");
    assert_non_null (file);
    assert_int_equal (fwrite (data, 1, size, file), size);
    fclose (file);
    zstr_free (&path);
}

//  Hostile input: every bad article is dead-lettered with its reason, the
//  good ones still reach the briefing, nothing crashes
static void
test_hostile_inputs (void **state)
{
    fixture_t *self = *state;
    char *input = zsys_sprintf ("%s/hostile", self->dir);
    zsys_dir_create (input);
    const char *good = "Source: Test Wire\nPublished: 2026-02-01\n\nJapan has pledged to raise "
                       "defense spending to 2% of GDP by 2027, officials said.\n";
    s_write_file (input, "good.txt", good, strlen (good));
    s_write_file (input, "empty.txt", "\n  \n", 4);
    s_write_file (input, "bad-header.txt", "Title: x\nColour: red\n\nbody\n", 27);
    //  Latin-1 bytes everywhere: not UTF-8 beyond repair
    char latin1 [600];
    for (size_t index = 0; index < sizeof latin1; index++)
        latin1 [index] = (char) (index % 2? 0xE9: 'a');
    s_write_file (input, "latin1.txt", latin1, sizeof latin1);
    char binary [600];
    for (size_t index = 0; index < sizeof binary; index++)
        binary [index] = (char) (index % 5? 0: 'x');
    s_write_file (input, "nuls.txt", binary, sizeof binary);
    //  10 MiB on one line, over the 4 MiB default limit
    size_t big_size = 10u * 1024 * 1024;
    char *big = malloc (big_size);
    memset (big, 'a', big_size);
    s_write_file (input, "huge.txt", big, big_size);
    //  stdin: a good line, truncated JSON, a wrong type, a 10 MiB line
    char *lines = zsys_sprintf ("%s/lines.jsonl", self->dir);
    FILE *file = fopen (lines, "wb");
    fprintf (file, "{\"source\":\"Wire\",\"body\":\"Australia will host up to four U.S. submarines "
                   "from 2027, the ministers said.\"}\n");
    fprintf (file, "{\"source\":\"Wire\",\"body\":\"cut off\n");
    fprintf (file, "{\"body\": 42}\n");
    fputs ("{\"body\":\"", file);
    fwrite (big, 1, big_size, file);
    fputs ("\"}\n", file);
    fclose (file);
    free (big);

    json_t *briefing = s_run_pipeline (self, input, NULL, 1);
    assert_int_equal (json_integer_value (json_object_get (json_object_get (briefing, "summary"), "articles")), 1);
    json_decref (briefing);
    json_t *from_stdin = s_run_pipeline (self, lines, lines, 1);
    json_decref (from_stdin);

    char *dead = ab_test_read (self->dead_letter);
    assert_non_null (dead);
    const char *expected [][2] = {
        { "empty.txt", "\"empty\"" }, { "bad-header.txt", "\"bad_header\"" },
        { "latin1.txt", "\"bad_utf8\"" }, { "nuls.txt", "\"binary\"" }, { "huge.txt", "\"too_large\"" },
        { "stdin:2", "\"bad_json\"" }, { "stdin:3", "\"bad_json\"" },
        { "stdin:4", "\"too_large\"" } };
    int records = 0;
    for (char *line = strtok (dead, "\n"); line; line = strtok (NULL, "\n")) {
        records++;
        bool known = false;
        for (size_t index = 0; index < sizeof expected / sizeof expected [0]; index++)
            if (strstr (line, expected [index][0]) && strstr (line, expected [index][1]))
                known = true;
        if (!known)
            fail_msg ("unexpected dead letter: %.300s", line);
    }
    printf ("hostile: %d inputs dead-lettered with their reasons\n", records);
    assert_int_equal (records, 8);
    free (dead);
    zstr_free (&lines);
    zstr_free (&input);
}

//  A flood of tiny articles: 100k files of a few bytes, one in a thousand
//  empty.  Every good one reaches the briefing once, every empty one is
//  dead-lettered, and the producer's pull-as-room-allows keeps memory flat.
static void
test_hundred_thousand_tiny_articles (void **state)
{
    fixture_t *self = *state;
    const int total = 100000;
    char *input = zsys_sprintf ("%s/tiny", self->dir);
    zsys_dir_create (input);
    for (int index = 0; index < total; index++) {
        char name [32], body [48];
        snprintf (name, sizeof name, "t%06d.txt", index);
        int size = index % 1000 == 999? 1: snprintf (body, sizeof body, "Note %d.\n", index);
        s_write_file (input, name, index % 1000 == 999? "\n": body, (size_t) size);
    }
    json_t *briefing = s_run_pipeline (self, input, NULL, 2);
    json_int_t articles = json_integer_value (json_object_get (json_object_get (briefing, "summary"), "articles"));
    json_decref (briefing);
    char *dead = ab_test_read (self->dead_letter);
    assert_non_null (dead);
    int records = 0;
    for (char *line = strtok (dead, "\n"); line; line = strtok (NULL, "\n")) {
        assert_non_null (strstr (line, "\"empty\""));
        records++;
    }
    printf ("tiny: %d articles, %lld in the briefing, %d dead-lettered\n", total, (long long) articles, records);
    assert_int_equal (articles, total - total / 1000);
    assert_int_equal (records, total / 1000);
    free (dead);
    zstr_free (&input);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_programs_usage, ab_fixture_setup, ab_fixture_teardown),
        cmocka_unit_test_setup_teardown (test_samples_end_to_end, ab_fixture_setup, ab_fixture_teardown),
        cmocka_unit_test_setup_teardown (test_stdin_end_to_end, ab_fixture_setup, ab_fixture_teardown),
        cmocka_unit_test_setup_teardown (test_launcher_runs_samples, ab_fixture_setup, ab_fixture_teardown),
        cmocka_unit_test_setup_teardown (test_hostile_inputs, ab_fixture_setup, ab_fixture_teardown),
        cmocka_unit_test_setup_teardown (test_hundred_thousand_tiny_articles, ab_fixture_setup,
                                         ab_fixture_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
