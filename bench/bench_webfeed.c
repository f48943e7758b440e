/*  =========================================================================
    bench_webfeed - how fast ab_webfeed hands deltas to many browser streams

    Build (from the repository root, after `make MODE=release`):

        cc -std=c11 -D_GNU_SOURCE -O2 -DNDEBUG -Itools/lib bench/bench_webfeed.c \
           build/release/libab.a -lpthread -o build/release/bench_webfeed

    Usage: bench_webfeed [readers ...]     (default 1 8 64)

    First the writer's cost alone: 200000 deltas of 2 KB (about an item in
    a DELTA) published with no reader, as the Clone thread of allybrief-web
    does (it never waits for readers).  Then, per reader count, the writer
    publishes for 5 s at a steady 20000 deltas/s (env BENCH_RATE; 40 MB/s,
    far above the rate of real news) while each reader thread drains its
    stream with 4 KB reads (the HTTP server's block size).  Prints how
    many readers kept up and how many the 1024-delta ring overtook (they
    would be disconnected and resume).  Speed figures only, not a test.
    =========================================================================
*/
#include "ab_webfeed.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DELTAS 200000
#define DELTA_BYTES 2048
#define HISTORY 1024

typedef struct {
    ab_webfeed_reader_t *reader;
    unsigned long long bytes;
    unsigned long long events;
    int behind;
} reader_run_t;

static double
s_now (void)
{
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    return (double) now.tv_sec + (double) now.tv_nsec / 1e9;
}

static void *
s_reader (void *args)
{
    reader_run_t *run = args;
    char buffer [4096];
    while (true) {
        ssize_t size = ab_webfeed_reader_read (run->reader, buffer, sizeof buffer, 1000);
        if (size == AB_WEBFEED_BEHIND)
            run->behind = 1;
        if (size < 0)
            break;
        run->bytes += (unsigned long long) size;
        for (ssize_t index = 0; index + 1 < size; index++)
            run->events += buffer [index] == 'i' && buffer [index + 1] == 'd' && (index == 0 || buffer [index - 1] == '\n');
    }
    return NULL;
}

static void
s_pause_until (double when)
{
    double left = when - s_now ();
    if (left > 0) {
        struct timespec pause = { (time_t) left, (long) ((left - (double) (time_t) left) * 1e9) };
        nanosleep (&pause, NULL);
    }
}

static void
s_bench_publish (void)
{
    ab_webfeed_t *feed = ab_webfeed_new (HISTORY);
    ab_webfeed_publish_snapshot (feed, 0, "{}", true);
    char *delta = malloc (DELTA_BYTES + 1);
    memset (delta, 'x', DELTA_BYTES);
    delta [DELTA_BYTES] = 0;
    double start = s_now ();
    for (uint64_t seq = 1; seq <= DELTAS; seq++)
        ab_webfeed_publish_delta (feed, seq, delta);
    double elapsed = s_now () - start;
    printf ("publish alone: %.0f deltas/s (%.2f us per 2 KB delta)\n", DELTAS / elapsed, elapsed / DELTAS * 1e6);
    free (delta);
    ab_webfeed_destroy (&feed);
}

static void
s_bench (int readers)
{
    const char *rate_env = getenv ("BENCH_RATE");
    const int rate = rate_env? atoi (rate_env): 20000, deltas = rate * 5, batch = rate >= 1000? rate / 1000: 1;
    ab_webfeed_t *feed = ab_webfeed_new (HISTORY);
    ab_webfeed_publish_snapshot (feed, 0, "{}", true);
    reader_run_t *runs = calloc ((size_t) readers, sizeof *runs);
    pthread_t *threads = calloc ((size_t) readers, sizeof *threads);
    for (int index = 0; index < readers; index++) {
        runs [index].reader = ab_webfeed_reader_new (feed, true, 0);
        pthread_create (&threads [index], NULL, s_reader, &runs [index]);
    }
    char *delta = malloc (DELTA_BYTES + 1);
    memset (delta, 'x', DELTA_BYTES);
    delta [DELTA_BYTES] = 0;
    double start = s_now ();
    for (int seq = 1; seq <= deltas; seq++) {
        ab_webfeed_publish_delta (feed, (uint64_t) seq, delta);
        if (seq % batch == 0)
            s_pause_until (start + (double) seq / rate);
    }
    //  Let readers that kept up drain the ring (bounded), then stop them
    for (int wait = 0; wait < 200; wait++) {
        int busy = 0;
        for (int index = 0; index < readers; index++)
            busy += !runs [index].behind && runs [index].events < (unsigned long long) deltas;
        if (!busy)
            break;
        s_pause_until (s_now () + 0.01);
    }
    ab_webfeed_stop (feed);
    int behind = 0;
    for (int index = 0; index < readers; index++) {
        pthread_join (threads [index], NULL);
        behind += runs [index].behind;
        ab_webfeed_reader_destroy (&runs [index].reader);
    }
    printf ("%4d readers at %d deltas/s (%.0f MB/s each): kept up %d, overtaken %d\n",
            readers, rate, rate * (double) DELTA_BYTES / 1e6, readers - behind, behind);
    free (delta);
    free (runs);
    free (threads);
    ab_webfeed_destroy (&feed);
}

int
main (int argc, char *argv [])
{
    int defaults [] = { 1, 8, 64 };
    s_bench_publish ();
    if (argc > 1)
        for (int index = 1; index < argc; index++)
            s_bench (atoi (argv [index]));
    else
        for (size_t index = 0; index < 3; index++)
            s_bench (defaults [index]);
    return 0;
}
