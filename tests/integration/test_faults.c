/*  =========================================================================
    test_faults - nothing lost, nothing counted twice, under kill -9

    A corpus of ARTICLES articles is streamed four times: undisturbed; with
    a random worker killed (and a new one started) every 150 ms; with the
    sink killed and restarted mid-stream (while a subscriber follows, which
    must end with the sink's state); with the producer killed and
    restarted mid-stream.  Every disturbed run must end with the same
    briefing as the undisturbed one: every article merged exactly once,
    every item with the same values and support.  Bounded: each run gives
    up after RUN_LIMIT_MS.
    =========================================================================
*/
#include "ab_testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <czmq.h>
#include <signal.h>

#define ARTICLES 2000
#define RUN_LIMIT_MS 180000

typedef enum { CALM, KILL_WORKERS, KILL_SINK, KILL_PRODUCER } disturbance_t;

typedef struct {
    ab_procs_t *procs;
    char *dir;
    char *corpus;
    char *log;
    char *baseline;             //  canonical briefing of the calm run
} fixture_t;

//  The corpus: the demo articles, each with a paragraph of filler words
//  of its own, long enough that no two are near-duplicates: then support
//  counts do not depend on the order articles arrive in, and a disturbed
//  run must match the calm one exactly
static void
s_filler (FILE *out, int seed)
{
    unsigned state = (unsigned) seed * 2654435761u + 1;
    fprintf (out, "\nArchive note %d:", seed);
    for (int word = 0; word < 400; word++) {
        state = state * 1103515245u + 12345u;
        fprintf (out, " zq%x", (state >> 8) & 0xfff);
    }
    fprintf (out, ".\n");
}

static void
s_make_corpus (const char *dir)
{
    zdir_t *samples = zdir_new ("samples", NULL);
    zfile_t **files = zdir_flatten (samples);
    char *bodies [32];
    int count = 0;
    for (zfile_t **file = files; *file && count < 32; file++)
        if (strstr (zfile_filename (*file, NULL), ".txt"))
            bodies [count++] = ab_test_read (zfile_filename (*file, NULL));
    zdir_flatten_free (&files);
    zdir_destroy (&samples);
    assert_true (count > 0);
    for (int index = 0; index < ARTICLES; index++) {
        char *path = zsys_sprintf ("%s/%05d.txt", dir, index);
        FILE *out = fopen (path, "w");
        //  Own header so ids differ; the sample's header becomes body text
        fprintf (out, "Source: Fault Wire %d\nPublished: 2026-06-%02d\n\n%s\n",
                 index % 7, 1 + index % 28, bodies [index % count]);
        s_filler (out, index);
        fclose (out);
        zstr_free (&path);
    }
    for (int index = 0; index < count; index++)
        free (bodies [index]);
}

static int
s_setup (void **state)
{
    fixture_t *self = calloc (1, sizeof *self);
    self->procs = ab_procs_new ();
    self->dir = ab_test_tempdir ();
    self->log = zsys_sprintf ("%s/log.txt", self->dir);
    self->corpus = zsys_sprintf ("%s/corpus", self->dir);
    zsys_dir_create (self->corpus);
    s_make_corpus (self->corpus);
    *state = self;
    return 0;
}

static int
s_teardown (void **state)
{
    fixture_t *self = *state;
    ab_procs_destroy (&self->procs);
    ab_test_rmtree (self->dir);
    free (self->dir);
    zstr_free (&self->log);
    zstr_free (&self->corpus);
    free (self->baseline);
    free (self);
    return 0;
}

//  key -> "value:support" per side, one line per item, sorted: what must
//  not change whatever happens to the processes
static char *
s_canonical (json_t *briefing)
{
    zlistx_t *lines = zlistx_new ();
    zlistx_set_destructor (lines, (zlistx_destructor_fn *) zstr_free);
    zlistx_set_comparator (lines, (zlistx_comparator_fn *) strcmp);
    json_t *item, *side;
    size_t index, side_index;
    json_array_foreach (json_object_get (briefing, "items"), index, item) {
        char line [4096];
        size_t used = (size_t) snprintf (line, sizeof line, "%s =",
                                         json_string_value (json_object_get (item, "key")));
        json_array_foreach (json_object_get (item, "sides"), side_index, side)
            if (used < sizeof line)
                used += (size_t) snprintf (line + used, sizeof line - used, " %s:%lld",
                                           json_string_value (json_object_get (side, "value")),
                                           json_integer_value (json_object_get (side, "support")));
        zlistx_add_end (lines, strdup (line));
    }
    zlistx_sort (lines);
    json_t *summary = json_object_get (briefing, "summary");
    size_t size = 256;
    for (char *line = zlistx_first (lines); line; line = zlistx_next (lines))
        size += strlen (line) + 1;
    char *text = malloc (size);
    size_t used = (size_t) snprintf (text, size, "articles=%lld independent=%lld\n",
                                     json_integer_value (json_object_get (summary, "articles")),
                                     json_integer_value (json_object_get (summary, "independent_articles")));
    for (char *line = zlistx_first (lines); line; line = zlistx_next (lines))
        used += (size_t) snprintf (text + used, size - used, "%s\n", line);
    zlistx_destroy (&lines);
    return text;
}

static pid_t
s_start (fixture_t *self, const char *program, const char *run, int serial)
{
    char ep [5][300];
    const char *names [] = { "work", "ack", "results", "pub", "snapshot" };
    for (int index = 0; index < 5; index++)
        snprintf (ep [index], sizeof ep [index], "ipc://%s/%s-%s", self->dir, run, names [index]);
    char out [300], db [300], journal [300], dead [300], name [32];
    snprintf (out, sizeof out, "%s/%s-out", self->dir, run);
    snprintf (db, sizeof db, "%s/%s-sink.db", self->dir, run);
    snprintf (journal, sizeof journal, "%s/%s-producer.journal", self->dir, run);
    snprintf (dead, sizeof dead, "%s/%s-dead.jsonl", self->dir, run);
    snprintf (name, sizeof name, "w%d", serial);
    if (streq (program, "allybrief-sink")) {
        const char *args [] = { "--results", ep [2], "--pub", ep [3], "--snapshot", ep [4], "--ack", ep [1],
                                "--out", out, "--state", db, "-q", NULL };
        return ab_procs_start (self->procs, program, args, self->log, NULL);
    }
    if (streq (program, "allybrief-worker")) {
        const char *args [] = { "--work", ep [0], "--results", ep [2], "--name", name,
                                "--producer-timeout", "3000", "-q", NULL };
        return ab_procs_start (self->procs, program, args, self->log, NULL);
    }
    const char *args [] = { "--work", ep [0], "--ack", ep [1], "--journal", journal, "--dead-letter", dead,
                            "--exit-when-done", "--ack-timeout", "3000", "--worker-timeout", "1500",
                            "--max-attempts", "100", "-q", self->corpus, NULL };
    return ab_procs_start (self->procs, program, args, self->log, NULL);
}

//  Wait for the subscriber to go idle and dump its state, then compare it
//  with what the (restarted) sink itself reports
static void
s_check_subscriber (fixture_t *self, pid_t subscriber, const char *ep_pub, const char *ep_snapshot,
                    const char *dump, const char *truth)
{
    assert_int_equal (ab_procs_wait (self->procs, subscriber, 60000), 0);
    const char *once_args [] = { "--pub", ep_pub, "--snapshot", ep_snapshot, "--once", "--dump", truth,
                                 "-q", NULL };
    pid_t once = ab_procs_start (self->procs, "allybrief-sub", once_args, self->log, NULL);
    assert_int_equal (ab_procs_wait (self->procs, once, 20000), 0);
    char *expected = ab_test_items_text (truth);
    char *actual = ab_test_items_text (dump);
    assert_non_null (expected);
    assert_non_null (actual);
    if (strcmp (actual, expected) != 0)
        fail_msg ("the subscriber that lived through the sink's kill differs from the sink's state");
    json_t *state = ab_test_load_json (dump);
    json_t *client = json_object_get (state, "client");
    printf ("faults: subscriber through the sink kill: %lld snapshots, %lld deltas, %lld gaps; "
            "state equals the sink's\n",
            json_integer_value (json_object_get (client, "snapshots")),
            json_integer_value (json_object_get (client, "deltas")),
            json_integer_value (json_object_get (client, "gaps")));
    json_decref (state);
    free (actual);
    free (expected);
}

static char *
s_run (fixture_t *self, const char *run, disturbance_t disturbance, int *kills)
{
    *kills = 0;
    int serial = 0;
    pid_t sink = s_start (self, "allybrief-sink", run, 0);
    pid_t workers [3];
    for (int index = 0; index < 3; index++)
        workers [index] = s_start (self, "allybrief-worker", run, ++serial);
    //  With the sink killed, a subscriber follows the whole run: it must
    //  resync to the restarted sink and end with the sink's own state
    char sub_dump [300], truth [300], ep_pub [300], ep_snapshot [300];
    snprintf (sub_dump, sizeof sub_dump, "%s/%s-sub.json", self->dir, run);
    snprintf (truth, sizeof truth, "%s/%s-truth.json", self->dir, run);
    snprintf (ep_pub, sizeof ep_pub, "ipc://%s/%s-pub", self->dir, run);
    snprintf (ep_snapshot, sizeof ep_snapshot, "ipc://%s/%s-snapshot", self->dir, run);
    pid_t subscriber = -1;
    if (disturbance == KILL_SINK) {
        const char *args [] = { "--pub", ep_pub, "--snapshot", ep_snapshot, "--dump", sub_dump,
                                "--idle-exit", "6", "-q", NULL };
        subscriber = ab_procs_start (self->procs, "allybrief-sub", args, self->log, NULL);
        assert_true (subscriber > 0);
    }
    pid_t producer = s_start (self, "allybrief-producer", run, 0);
    int64_t started = zclock_mono ();
    int64_t deadline = started + RUN_LIMIT_MS;
    int status = -1;
    bool disturbed = false;
    while (zclock_mono () < deadline) {
        status = ab_procs_wait (self->procs, producer, disturbance == KILL_WORKERS? 150: 50);
        if (status >= 0 && !(disturbance == KILL_PRODUCER && status == 137))
            break;
        int64_t elapsed = zclock_mono () - started;
        if (disturbance == KILL_WORKERS && *kills < 40) {
            int victim = rand () % 3;
            ab_procs_kill (self->procs, workers [victim]);
            workers [victim] = s_start (self, "allybrief-worker", run, ++serial);
            (*kills)++;
        }
        if (disturbance == KILL_SINK && !disturbed && elapsed > 200) {
            ab_procs_kill (self->procs, sink);
            zclock_sleep (500);
            sink = s_start (self, "allybrief-sink", run, 0);
            disturbed = true;
            (*kills)++;
        }
        if (disturbance == KILL_PRODUCER && !disturbed && elapsed > 200) {
            ab_procs_kill (self->procs, producer);
            producer = s_start (self, "allybrief-producer", run, 0);
            disturbed = true;
            (*kills)++;
        }
    }
    if (status != 0)
        ab_test_show_log (self->log);
    assert_int_equal (status, 0);
    for (int index = 0; index < 3; index++)
        ab_procs_stop (self->procs, workers [index], 10000);
    if (subscriber > 0)
        s_check_subscriber (self, subscriber, ep_pub, ep_snapshot, sub_dump, truth);
    assert_int_equal (ab_procs_stop (self->procs, sink, 20000), 0);
    char path [400];
    snprintf (path, sizeof path, "%s/%s-out/briefing.json", self->dir, run);
    json_t *briefing = ab_test_load_json (path);
    assert_non_null (briefing);
    assert_int_equal (json_integer_value (json_object_get (json_object_get (briefing, "summary"), "articles")),
                      ARTICLES);
    char *canonical = s_canonical (briefing);
    json_decref (briefing);
    //  Nothing was refused along the way
    snprintf (path, sizeof path, "%s/%s-dead.jsonl", self->dir, run);
    char *dead = ab_test_read (path);
    assert_true (!dead || !*dead);
    free (dead);
    printf ("faults: %-9s %d articles in %.1f s, %d kills\n", run, ARTICLES,
            (zclock_mono () - started) / 1000.0, *kills);
    return canonical;
}

static void
s_compare (fixture_t *self, const char *run, disturbance_t disturbance)
{
    if (!self->baseline) {
        int kills;
        self->baseline = s_run (self, "calm", CALM, &kills);
    }
    int kills;
    char *disturbed = s_run (self, run, disturbance, &kills);
    assert_true (kills > 0);
    if (strcmp (disturbed, self->baseline) != 0) {
        fprintf (stderr, "---- calm\n%.2000s\n---- %s\n%.2000s\n", self->baseline, run, disturbed);
        fail_msg ("the %s run's briefing differs from the undisturbed run's", run);
    }
    free (disturbed);
}

static void
test_worker_kills (void **state)
{
    s_compare (*state, "workers", KILL_WORKERS);
}

static void
test_sink_kill (void **state)
{
    s_compare (*state, "sink", KILL_SINK);
}

static void
test_producer_kill (void **state)
{
    s_compare (*state, "producer", KILL_PRODUCER);
}

int
main (void)
{
    srand ((unsigned) time (NULL));
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_worker_kills),
        cmocka_unit_test (test_sink_kill),
        cmocka_unit_test (test_producer_kill),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
