/*  =========================================================================
    bench_extract - throughput of the worker's stages on one core

    On the corpus of the demo articles (bench_corpus, at least -m MB), times
    article by article on one pinned core, in CPU time of the thread:

        normalize only          ab_normalize into a reused ab_doc_t
        normalize + extract     the same, then ab_extract into a new result
        extract alone           the time inside the ab_extract calls
        worker                  what allybrief-worker does per article
                                between receiving and sending: a result
                                with the article's metadata, normalize,
                                extract, encode the RESULT message

    MB/s are of raw input bytes (the same bytes for every line), except
    "extract alone", whose MB/s are of normalized text, the extractor's
    input.

    Each figure is the best of ROUNDS rounds (default 3): other work on a
    shared machine can only slow a round down.

    Usage: bench_extract [-s SAMPLES] [-r RULES] [-m MB] [-n ROUNDS]
    Prints a human table and FIGURE lines for bench/run.sh.
    =========================================================================
*/
#include "bench_corpus.h"
#include "ab_extract.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define USAGE "usage: bench_extract [-s samples_dir] [-r rules_dir] [-m MB] [-n ROUNDS]\n"

typedef struct {
    const ab_normalizer_t *normalizer;
    const ab_extractor_t *extractor;
    ab_doc_t *doc;
    ab_article_t *article;      //  metadata holder, as the worker decodes it
} stages_t;

static void
s_fail (const char *what)
{
    fprintf (stderr, "bench_extract: %s\n", what);
    exit (1);
}

//  Normalize one article and extract its claims into a new result;
//  returns the claim count.  With inside, adds the seconds spent in
//  ab_extract alone to it (a clock read is a system call, so the pass that
//  times both stages together passes NULL and reads no clock here).
static int
s_normalize_extract (const stages_t *stages, const bench_text_t *text, double *inside)
{
    if (ab_normalize (stages->normalizer, text->body, text->size, stages->doc) != 0)
        s_fail ("normalize failed");
    ab_result_t *result = ab_result_new ();
    double before = inside ? bench_cpu_now () : 0;
    int found = result ? ab_extract (stages->extractor, stages->doc, text->sample->published, result) : -1;
    if (inside)
        *inside += bench_cpu_now () - before;
    if (found < 0)
        s_fail ("extract failed");
    ab_result_destroy (&result);
    return found;
}

//  One article through the worker's path; returns the RESULT's bytes
static size_t
s_worker_article (stages_t *stages, const bench_text_t *text)
{
    ab_result_t *result = ab_result_new ();
    if (!result || ab_result_set_article (result, text->sample) != 0)
        s_fail ("out of memory");
    if (ab_normalize (stages->normalizer, text->body, text->size, stages->doc) != 0)
        s_fail ("normalize failed");
    result->fingerprint = stages->doc->fingerprint;
    result->invalid_utf8 = stages->doc->invalid_utf8;
    result->homoglyphs = stages->doc->homoglyphs;
    result->boilerplate = stages->doc->boilerplate;
    result->sentences = stages->doc->sentence_count;
    result->text_size = (uint32_t) stages->doc->size;
    if (ab_extract (stages->extractor, stages->doc, text->sample->published, result) < 0)
        s_fail ("extract failed");
    zmsg_t *msg = ab_result_encode (result);
    if (!msg)
        s_fail ("encode failed");
    size_t bytes = zmsg_content_size (msg);
    zmsg_destroy (&msg);
    ab_result_destroy (&result);
    return bytes;
}

int
main (int argc, char **argv)
{
    const char *samples = "samples";
    const char *rules = "workers/rules";
    double megabytes = 52;
    int opt;
    int rounds = 3;
    while ((opt = getopt (argc, argv, "s:r:m:n:h")) != -1) {
        switch (opt) {
            case 's': samples = optarg; break;
            case 'r': rules = optarg; break;
            case 'm': megabytes = atof (optarg); break;
            case 'n': rounds = atoi (optarg); break;
            case 'h': printf (USAGE); return 0;
            default: fprintf (stderr, USAGE); return 2;
        }
    }
    if (optind != argc || megabytes <= 0 || rounds < 1) {
        fprintf (stderr, USAGE);
        return 2;
    }
    bench_pin_one_core ("bench_extract");

    char err [512] = "";
    bench_corpus_t *corpus = bench_corpus_new (samples, (size_t) (megabytes * 1e6), err, sizeof err);
    ab_normalizer_t *normalizer = corpus? ab_normalizer_new (rules, err, sizeof err): NULL;
    ab_extractor_t *extractor = normalizer? ab_extractor_new (rules, err, sizeof err): NULL;
    ab_doc_t *doc = extractor? ab_doc_new (): NULL;
    if (!doc) {
        fprintf (stderr, "bench_extract: %s\n", *err? err: "out of memory");
        ab_extractor_destroy (&extractor);
        ab_normalizer_destroy (&normalizer);
        bench_corpus_destroy (&corpus);
        return 1;
    }
    stages_t stages = { normalizer, extractor, doc, NULL };
    size_t count;
    const bench_text_t *texts = bench_corpus_texts (corpus, &count);
    double mb = (double) bench_corpus_bytes (corpus) / 1e6;

    for (size_t i = 0; i < count && i < 64; i++)        //  warm up
        s_worker_article (&stages, &texts [i]);

    //  Each figure is the best of several rounds: on a shared machine a
    //  round can be slowed by other work, never sped up
    double normalize_s = 0, both_s = 0, extract_s = 0, worker_s = 0;
    long claims = 0;
    double normalized_bytes = 0, result_bytes = 0;
    for (int round = 0; round < rounds; round++) {
        double start = bench_cpu_now ();
        for (size_t i = 0; i < count; i++)
            if (ab_normalize (normalizer, texts [i].body, texts [i].size, doc) != 0)
                s_fail ("normalize failed");
        bench_keep_best (&normalize_s, bench_cpu_now () - start, round);

        //  Both stages back to back, as a worker runs them, with no clock
        //  read inside the loop: a thread CPU clock read is a system call,
        //  which would be counted as the stages' time
        claims = 0;
        normalized_bytes = 0;
        start = bench_cpu_now ();
        for (size_t i = 0; i < count; i++) {
            claims += s_normalize_extract (&stages, &texts [i], NULL);
            normalized_bytes += (double) doc->size;
        }
        bench_keep_best (&both_s, bench_cpu_now () - start, round);

        //  Extract alone: a third pass, timed around each ab_extract call
        double inside = 0;
        for (size_t i = 0; i < count; i++)
            s_normalize_extract (&stages, &texts [i], &inside);
        bench_keep_best (&extract_s, inside, round);

        result_bytes = 0;
        start = bench_cpu_now ();
        for (size_t i = 0; i < count; i++)
            result_bytes += (double) s_worker_article (&stages, &texts [i]);
        bench_keep_best (&worker_s, bench_cpu_now () - start, round);
    }

    printf ("corpus: %zu articles, %.1f MB raw, %.1f MB normalized, CPU time of one core, "
            "best of %d rounds\n", count, mb, normalized_bytes / 1e6, rounds);
    printf ("normalize only        %8.1f MB/s  %6.2f us/article\n",
            mb / normalize_s, normalize_s * 1e6 / (double) count);
    printf ("normalize + extract   %8.1f MB/s  %6.2f us/article\n",
            mb / both_s, both_s * 1e6 / (double) count);
    printf ("extract alone         %8.1f MB/s  %6.2f us/article  (MB of normalized text)\n",
            normalized_bytes / 1e6 / extract_s, extract_s * 1e6 / (double) count);
    printf ("worker                %8.1f MB/s  %6.2f us/article  %.0f articles/s\n",
            mb / worker_s, worker_s * 1e6 / (double) count, (double) count / worker_s);
    printf ("claims %.2f per article, RESULT %.0f bytes per article\n",
            (double) claims / (double) count, result_bytes / (double) count);
    bench_figure ("stage_normalize_mbps", mb / normalize_s);
    bench_figure ("normalize_extract_mbps", mb / both_s);
    bench_figure ("extract_mbps", normalized_bytes / 1e6 / extract_s);
    bench_figure ("worker_mbps", mb / worker_s);
    bench_figure ("worker_aps", (double) count / worker_s);
    bench_figure ("claims_per_article", (double) claims / (double) count);

    ab_doc_destroy (&doc);
    ab_extractor_destroy (&extractor);
    ab_normalizer_destroy (&normalizer);
    bench_corpus_destroy (&corpus);
    return 0;
}
