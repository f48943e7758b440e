/*  =========================================================================
    bench_extract - throughput of the worker's stages on one core

    Builds a corpus of at least 50 MB by repeating the given article files
    (each copy in its own place in memory, so the text is not all hot in
    cache), then times, article by article on one pinned core:

        normalize only          ab_normalize into a reused ab_doc_t
        normalize + extract     the same, then ab_extract into a new result

    and prints MB/s of raw input for both, then the time inside ab_extract
    alone (a third pass, timed around each call, so that the second pass
    reads no clocks inside its loop), and claims per article.

    Build and run from the repository root:

        make MODE=release build/release/libab.a
        cc -std=c11 -D_GNU_SOURCE -O2 -march=native -DNDEBUG -Icommon -Iproto \
           -Iworkers/normalize -Iworkers/extract $(pkg-config --cflags libczmq jansson) \
           bench/bench_extract.c build/release/libab.a \
           $(pkg-config --libs libczmq libzmq msgpack jansson libutf8proc libpcre2-8) -lm \
           -o build/release/bench_extract
        build/release/bench_extract ../shared/seeds/0*.txt

    Arguments: article files (default: ../shared/seeds/00[0-4]*.txt).
    Options: -m MB corpus size (default 52), -r DIR rules (workers/rules),
    -p DATE published date for relative dates (2024-03-25), -w time by the
    wall clock instead of the thread's CPU time.
    =========================================================================
*/
#include "ab_extract.h"
#include "ab_file.h"

#include <glob.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    const char *data;
    size_t size;
} s_article_t;

//  CPU time of this thread: on a shared machine the wall clock also
//  counts the time other processes had the core.  (-w uses the wall clock.)
static bool s_wall = false;

static double
s_now (void)
{
    struct timespec ts;
    clock_gettime (s_wall ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main (int argc, char **argv)
{
    const char *rules = "workers/rules";
    const char *published = "2024-03-25";
    double megabytes = 52;
    int opt;
    while ((opt = getopt (argc, argv, "m:r:p:w")) != -1) {
        if (opt == 'w')
            s_wall = true;
        else
        if (opt == 'm')
            megabytes = atof (optarg);
        else
        if (opt == 'r')
            rules = optarg;
        else
        if (opt == 'p')
            published = optarg;
        else {
            fprintf (stderr, "usage: %s [-w] [-m MB] [-r rules_dir] [-p published] files...\n",
                     argv [0]);
            return 2;
        }
    }
    glob_t found = { 0 };
    char **files = argv + optind;
    int nfiles = argc - optind;
    if (nfiles == 0) {
        if (glob ("../shared/seeds/00[0-4]*.txt", 0, NULL, &found) != 0) {
            fprintf (stderr, "no files given and no ../shared/seeds articles found\n");
            return 2;
        }
        files = found.gl_pathv;
        nfiles = (int) found.gl_pathc;
    }
    //  One core: the figures are per core, the worker scales by processes
    cpu_set_t cpus;
    CPU_ZERO (&cpus);
    CPU_SET (0, &cpus);
    if (sched_setaffinity (0, sizeof (cpus), &cpus) != 0)
        fprintf (stderr, "note: could not pin to CPU 0\n");

    char err [512] = "";
    ab_normalizer_t *normalizer = ab_normalizer_new (rules, err, sizeof (err));
    if (!normalizer) {
        fprintf (stderr, "normalizer: %s\n", err);
        return 1;
    }
    ab_extractor_t *extractor = ab_extractor_new (rules, err, sizeof (err));
    if (!extractor) {
        fprintf (stderr, "extractor: %s\n", err);
        return 1;
    }
    //  The inputs, then the corpus: copies laid end to end in one buffer
    char **inputs = calloc ((size_t) nfiles, sizeof (char *));
    size_t *sizes = calloc ((size_t) nfiles, sizeof (size_t));
    size_t input_total = 0;
    for (int i = 0; i < nfiles; i++) {
        inputs [i] = ab_file_read (files [i], 16u << 20, &sizes [i], err, sizeof (err));
        if (!inputs [i]) {
            fprintf (stderr, "%s\n", err);
            return 1;
        }
        input_total += sizes [i];
    }
    size_t target = (size_t) (megabytes * 1e6);
    size_t copies = (target + input_total - 1) / input_total;
    size_t count = copies * (size_t) nfiles;
    char *corpus = malloc (copies * input_total);
    s_article_t *articles = calloc (count, sizeof (s_article_t));
    if (!corpus || !articles) {
        fprintf (stderr, "out of memory\n");
        return 1;
    }
    size_t offset = 0, total = 0;
    for (size_t c = 0; c < copies; c++)
        for (int i = 0; i < nfiles; i++) {
            memcpy (corpus + offset, inputs [i], sizes [i]);
            articles [c * (size_t) nfiles + (size_t) i].data = corpus + offset;
            articles [c * (size_t) nfiles + (size_t) i].size = sizes [i];
            offset += sizes [i];
            total += sizes [i];
        }
    printf ("corpus: %d files x %zu copies = %zu articles, %.1f MB (%.0f bytes per article), "
            "%s time\n", nfiles, copies, count, total / 1e6, (double) total / (double) count,
            s_wall ? "wall" : "CPU");

    ab_doc_t *doc = ab_doc_new ();
    //  Warm up: page in the corpus, size the doc's buffers
    for (size_t i = 0; i < count && i < 64; i++)
        ab_normalize (normalizer, articles [i].data, articles [i].size, doc);

    double start = s_now ();
    for (size_t i = 0; i < count; i++)
        if (ab_normalize (normalizer, articles [i].data, articles [i].size, doc) != 0) {
            fprintf (stderr, "normalize failed\n");
            return 1;
        }
    double normalize_s = s_now () - start;

    //  Both stages back to back, as a worker runs them: no clock reads
    //  inside the loop (a thread CPU clock read is a system call, which
    //  would be counted as the stages' time)
    long claims = 0;
    start = s_now ();
    for (size_t i = 0; i < count; i++) {
        if (ab_normalize (normalizer, articles [i].data, articles [i].size, doc) != 0) {
            fprintf (stderr, "normalize failed\n");
            return 1;
        }
        ab_result_t *result = ab_result_new ();
        int n = result ? ab_extract (extractor, doc, published, result) : -1;
        if (n < 0) {
            fprintf (stderr, "extract failed\n");
            return 1;
        }
        claims += n;
        ab_result_destroy (&result);
    }
    double both_s = s_now () - start;

    //  Extraction alone: the same again, timed around each ab_extract call
    //  (the clock reads cost a little of this figure, not of the one above)
    double extract_s = 0;
    for (size_t i = 0; i < count; i++) {
        if (ab_normalize (normalizer, articles [i].data, articles [i].size, doc) != 0) {
            fprintf (stderr, "normalize failed\n");
            return 1;
        }
        ab_result_t *result = ab_result_new ();
        double before = s_now ();
        int n = result ? ab_extract (extractor, doc, published, result) : -1;
        extract_s += s_now () - before;
        if (n < 0) {
            fprintf (stderr, "extract failed\n");
            return 1;
        }
        ab_result_destroy (&result);
    }

    double mb = total / 1e6;
    printf ("normalize only        %8.1f MB/s  %6.2f us/article\n",
            mb / normalize_s, normalize_s * 1e6 / (double) count);
    printf ("normalize + extract   %8.1f MB/s  %6.2f us/article  (with result alloc/free)\n",
            mb / both_s, both_s * 1e6 / (double) count);
    //  The difference of the two lines above also counts the result's
    //  allocation and the normalizer's cache misses after extraction
    if (extract_s > 0)
        printf ("extract alone         %8.1f MB/s  %6.2f us/article\n",
                mb / extract_s, extract_s * 1e6 / (double) count);
    printf ("claims                %8.2f per article\n", (double) claims / (double) count);

    ab_doc_destroy (&doc);
    ab_extractor_destroy (&extractor);
    ab_normalizer_destroy (&normalizer);
    for (int i = 0; i < nfiles; i++)
        free (inputs [i]);
    free (inputs);
    free (sizes);
    free (corpus);
    free (articles);
    globfree (&found);
    return 0;
}
