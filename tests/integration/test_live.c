/*  =========================================================================
    test_live - subscribers of the real sink converge to the same state

    One subscriber joins before the first article, one after half of them;
    a third has a receive HWM of 1.  When the stream ends, all three hold
    exactly the state the sink itself reports (allybrief-sub --once).
    =========================================================================
*/
#include "ab_testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <czmq.h>

typedef ab_fixture_t fixture_t;

//  Copy the sample articles whose index % 2 == parity into dir
static void
s_split_samples (const char *dir, int parity)
{
    zdir_t *samples = zdir_new ("samples", NULL);
    assert_non_null (samples);
    zfile_t **files = zdir_flatten (samples);
    int index = 0;
    for (zfile_t **file = files; *file; file++) {
        const char *name = zfile_filename (*file, "samples/");
        if (!strstr (name, ".txt"))
            continue;
        if (index++ % 2 != parity)
            continue;
        char *target = zsys_sprintf ("%s/%s", dir, name);
        char *text = ab_test_read (zfile_filename (*file, NULL));
        FILE *out = fopen (target, "w");
        fputs (text, out);
        fclose (out);
        free (text);
        zstr_free (&target);
    }
    zdir_flatten_free (&files);
    zdir_destroy (&samples);
}

static pid_t
s_subscriber (fixture_t *self, const char *dump, const char *extra)
{
    const char *args [] = { "--pub", self->endpoints [3], "--snapshot", self->endpoints [4],
                            "--dump", dump, "--idle-exit", "4", "-q", extra, extra? "1": NULL, NULL };
    return ab_procs_start (self->procs, "allybrief-sub", args, self->log, NULL);
}

static void
s_produce (fixture_t *self, const char *input)
{
    const char *args [] = { "--work", self->endpoints [0], "--ack", self->endpoints [1],
                            "--journal", self->journal, "--dead-letter", self->dead_letter,
                            "--exit-when-done", "-q", input, NULL };
    pid_t producer = ab_procs_start (self->procs, "allybrief-producer", args, self->log, NULL);
    int status = ab_procs_wait (self->procs, producer, 60000);
    if (status != 0) {
        fprintf (stderr, "producer on %s: status %d\n", input, status);
        ab_test_show_log (self->log);
    }
    assert_int_equal (status, 0);
}

static void
test_late_and_lossy_subscribers_converge (void **state)
{
    fixture_t *self = *state;
    char first [512], second [512];
    snprintf (first, sizeof first, "%s/first", self->dir);
    snprintf (second, sizeof second, "%s/second", self->dir);
    zsys_dir_create (first);
    zsys_dir_create (second);
    s_split_samples (first, 0);
    s_split_samples (second, 1);

    const char *sink_args [] = { "--results", self->endpoints [2], "--pub", self->endpoints [3],
                                 "--snapshot", self->endpoints [4], "--ack", self->endpoints [1],
                                 "--out", self->out, "--state", self->state_db, NULL };
    assert_true (ab_procs_start (self->procs, "allybrief-sink", sink_args, self->log, NULL) > 0);
    for (int index = 0; index < 2; index++) {
        const char *worker_args [] = { "--work", self->endpoints [0], "--results", self->endpoints [2],
                                       "-q", NULL };
        assert_true (ab_procs_start (self->procs, "allybrief-worker", worker_args, self->log, NULL) > 0);
    }
    char early [512], late [512], lossy [512], truth [512];
    snprintf (early, sizeof early, "%s/early.json", self->dir);
    snprintf (late, sizeof late, "%s/late.json", self->dir);
    snprintf (lossy, sizeof lossy, "%s/lossy.json", self->dir);
    snprintf (truth, sizeof truth, "%s/truth.json", self->dir);
    pid_t early_sub = s_subscriber (self, early, NULL);
    pid_t lossy_sub = s_subscriber (self, lossy, "--rcvhwm");
    zclock_sleep (500);
    s_produce (self, first);
    pid_t late_sub = s_subscriber (self, late, NULL);
    s_produce (self, second);

    //  The subscribers exit after 4 s without a change and dump their state
    assert_int_equal (ab_procs_wait (self->procs, early_sub, 30000), 0);
    assert_int_equal (ab_procs_wait (self->procs, lossy_sub, 30000), 0);
    assert_int_equal (ab_procs_wait (self->procs, late_sub, 30000), 0);
    const char *once_args [] = { "--pub", self->endpoints [3], "--snapshot", self->endpoints [4],
                                 "--once", "--dump", truth, "-q", NULL };
    pid_t once = ab_procs_start (self->procs, "allybrief-sub", once_args, self->log, NULL);
    assert_int_equal (ab_procs_wait (self->procs, once, 10000), 0);

    char *expected = ab_test_items_text (truth);
    assert_non_null (expected);
    assert_true (strlen (expected) > 100);
    const char *dumps [] = { early, late, lossy };
    for (int index = 0; index < 3; index++) {
        char *actual = ab_test_items_text (dumps [index]);
        assert_non_null (actual);
        if (strcmp (actual, expected) != 0)
            fail_msg ("%s differs from the sink's state", dumps [index]);
        free (actual);
    }
    free (expected);
    json_t *late_state = ab_test_load_json (late);
    json_t *early_state = ab_test_load_json (early);
    //  The early one followed deltas; the late one started from a snapshot
    //  of half the stream and followed the rest
    assert_true (json_integer_value (json_object_get (json_object_get (early_state, "client"), "deltas")) > 0);
    assert_true (json_integer_value (json_object_get (json_object_get (late_state, "client"), "deltas")) > 0);
    assert_int_equal (json_integer_value (json_object_get (early_state, "seq")),
                      json_integer_value (json_object_get (late_state, "seq")));
    printf ("live: early and late subscribers converged at seq %lld\n",
            json_integer_value (json_object_get (early_state, "seq")));
    json_decref (late_state);
    json_decref (early_state);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_late_and_lossy_subscribers_converge, ab_fixture_setup, ab_fixture_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
