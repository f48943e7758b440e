/*  =========================================================================
    test_curve - the pipeline over CURVE, closed to peers without a key

    Real programs on loopback tcp, all configured by one file written
    here, with key pairs made by ab_security_keygen (what `allybrief
    keygen` runs).  The allow-list holds the sink, worker and subscriber
    keys; a "stranger" key pair exists but is in no list.

    - Allowed keys: every sample article reaches the briefing, while a
      worker with the stranger key, started first, receives nothing and
      is refused by the producer with its address in the log.
    - A subscriber with the stranger key gets no snapshot (exit 1); one
      with an allowed key gets the whole briefing.
    - A RESULT pushed with the stranger key is never merged; the same kind
      of RESULT pushed with the worker key is (so the check can fail).
    - A key copied into the allow-list while the sink runs is let in on
      its next connection.
    =========================================================================
*/
#include "ab_testlive.h"
#include "ab_testutil.h"
#include "ab_config.h"
#include "ab_msg.h"
#include "ab_security.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <czmq.h>
#include <unistd.h>

#define SAMPLE_ARTICLES 14

typedef struct {
    ab_fixture_t *fixture;
    char config [512];          //  everyone's keys allowed
    char stranger_config [512]; //  the same, with the stranger's keys
    char keys [512];
    char endpoints [5][64];     //  work, ack, results, pub, snapshot
} curve_t;

//  Ports from the pid, so that tests of other trees on this machine do
//  not collide with ours
static void
s_pick_endpoints (curve_t *self)
{
    int base = 30000 + (int) (getpid () % 5000) * 5;
    for (int index = 0; index < 5; index++)
        snprintf (self->endpoints [index], sizeof self->endpoints [index], "tcp://127.0.0.1:%d",
                  base + index);
}

static void
s_write_config (curve_t *self, const char *path, const char *client_key)
{
    const ab_fixture_t *fixture = self->fixture;
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    fprintf (file,
        "#   written by test_curve\n"
        "curve\n"
        "    allow = %s/allow\n"
        "    producer_key = %s/producer.cert\n"
        "    sink_key = %s/sink.cert\n"
        "producer\n"
        "    work = %s\n"
        "    ack = %s\n"
        "    cert = %s/producer.cert_secret\n"
        "    journal = %s/producer.journal\n"
        "    dead_letter = %s/dead.jsonl\n"
        "    worker_timeout = 3000\n"
        "sink\n"
        "    results = %s\n"
        "    pub = %s\n"
        "    snapshot = %s\n"
        "    ack = %s\n"
        "    cert = %s/sink.cert_secret\n"
        "    out = %s/out\n"
        "    write_interval = 100\n"
        "worker\n"
        "    work = %s\n"
        "    results = %s\n"
        "    cert = %s/%s.cert_secret\n"
        "    producer_timeout = 3000\n"
        "subscriber\n"
        "    pub = %s\n"
        "    snapshot = %s\n"
        "    cert = %s/%s.cert_secret\n",
        self->keys, self->keys, self->keys,
        self->endpoints [0], self->endpoints [1], self->keys, fixture->dir, fixture->dir,
        self->endpoints [2], self->endpoints [3], self->endpoints [4], self->endpoints [1],
        self->keys, fixture->dir,
        self->endpoints [0], self->endpoints [2], self->keys, client_key,
        self->endpoints [3], self->endpoints [4], self->keys, client_key);
    fclose (file);
}

static int
s_setup (void **state)
{
    curve_t *self = calloc (1, sizeof *self);
    self->fixture = ab_fixture_new ();
    s_pick_endpoints (self);
    snprintf (self->keys, sizeof self->keys, "%s/keys", self->fixture->dir);
    char message [256];
    const char *names [] = { "producer", "sink", "worker", "subscriber", "stranger" };
    for (int index = 0; index < 5; index++)
        if (ab_security_keygen (self->keys, names [index], message, sizeof message) != 0) {
            fprintf (stderr, "keygen: %s\n", message);
            return -1;
        }
    char allow [600];
    snprintf (allow, sizeof allow, "%s/allow", self->keys);
    zsys_dir_create (allow);
    //  The producer and sink allow each other (acks), workers and subscribers
    const char *allowed [] = { "producer", "sink", "worker", "subscriber" };
    for (int index = 0; index < 4; index++) {
        char from [700], to [700];
        snprintf (from, sizeof from, "%s/%s.cert", self->keys, allowed [index]);
        snprintf (to, sizeof to, "%s/%s.cert", allow, allowed [index]);
        assert_true (ab_test_copy_file (from, to));
    }
    snprintf (self->config, sizeof self->config, "%s/allybrief.cfg", self->fixture->dir);
    snprintf (self->stranger_config, sizeof self->stranger_config, "%s/stranger.cfg", self->fixture->dir);
    //  One config names "worker" and "subscriber" for the clients, the
    //  other "stranger"; servers are the same in both
    s_write_config (self, self->config, "worker");
    s_write_config (self, self->stranger_config, "stranger");
    *state = self;
    //  A file that fails the check would make every program refuse it
    if (ab_config_check (self->config, NULL) || ab_config_check (self->stranger_config, NULL)) {
        fprintf (stderr, "test_curve: the generated configuration does not pass its check\n");
        return -1;
    }
    return 0;
}

static int
s_teardown (void **state)
{
    curve_t *self = *state;
    ab_fixture_destroy (&self->fixture);
    free (self);
    return 0;
}

//  A log of its own per process, so assertions know who said what
static char *
s_log (curve_t *self, const char *name)
{
    return zsys_sprintf ("%s/%s.log", self->fixture->dir, name);
}

static pid_t
s_start (curve_t *self, const char *program, const char *config, const char *log,
         const char *extra1, const char *extra2, const char *extra3)
{
    const char *args [] = { "--config", config, extra1, extra2, extra3, NULL };
    pid_t pid = ab_procs_start (self->fixture->procs, program, args, log, NULL);
    assert_true (pid > 0);
    return pid;
}

//  Articles in the briefing the sink writes to OUT (-1 if none yet)
static long
s_articles (curve_t *self, const char *out)
{
    char dir [600];
    snprintf (dir, sizeof dir, "%s/%s", self->fixture->dir, out);
    return ab_live_article_count (dir);
}

static void
s_assert_contains (const char *path, const char *needle)
{
    char *text = ab_test_read (path);
    if (!text || !strstr (text, needle)) {
        fprintf (stderr, "%s lacks '%s'\n", path, needle);
        ab_test_show_log (path);
    }
    assert_non_null (text);
    assert_non_null (strstr (text, needle));
    free (text);
}

static void
test_allowed_keys_complete_and_strangers_get_nothing (void **state)
{
    curve_t *self = *state;
    char *sink_log = s_log (self, "sink");
    char *producer_log = s_log (self, "producer");
    char *stranger_log = s_log (self, "stranger-worker");
    char *worker_log = s_log (self, "worker");
    pid_t sink = s_start (self, "allybrief-sink", self->config, sink_log, NULL, NULL, NULL);
    pid_t stranger = s_start (self, "allybrief-worker", self->stranger_config, stranger_log,
                              "--name", "stranger", NULL);
    pid_t producer = s_start (self, "allybrief-producer", self->config, producer_log,
                              "--exit-when-done", "samples", NULL);
    //  The stranger is refused at the handshake, with its address
    bool refused = ab_live_wait_text (producer_log, "refused peer 127.0.0.1", 20000);
    if (!refused)
        ab_test_show_log (producer_log);
    assert_true (refused);
    //  With only the stranger around, nothing is sent
    zclock_sleep (1000);
    s_assert_contains (producer_log, "sent 0,");
    s_start (self, "allybrief-worker", self->config, worker_log, "--name", "allowed", NULL);
    int status = ab_procs_wait (self->fixture->procs, producer, 60000);
    if (status != 0)
        ab_test_show_log (producer_log);
    assert_int_equal (status, 0);
    s_assert_contains (producer_log, "acked 14,");
    assert_int_equal (ab_procs_stop (self->fixture->procs, stranger, 10000), 0);
    s_assert_contains (stranger_log, "stranger: stopping after 0 articles");
    assert_int_equal (ab_procs_stop (self->fixture->procs, sink, 20000), 0);
    assert_int_equal (s_articles (self, "out"), SAMPLE_ARTICLES);
    //  The sink refused the stranger's result connection too
    s_assert_contains (sink_log, "refused peer 127.0.0.1");

    //  Subscribers: the sink again (state is durable), one allowed, one not
    sink = s_start (self, "allybrief-sink", self->config, sink_log, NULL, NULL, NULL);
    char allowed_dump [600];
    snprintf (allowed_dump, sizeof allowed_dump, "%s/allowed-sub.json", self->fixture->dir);
    char *allowed_sub_log = s_log (self, "allowed-sub");
    char *stranger_sub_log = s_log (self, "stranger-sub");
    pid_t allowed_sub = s_start (self, "allybrief-sub", self->config, allowed_sub_log,
                                 "--once", "--dump", allowed_dump);
    pid_t stranger_sub = s_start (self, "allybrief-sub", self->stranger_config, stranger_sub_log,
                                  "--once", "-q", NULL);
    assert_int_equal (ab_procs_wait (self->fixture->procs, allowed_sub, 30000), 0);
    json_t *dump = ab_test_load_json (allowed_dump);
    assert_non_null (dump);
    assert_int_equal (json_integer_value (json_object_get (json_object_get (dump, "summary"), "articles")),
                      SAMPLE_ARTICLES);
    json_decref (dump);
    //  No snapshot within the client's timeout: --once exits 1
    assert_int_equal (ab_procs_wait (self->fixture->procs, stranger_sub, 30000), 1);
    s_assert_contains (stranger_sub_log, "no snapshot");
    assert_int_equal (ab_procs_stop (self->fixture->procs, sink, 20000), 0);
    zstr_free (&allowed_sub_log);
    zstr_free (&stranger_sub_log);
    zstr_free (&sink_log);
    zstr_free (&producer_log);
    zstr_free (&stranger_log);
    zstr_free (&worker_log);
}

//  Push one RESULT for article_id to the sink as a CURVE client with the
//  key pair NAME; the socket lingers so the message goes if it can
static void
s_push_result (curve_t *self, const char *name, const char *article_id)
{
    char cert [600], sink_cert [600], message [256];
    snprintf (cert, sizeof cert, "%s/%s.cert_secret", self->keys, name);
    snprintf (sink_cert, sizeof sink_cert, "%s/sink.cert", self->keys);
    ab_security_t *security = ab_security_new (cert, NULL, message, sizeof message);
    assert_non_null (security);
    zsock_t *push = zsock_new (ZMQ_PUSH);
    zsock_set_linger (push, 0);
    assert_int_equal (ab_security_connect (security, push, self->endpoints [2], sink_cert, "results"), 0);
    ab_article_t *article = ab_article_new ();
    ab_article_set (&article->id, article_id);
    ab_article_set (&article->source, "Injected Wire");
    ab_article_set (&article->published, "2026-11-20");
    ab_result_t *result = ab_result_new ();
    assert_int_equal (ab_result_set_article (result, article), 0);
    ab_article_set (&result->worker, name);
    zmsg_t *msg = ab_result_encode (result);
    assert_non_null (msg);
    //  Give the handshake time to finish or fail before we let go
    assert_int_equal (zmsg_send (&msg, push), 0);
    zclock_sleep (1500);
    zsock_destroy (&push);
    ab_result_destroy (&result);
    ab_article_destroy (&article);
    ab_security_destroy (&security);
}

static void
test_results_from_a_stranger_are_never_merged (void **state)
{
    curve_t *self = *state;
    char *sink_log = s_log (self, "sink");
    //  A flag overrides the file: the briefing goes to override/, not out/
    char override [600];
    snprintf (override, sizeof override, "%s/override", self->fixture->dir);
    pid_t sink = s_start (self, "allybrief-sink", self->config, sink_log, "--out", override, NULL);
    s_push_result (self, "stranger", "00000000000000aa");
    assert_true (ab_live_wait_text (sink_log, "refused peer 127.0.0.1", 20000));
    //  The same message with the worker's key is merged: the check works
    s_push_result (self, "worker", "00000000000000bb");
    bool merged = false;
    for (int waited = 0; waited < 20000 && !merged; waited += 200) {
        merged = s_articles (self, "override") >= 1;
        if (!merged)
            zclock_sleep (200);
    }
    assert_true (merged);
    assert_int_equal (ab_procs_stop (self->fixture->procs, sink, 20000), 0);
    assert_int_equal (s_articles (self, "override"), 1);
    char path [700];
    snprintf (path, sizeof path, "%s/briefing.json", override);
    char *briefing = ab_test_read (path);
    assert_non_null (briefing);
    assert_null (strstr (briefing, "00000000000000aa"));
    free (briefing);
    snprintf (path, sizeof path, "%s/out/briefing.json", self->fixture->dir);
    assert_int_equal (access (path, F_OK), -1);
    zstr_free (&sink_log);
}

//  The allow-list is read again when its directory changes: a key added
//  while the sink runs lets that peer in on its next connection
static void
test_a_key_added_to_the_allow_list_is_let_in (void **state)
{
    curve_t *self = *state;
    char *sink_log = s_log (self, "sink");
    pid_t sink = s_start (self, "allybrief-sink", self->config, sink_log, NULL, NULL, NULL);
    s_push_result (self, "stranger", "00000000000000cc");
    assert_true (ab_live_wait_text (sink_log, "refused peer 127.0.0.1", 20000));
    char from [600], to [600];
    snprintf (from, sizeof from, "%s/stranger.cert", self->keys);
    snprintf (to, sizeof to, "%s/allow/stranger.cert", self->keys);
    assert_true (ab_test_copy_file (from, to));
    s_push_result (self, "stranger", "00000000000000dd");
    bool merged = false;
    for (int waited = 0; waited < 20000 && !merged; waited += 200) {
        merged = s_articles (self, "out") >= 1;
        if (!merged)
            zclock_sleep (200);
    }
    assert_true (merged);
    assert_int_equal (ab_procs_stop (self->fixture->procs, sink, 20000), 0);
    //  Only the second push: the first connection was refused for good
    assert_int_equal (s_articles (self, "out"), 1);
    zstr_free (&sink_log);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_allowed_keys_complete_and_strangers_get_nothing,
                                         s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_results_from_a_stranger_are_never_merged,
                                         s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_a_key_added_to_the_allow_list_is_let_in,
                                         s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
