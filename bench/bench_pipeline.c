/*  =========================================================================
    bench_pipeline - end-to-end throughput and latency of the real programs

    Starts the producer given after "--" (an allybrief-producer command line
    with --stdin --exit-when-done) with its standard input on a pipe, and
    subscribes to the sink's PUB endpoint (-p).  Sink and workers are
    already running (bench/run.sh starts them); the sink must be fresh, as
    it publishes nothing for articles it already has.  It then:

    1.  waits for the sink's first HEARTBEAT (the subscription is live),
        writes one warm-up article (a whole demo article) and waits for its
        DELTA, so that start-up and connecting are not timed;
    2.  writes articles 0 .. N-1 of the bench stream (bench_corpus_article,
        the messages bench_zmq_raw sends) as JSON Lines:
        -r 0      as fast as the producer takes them; the figure is N over
                  the time from the first write to the producer's exit,
                  which --exit-when-done makes the moment the last article
                  is acked, i.e. merged, stored and its DELTA published;
        -r RATE   at RATE articles/s on a fixed schedule; the latency of an
                  article is from just before its line is written to the
                  first DELTA whose briefing summary counts it.

    How a DELTA is mapped to articles: each DELTA carries the summary after
    its batch, whose "articles" counts the distinct articles merged.  With
    one worker articles are merged in the order written, so article j is in
    the briefing once "articles" >= W + j + 1, W the count in the warm-up's
    DELTA.  An
    article without claims publishes nothing; it is counted at the next
    DELTA, which can only make its latency look longer.  With two workers
    the order is not kept: use -r with one worker.

    Usage: bench_pipeline [-s SAMPLES] [-n COUNT] [-r RATE] [-l LABEL]
                          [-t TIMEOUT_S] -p PUB_ENDPOINT -- PRODUCER ARGS...
    Prints lines and FIGURE lines (also the producer's CPU seconds) for
    bench/run.sh; exits 1 if the run did not finish within the timeout.
    =========================================================================
*/
#include "bench_corpus.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define USAGE "usage: bench_pipeline [-s samples_dir] [-n count] [-r rate] [-l label] " \
              "[-t timeout_s] -p pub_endpoint -- producer args...\n"
#define WARMUP_TIMEOUT_MS 30000
//  Time for the last DELTAs to reach the subscriber after the producer's
//  exit (they are published before the acks that let it exit)
#define DRAIN_MS 300

typedef struct {
    double time;                //  bench_now () when the DELTA arrived
    uint64_t articles;          //  the summary's article count
} delta_event_t;

typedef struct {
    const char *endpoint;
    delta_event_t *events;      //  grows; read by main after the actor ends
    size_t event_count;
    size_t event_capacity;
    uint64_t deltas;
    bool failed;
} subscriber_t;

//  Record every DELTA that raises the article count.  Signal after the
//  first message of any kind (the sink's HEARTBEAT, once a second, shows
//  the subscription is live: a DELTA published before would be lost), and
//  after the first DELTA (the warm-up arrived)
static void
s_subscriber (zsock_t *pipe, void *args)
{
    subscriber_t *self = (subscriber_t *) args;
    zsock_t *sub = zsock_new_sub (self->endpoint, "");
    zsock_signal (pipe, 0);
    if (!sub) {
        self->failed = true;
        zmsg_t *term = zmsg_recv (pipe);
        zmsg_destroy (&term);
        return;
    }
    zpoller_t *poller = zpoller_new (pipe, sub, NULL);
    uint64_t highest = 0;
    bool live = false;
    while (poller) {
        zsock_t *which = (zsock_t *) zpoller_wait (poller, -1);
        if (which != sub)
            break;              //  $TERM, or interrupted
        zmsg_t *msg = zmsg_recv (sub);
        double now = bench_now ();
        if (msg && !live) {
            live = true;
            zsock_signal (pipe, 0);
        }
        if (!msg || ab_msg_pub_command (msg) != AB_CMD_DELTA) {
            zmsg_destroy (&msg);
            continue;
        }
        ab_proto_error_t error;
        ab_delta_t *delta = ab_delta_decode (msg, &error);
        zmsg_destroy (&msg);
        if (!delta)
            continue;
        if (self->deltas++ == 0)
            zsock_signal (pipe, 0);
        json_t *articles = delta->summary? json_object_get (delta->summary, "articles"): NULL;
        uint64_t count = json_is_integer (articles)? (uint64_t) json_integer_value (articles): 0;
        ab_delta_destroy (&delta);
        if (count <= highest)
            continue;
        highest = count;
        if (self->event_count == self->event_capacity) {
            size_t capacity = self->event_capacity? self->event_capacity * 2: 4096;
            delta_event_t *grown = realloc (self->events, capacity * sizeof *grown);
            if (!grown) {
                self->failed = true;
                break;
            }
            self->events = grown;
            self->event_capacity = capacity;
        }
        self->events [self->event_count++] = (delta_event_t) { now, count };
    }
    zpoller_destroy (&poller);
    zsock_destroy (&sub);
    if (self->failed) {
        zmsg_t *term = zmsg_recv (pipe);
        zmsg_destroy (&term);
    }
}

//  Write the whole line and a newline; false if the producer is gone
static bool
s_write_line (int fd, const char *line)
{
    size_t size = strlen (line);
    struct { const char *base; size_t size; } parts [2] = { { line, size }, { "\n", 1 } };
    for (int p = 0; p < 2; p++) {
        size_t done = 0;
        while (done < parts [p].size) {
            ssize_t wrote = write (fd, parts [p].base + done, parts [p].size - done);
            if (wrote < 0 && errno == EINTR)
                continue;
            if (wrote <= 0)
                return false;
            done += (size_t) wrote;
        }
    }
    return true;
}

static void
s_sleep_until (double when)
{
    struct timespec at = { (time_t) when, (long) ((when - floor (when)) * 1e9) };
    while (clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR)
        ;
}

//  Wait for the producer to exit, at most until deadline; returns the
//  moment it was seen to exit, or -1 (then it has been killed).  Sets
//  *cpu_s to its CPU time (user + system).
static double
s_wait_exit (pid_t pid, double deadline, int *status, double *cpu_s)
{
    struct rusage usage;
    double exited = -1;
    while (bench_now () < deadline && exited < 0) {
        if (wait4 (pid, status, WNOHANG, &usage) == pid)
            exited = bench_now ();
        else
            usleep (2000);
    }
    if (exited < 0) {
        kill (pid, SIGTERM);
        wait4 (pid, status, 0, &usage);
    }
    *cpu_s = (double) usage.ru_utime.tv_sec + (double) usage.ru_utime.tv_usec / 1e6
           + (double) usage.ru_stime.tv_sec + (double) usage.ru_stime.tv_usec / 1e6;
    return exited;
}

static int
s_compare_doubles (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

static void
s_figure (const char *label, const char *what, double value)
{
    char name [128];
    snprintf (name, sizeof name, "%s_%s", label, what);
    bench_figure (name, value);
}

//  Latency of article j: first event counting it, minus its write time.
//  Returns how many articles were seen.
static size_t
s_report_latency (const char *label, const subscriber_t *subscriber, const double *written,
                  size_t count, double rate, double span)
{
    double *latencies = malloc ((count? count: 1) * sizeof *latencies);
    if (!latencies)
        return 0;
    //  The first event is the warm-up's: it gives the count before the run
    //  (a sink that is not fresh already has articles)
    uint64_t base = subscriber->event_count? subscriber->events [0].articles: 0;
    size_t matched = 0, event = 0;
    for (size_t j = 0; j < count; j++) {
        while (event < subscriber->event_count && subscriber->events [event].articles < base + j + 1)
            event++;
        if (event == subscriber->event_count)
            break;
        latencies [matched++] = (subscriber->events [event].time - written [j]) * 1e3;
    }
    qsort (latencies, matched, sizeof *latencies, s_compare_doubles);
    if (matched) {
        double p50 = latencies [(size_t) (0.50 * (double) (matched - 1))];
        double p99 = latencies [(size_t) (0.99 * (double) (matched - 1))];
        double max = latencies [matched - 1];
        printf ("%s: %zu articles offered at %.0f/s (achieved %.0f/s), %zu seen in DELTAs: "
                "latency p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", label, count, rate,
                (double) count / span, matched, p50, p99, max);
        s_figure (label, "p50_ms", p50);
        s_figure (label, "p99_ms", p99);
        s_figure (label, "max_ms", max);
        s_figure (label, "offered_aps", (double) count / span);
    }
    s_figure (label, "unseen", (double) (count - matched));
    free (latencies);
    return matched;
}

int
main (int argc, char **argv)
{
    const char *samples = "samples";
    const char *label = "pipeline";
    const char *pub = NULL;
    long count = 20000;
    double rate = 0, timeout_s = 120;
    int opt;
    while ((opt = getopt (argc, argv, "+s:n:r:l:t:p:h")) != -1) {
        switch (opt) {
            case 's': samples = optarg; break;
            case 'n': count = atol (optarg); break;
            case 'r': rate = atof (optarg); break;
            case 'l': label = optarg; break;
            case 't': timeout_s = atof (optarg); break;
            case 'p': pub = optarg; break;
            case 'h': printf (USAGE); return 0;
            default: fprintf (stderr, USAGE); return 2;
        }
    }
    if (!pub || optind >= argc || count < 1 || rate < 0 || timeout_s <= 0) {
        fprintf (stderr, USAGE);
        return 2;
    }
    zsys_init ();
    signal (SIGPIPE, SIG_IGN);
    char err [512] = "";
    bench_corpus_t *corpus = bench_corpus_new (samples, 0, err, sizeof err);
    char **lines = corpus? calloc ((size_t) count, sizeof *lines): NULL;
    double *written = lines? calloc ((size_t) count, sizeof *written): NULL;
    //  A warm-up id of its own per run: a sink that already has it would
    //  publish nothing for it
    char warmup_id [17];
    snprintf (warmup_id, sizeof warmup_id, "a%015llx",
              (unsigned long long) (zclock_time () & 0xfffffffffffffULL));
    char *warmup = written? bench_article_json (bench_corpus_sample (corpus, 0), warmup_id): NULL;
    for (long n = 0; warmup && n < count; n++)
        if (!(lines [n] = bench_corpus_article_json (corpus, (uint64_t) n))) {
            free (warmup);
            warmup = NULL;
        }
    if (!warmup) {
        fprintf (stderr, "bench_pipeline: %s\n", *err? err: "out of memory");
        return 1;
    }
    subscriber_t subscriber = { .endpoint = pub };
    zactor_t *actor = zactor_new (s_subscriber, &subscriber);
    int to_producer [2];
    if (!actor || pipe (to_producer) != 0) {
        fprintf (stderr, "bench_pipeline: cannot start: %s\n", strerror (errno));
        return 1;
    }
    pid_t producer = fork ();
    if (producer == 0) {
        dup2 (to_producer [0], 0);
        close (to_producer [0]);
        close (to_producer [1]);
        execvp (argv [optind], argv + optind);
        fprintf (stderr, "bench_pipeline: cannot run %s: %s\n", argv [optind], strerror (errno));
        _exit (127);
    }
    close (to_producer [0]);
    int rc = 1;
    int status = 0;
    double producer_cpu = 0;
    double deadline = bench_now () + timeout_s;
    zpoller_t *poller = zpoller_new (actor, NULL);
    int warmup_ms = timeout_s * 1000 < WARMUP_TIMEOUT_MS? (int) (timeout_s * 1000): WARMUP_TIMEOUT_MS;
    bool subscribed = producer > 0
                   && zpoller_wait (poller, warmup_ms) == actor && zsock_wait (actor) == 0;
    if (!subscribed || !s_write_line (to_producer [1], warmup)
    ||  zpoller_wait (poller, warmup_ms) != actor || zsock_wait (actor) != 0) {
        fprintf (stderr, "bench_pipeline: %s: %s within %.1f s\n", label,
                 subscribed? "no DELTA for the warm-up article": "nothing from the sink on its PUB endpoint",
                 warmup_ms / 1000.0);
        close (to_producer [1]);
        if (producer > 0)
            s_wait_exit (producer, bench_now () + 5, &status, &producer_cpu);
    }
    else {
        double start = bench_now ();
        long n = 0;
        for (; n < count && bench_now () < deadline; n++) {
            if (rate > 0)
                s_sleep_until (start + (double) n / rate);
            written [n] = bench_now ();
            if (!s_write_line (to_producer [1], lines [n]))
                break;
        }
        double span = bench_now () - start;
        close (to_producer [1]);
        double done = s_wait_exit (producer, deadline, &status, &producer_cpu);
        zclock_sleep (DRAIN_MS);
        if (n < count || done < 0 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
            fprintf (stderr, "bench_pipeline: %s: the producer %s after %ld of %ld articles\n", label,
                     done < 0? "did not finish in time": "failed", n, count);
        else {
            zactor_destroy (&actor);        //  joins the subscriber: events complete
            rc = subscriber.failed? 1: 0;
            s_figure (label, "producer_cpu_s", producer_cpu);
            if (rate > 0) {
                if (s_report_latency (label, &subscriber, written, (size_t) count, rate, span) == 0) {
                    fprintf (stderr, "bench_pipeline: %s: no DELTA counted any article; the sink "
                             "must be fresh (it publishes nothing for articles it already has)\n", label);
                    rc = 1;
                }
            }
            else {
                printf ("%s: %ld articles in %.3f s: %.0f articles/s (%" PRIu64 " DELTAs)\n",
                        label, count, done - start, (double) count / (done - start), subscriber.deltas);
                s_figure (label, "aps", (double) count / (done - start));
            }
        }
    }
    zpoller_destroy (&poller);
    zactor_destroy (&actor);
    free (subscriber.events);
    for (long n = 0; n < count; n++)
        free (lines [n]);
    free (lines);
    free (written);
    free (warmup);
    bench_corpus_destroy (&corpus);
    return rc;
}
