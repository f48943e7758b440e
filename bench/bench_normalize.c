/*  =========================================================================
    bench_normalize - normalization throughput on one core, next to memcpy
    of the same bytes and ICU uconv -x '::NFKC;' on the same corpus

    Builds the corpus from the demo articles (bench_corpus, at least -m MB),
    writes it to CORPUS_FILE so that uconv reads exactly those bytes, then
    times on one pinned core, in CPU time of the thread:

        memcpy          each body into one reused buffer (the ceiling: it
                        reads the corpus once, as ab_normalize does)
        ab_normalize    each body into one reused ab_doc_t
        ab_normalize    an ASCII-only copy of the corpus (the fast path)
        uconv           a child process over the corpus file, its user +
                        system CPU time from wait4

    Each figure is the best of ROUNDS rounds (default 3).

    Usage: bench_normalize [-s SAMPLES] [-r RULES] [-m MB] [-u UCONV] [-n ROUNDS] CORPUS_FILE
    Prints a human table and FIGURE lines for bench/run.sh.
    =========================================================================
*/
#include "bench_corpus.h"
#include "ab_normalize.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define USAGE "usage: bench_normalize [-s samples_dir] [-r rules_dir] [-m MB] [-u uconv] [-n rounds] corpus_file\n"

//  Normalize every text once; returns CPU seconds
static double
s_run (const ab_normalizer_t *normalizer, ab_doc_t *doc, const bench_text_t *texts, size_t count,
       uint64_t *checksum)
{
    double start = bench_cpu_now ();
    for (size_t i = 0; i < count; i++) {
        if (ab_normalize (normalizer, texts [i].body, texts [i].size, doc) != 0) {
            fprintf (stderr, "bench_normalize: out of memory\n");
            exit (1);
        }
        *checksum += doc->size + doc->fingerprint;
    }
    return bench_cpu_now () - start;
}

//  Run uconv -x '::NFKC;' over the file; CPU seconds (user + system) of
//  the child, or -1 if it could not run or failed
static double
s_time_uconv (const char *uconv, const char *corpus_file)
{
    pid_t pid = fork ();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int in = open (corpus_file, O_RDONLY);
        int out = open ("/dev/null", O_WRONLY);
        if (in < 0 || out < 0 || dup2 (in, 0) < 0 || dup2 (out, 1) < 0)
            _exit (127);
        execlp (uconv, uconv, "-f", "utf-8", "-t", "utf-8", "-x", "::NFKC;", (char *) NULL);
        _exit (127);
    }
    int status = 0;
    struct rusage usage;
    if (wait4 (pid, &status, 0, &usage) != pid || !WIFEXITED (status) || WEXITSTATUS (status) != 0) {
        fprintf (stderr, "bench_normalize: %s failed (status %d)\n", uconv, status);
        return -1;
    }
    return (double) usage.ru_utime.tv_sec + (double) usage.ru_utime.tv_usec / 1e6
         + (double) usage.ru_stime.tv_sec + (double) usage.ru_stime.tv_usec / 1e6;
}

int
main (int argc, char **argv)
{
    const char *samples = "samples";
    const char *rules = "workers/rules";
    const char *uconv = "uconv";
    double megabytes = 52;
    int opt;
    int rounds = 3;
    while ((opt = getopt (argc, argv, "s:r:m:u:n:h")) != -1) {
        switch (opt) {
            case 's': samples = optarg; break;
            case 'r': rules = optarg; break;
            case 'm': megabytes = atof (optarg); break;
            case 'u': uconv = optarg; break;
            case 'n': rounds = atoi (optarg); break;
            case 'h': printf (USAGE); return 0;
            default: fprintf (stderr, USAGE); return 2;
        }
    }
    if (optind != argc - 1 || megabytes <= 0 || rounds < 1) {
        fprintf (stderr, USAGE);
        return 2;
    }
    const char *corpus_file = argv [optind];
    bench_pin_one_core ("bench_normalize");

    char err [512] = "";
    bench_corpus_t *corpus = bench_corpus_new (samples, (size_t) (megabytes * 1e6), err, sizeof err);
    ab_normalizer_t *normalizer = corpus? ab_normalizer_new (rules, err, sizeof err): NULL;
    if (!normalizer || bench_corpus_write_text (corpus, corpus_file, err, sizeof err) != 0) {
        fprintf (stderr, "bench_normalize: %s\n", err);
        ab_normalizer_destroy (&normalizer);
        bench_corpus_destroy (&corpus);
        return 1;
    }
    size_t count;
    const bench_text_t *texts = bench_corpus_texts (corpus, &count);
    size_t total = bench_corpus_bytes (corpus);

    //  The ASCII copy: every non-ASCII byte replaced, the same layout
    size_t largest = 0;
    for (size_t i = 0; i < count; i++)
        if (texts [i].size > largest)
            largest = texts [i].size;
    char *ascii = malloc (total);
    bench_text_t *ascii_texts = malloc (count * sizeof *ascii_texts);
    char *copy = calloc (1, largest + 1);
    if (!ascii || !ascii_texts || !copy) {
        fprintf (stderr, "bench_normalize: out of memory\n");
        return 1;
    }
    size_t at = 0;
    for (size_t i = 0; i < count; i++) {
        for (size_t b = 0; b < texts [i].size; b++)
            ascii [at + b] = (unsigned char) texts [i].body [b] >= 0x80? 'x': texts [i].body [b];
        ascii_texts [i] = (bench_text_t) { ascii + at, texts [i].size, texts [i].sample };
        at += texts [i].size;
    }
    ab_doc_t *doc = ab_doc_new ();
    if (!doc) {
        fprintf (stderr, "bench_normalize: out of memory\n");
        return 1;
    }
    uint64_t checksum = 0;
    s_run (normalizer, doc, texts, count < 2000? count: 2000, &checksum);     //  warm up

    double memcpy_s = 0, normalize_s = 0, ascii_s = 0, uconv_s = 0;
    for (int round = 0; round < rounds; round++) {
        double start = bench_cpu_now ();
        for (size_t i = 0; i < count; i++) {
            memcpy (copy, texts [i].body, texts [i].size);
            //  Read the copy, so the compiler cannot drop the memcpy
            checksum += (unsigned char) copy [texts [i].size / 2];
        }
        bench_keep_best (&memcpy_s, bench_cpu_now () - start, round);
        bench_keep_best (&normalize_s, s_run (normalizer, doc, texts, count, &checksum), round);
        bench_keep_best (&ascii_s, s_run (normalizer, doc, ascii_texts, count, &checksum), round);
        double seconds = s_time_uconv (uconv, corpus_file);
        if (seconds <= 0)
            uconv_s = -1;
        else
        if (uconv_s >= 0)
            bench_keep_best (&uconv_s, seconds, round);
    }

    double mb = (double) total / 1e6;
    printf ("corpus: %zu articles from %zu demo articles, %.1f MB (%.0f bytes each), "
            "CPU time of one core, best of %d rounds\n", count, bench_corpus_sample_count (corpus),
            mb, (double) total / (double) count, rounds);
    printf ("%-28s %10s %14s\n", "", "MB/s", "articles/s");
    printf ("%-28s %10.0f %14.0f\n", "memcpy", mb / memcpy_s, (double) count / memcpy_s);
    printf ("%-28s %10.0f %14.0f\n", "ab_normalize", mb / normalize_s, (double) count / normalize_s);
    printf ("%-28s %10.0f %14.0f\n", "ab_normalize (ASCII copy)", mb / ascii_s, (double) count / ascii_s);
    if (uconv_s > 0)
        printf ("%-28s %10.1f %14s\n", "uconv -x '::NFKC;'", mb / uconv_s, "-");
    fprintf (stderr, "checksum %llx\n", (unsigned long long) checksum);
    bench_figure ("corpus_mb", mb);
    bench_figure ("corpus_articles", (double) count);
    bench_figure ("memcpy_mbps", mb / memcpy_s);
    bench_figure ("normalize_mbps", mb / normalize_s);
    bench_figure ("normalize_ascii_mbps", mb / ascii_s);
    if (uconv_s > 0)
        bench_figure ("uconv_mbps", mb / uconv_s);

    ab_doc_destroy (&doc);
    ab_normalizer_destroy (&normalizer);
    bench_corpus_destroy (&corpus);
    free (ascii);
    free (ascii_texts);
    free (copy);
    return uconv_s > 0? 0: 1;
}
