/*  =========================================================================
    test_metrics - every program serves Prometheus metrics that add up

    Runs sink, two workers and producer on samples/ with --metrics on
    127.0.0.1, scrapes each over real HTTP (libcurl) until the producer
    reports every article acked, and checks that the figures agree with
    each other and with the corpus: articles in = acked = sink results =
    the workers' articles; claims by type present; latency histograms
    filled; wrong paths and methods get HTTP errors.
    =========================================================================
*/
#include "ab_testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <czmq.h>

#define SAMPLES 14

typedef struct {
    char *data;
    size_t size;
} body_t;

static size_t
s_collect (char *chunk, size_t size, size_t count, void *arg)
{
    body_t *body = arg;
    size_t bytes = size * count;
    char *grown = realloc (body->data, body->size + bytes + 1);
    if (!grown)
        return 0;
    memcpy (grown + body->size, chunk, bytes);
    body->data = grown;
    body->size += bytes;
    body->data [body->size] = 0;
    return bytes;
}

//  GET (or another method) a URL; returns the HTTP status, body in *text
static long
s_http (const char *method, int port, const char *path, char **text)
{
    char url [128];
    snprintf (url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    body_t body = { NULL, 0 };
    CURL *curl = curl_easy_init ();
    curl_easy_setopt (curl, CURLOPT_URL, url);
    curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, s_collect);
    curl_easy_setopt (curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt (curl, CURLOPT_NOPROXY, "*");
    long status = 0;
    if (curl_easy_perform (curl) == CURLE_OK)
        curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup (curl);
    if (text)
        *text = body.data;
    else
        free (body.data);
    return status;
}

//  The value of the sample line that starts with name (exact name, then
//  a space or '{'), or -1 if absent
static double
s_value (const char *text, const char *name)
{
    size_t length = strlen (name);
    for (const char *line = text; line && *line; line = strchr (line, '\n'), line = line? line + 1: NULL)
        if (strncmp (line, name, length) == 0 && line [length] == ' ')
            return strtod (line + length + 1, NULL);
    return -1;
}

static double
s_scrape_value (int port, const char *name)
{
    char *text = NULL;
    double value = s_http ("GET", port, "/metrics", &text) == 200? s_value (text, name): -1;
    free (text);
    return value;
}

static void
test_metrics_add_up (void **state)
{
    ab_fixture_t *self = *state;
    int ports [4];
    char addresses [4][64];
    for (int index = 0; index < 4; index++) {
        ports [index] = ab_test_free_port ();
        assert_true (ports [index] > 0);
        snprintf (addresses [index], sizeof addresses [index], "127.0.0.1:%d", ports [index]);
    }
    const char *sink_args [] = { "--results", self->endpoints [2], "--pub", self->endpoints [3],
                                 "--snapshot", self->endpoints [4], "--ack", self->endpoints [1],
                                 "--out", self->out, "--state", self->state_db,
                                 "--metrics", addresses [0], NULL };
    assert_true (ab_procs_start (self->procs, "allybrief-sink", sink_args, self->log, NULL) > 0);
    for (int index = 1; index <= 2; index++) {
        const char *worker_args [] = { "--work", self->endpoints [0], "--results", self->endpoints [2],
                                       "--metrics", addresses [index], "-q", NULL };
        assert_true (ab_procs_start (self->procs, "allybrief-worker", worker_args, self->log, NULL) > 0);
    }
    //  No --exit-when-done: the producer stays up to be scraped
    const char *producer_args [] = { "--work", self->endpoints [0], "--ack", self->endpoints [1],
                                     "--journal", self->journal, "--dead-letter", self->dead_letter,
                                     "--metrics", addresses [3], "samples", NULL };
    assert_true (ab_procs_start (self->procs, "allybrief-producer", producer_args, self->log, NULL) > 0);

    //  Metrics render once a second: wait until everything is acked
    int64_t deadline = zclock_mono () + 30000;
    while (s_scrape_value (ports [3], "allybrief_producer_articles_acked_total") < SAMPLES
       &&  zclock_mono () < deadline)
        zclock_sleep (200);
    zclock_sleep (1200);        //  one more render everywhere

    char *producer = NULL, *sink = NULL;
    long producer_status = s_http ("GET", ports [3], "/metrics", &producer);
    long sink_status = s_http ("GET", ports [0], "/metrics", &sink);
    if (producer_status != 200 || sink_status != 200)
        ab_test_show_log (self->log);
    assert_int_equal (producer_status, 200);
    assert_int_equal (sink_status, 200);
    if (s_value (producer, "allybrief_producer_articles_acked_total") != SAMPLES)
        ab_test_show_log (self->log);
    assert_true (s_value (producer, "allybrief_producer_articles_in_total") == SAMPLES);
    assert_true (s_value (producer, "allybrief_producer_articles_acked_total") == SAMPLES);
    assert_true (s_value (producer, "allybrief_producer_in_flight") == 0);
    assert_true (s_value (producer, "allybrief_producer_workers") == 2);
    assert_true (s_value (producer, "allybrief_producer_ack_latency_seconds_count") == SAMPLES);
    assert_non_null (strstr (producer, "# TYPE allybrief_producer_ack_latency_seconds histogram"));
    assert_non_null (strstr (producer, "allybrief_producer_ack_latency_seconds_bucket{le=\"+Inf\"} 14"));

    assert_true (s_value (sink, "allybrief_sink_results_total") == SAMPLES);
    assert_true (s_value (sink, "allybrief_sink_articles") == SAMPLES);
    assert_true (s_value (sink, "allybrief_sink_items") > 0);
    assert_true (s_value (sink, "allybrief_sink_conflicts") >= 1);
    assert_true (s_value (sink, "allybrief_sink_publish_latency_seconds_count") == SAMPLES);
    assert_non_null (strstr (sink, "allybrief_sink_claims_by_type_total{type=\"defense_spending\"}"));

    double worker_articles = 0, worker_claims = 0;
    for (int index = 1; index <= 2; index++) {
        char *worker = NULL;
        assert_int_equal (s_http ("GET", ports [index], "/metrics", &worker), 200);
        worker_articles += s_value (worker, "allybrief_worker_articles_total");
        worker_claims += s_value (worker, "allybrief_worker_claims_total");
        assert_non_null (strstr (worker, "# TYPE allybrief_worker_process_time_seconds histogram"));
        free (worker);
    }
    //  Every article processed once (no redelivery in a calm run), and the
    //  sink merged every claim the workers found
    assert_true (worker_articles == SAMPLES);
    assert_true (worker_claims == s_value (sink, "allybrief_sink_claims_total"));
    printf ("metrics: %d articles, %.0f claims, scraped from 4 processes\n", SAMPLES, worker_claims);

    //  Not the metrics path or method: proper HTTP errors
    assert_int_equal (s_http ("GET", ports [0], "/", NULL), 404);
    assert_int_equal (s_http ("POST", ports [0], "/metrics", NULL), 405);
    free (producer);
    free (sink);
}

//  A bad address is refused at start with a message, exit 2
static void
test_metrics_bad_address (void **state)
{
    ab_fixture_t *self = *state;
    const char *args [] = { "--results", self->endpoints [2], "--pub", self->endpoints [3],
                            "--snapshot", self->endpoints [4], "--metrics", "localhost", NULL };
    pid_t sink = ab_procs_start (self->procs, "allybrief-sink", args, self->log, NULL);
    assert_int_equal (ab_procs_wait (self->procs, sink, 10000), 2);
    char *log = ab_test_read (self->log);
    assert_non_null (strstr (log, "not HOST:PORT"));
    free (log);
}

int
main (void)
{
    curl_global_init (CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_metrics_add_up, ab_fixture_setup, ab_fixture_teardown),
        cmocka_unit_test_setup_teardown (test_metrics_bad_address, ab_fixture_setup, ab_fixture_teardown),
    };
    int rc = cmocka_run_group_tests (tests, NULL, NULL);
    curl_global_cleanup ();
    return rc;
}
