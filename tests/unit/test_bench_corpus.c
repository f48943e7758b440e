/*  test_bench_corpus - the benchmarks' input is what the pipeline accepts

    `make bench` figures are only worth something if the corpus and the
    article stream are real input: bodies exactly as the producer parses the
    demo articles, stream articles the producer's intake accepts, with
    distinct ids, and not near-duplicates of each other (the sink would
    fold them into a few clusters and the pipeline figures would measure
    that instead).  Run from the repository root (samples/, workers/rules).
*/
#include "bench_corpus.h"
#include "ab_file.h"
#include "ab_intake.h"
#include "ab_normalize.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <unistd.h>

#define SAMPLES "samples"
#define RULES "workers/rules"
//  The sink's near-duplicate threshold (sink/BRIEFING-SCHEMA.md, "Copies")
#define COPY_DISTANCE 3

static void
test_corpus_repeats_the_demo_bodies (void **state)
{
    char err [256] = "";
    bench_corpus_t *corpus = bench_corpus_new (SAMPLES, 200000, err, sizeof err);
    assert_non_null (corpus);
    size_t samples = bench_corpus_sample_count (corpus);
    assert_true (samples >= 10);
    size_t count;
    const bench_text_t *texts = bench_corpus_texts (corpus, &count);
    assert_true (bench_corpus_bytes (corpus) >= 200000);
    assert_int_equal (count % samples, 0);
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        const ab_article_t *sample = bench_corpus_sample (corpus, i % samples);
        assert_ptr_equal (texts [i].sample, sample);
        assert_int_equal (texts [i].size, sample->body_size);
        assert_memory_equal (texts [i].body, sample->body, sample->body_size);
        //  Laid end to end: each copy in its own place
        if (i)
            assert_ptr_equal (texts [i].body, texts [i - 1].body + texts [i - 1].size);
        total += texts [i].size;
    }
    assert_int_equal (total, bench_corpus_bytes (corpus));
    assert_null (bench_corpus_sample (corpus, samples));
    bench_corpus_destroy (&corpus);
    assert_null (corpus);
    bench_corpus_destroy (&corpus);         //  NULL is fine
}

static void
test_corpus_written_file_holds_the_same_bytes (void **state)
{
    char err [256] = "";
    bench_corpus_t *corpus = bench_corpus_new (SAMPLES, 50000, err, sizeof err);
    assert_non_null (corpus);
    char path [] = "/tmp/test_bench_corpus.XXXXXX";
    int fd = mkstemp (path);
    assert_true (fd >= 0);
    close (fd);
    assert_int_equal (bench_corpus_write_text (corpus, path, err, sizeof err), 0);
    size_t size;
    char *data = ab_file_read (path, 1u << 24, &size, err, sizeof err);
    assert_non_null (data);
    size_t count;
    const bench_text_t *texts = bench_corpus_texts (corpus, &count);
    assert_int_equal (size, bench_corpus_bytes (corpus));
    assert_memory_equal (data, texts [0].body, size);
    free (data);
    unlink (path);
    bench_corpus_destroy (&corpus);
}

static void
test_stream_articles_pass_the_producer_intake (void **state)
{
    char err [256] = "";
    bench_corpus_t *corpus = bench_corpus_new (SAMPLES, 0, err, sizeof err);
    assert_non_null (corpus);
    zhashx_t *ids = zhashx_new ();
    for (uint64_t n = 0; n < 200; n++) {
        char *line = bench_corpus_article_json (corpus, n);
        assert_non_null (line);
        ab_article_t *parsed = ab_article_new ();
        ab_intake_error_t error = { 0 };
        int rc = ab_intake_parse_json (line, strlen (line), parsed, &error);
        if (rc == 0)
            rc = ab_intake_finish (parsed, 4u << 20, &error);
        if (rc != 0)
            fail_msg ("article %d refused: %s (%s)", (int) n, error.message, error.reason);
        //  The id given is kept, and no two articles share one
        assert_int_equal (strlen (parsed->id), 16);
        assert_int_equal (zhashx_insert (ids, parsed->id, parsed), 0);
        //  The same number always gives the same article
        ab_article_t *again = ab_article_new ();
        assert_int_equal (bench_corpus_article (corpus, n, again), 0);
        assert_string_equal (again->id, parsed->id);
        assert_int_equal (again->body_size, parsed->body_size);
        assert_memory_equal (again->body, parsed->body, parsed->body_size);
        assert_string_equal (again->published, parsed->published);
        ab_article_destroy (&again);
        free (line);
    }
    ab_article_t *article = (ab_article_t *) zhashx_first (ids);
    while (article) {
        ab_article_destroy (&article);
        article = (ab_article_t *) zhashx_next (ids);
    }
    zhashx_destroy (&ids);
    bench_corpus_destroy (&corpus);
}

static void
test_stream_articles_are_not_near_duplicates (void **state)
{
    char err [256] = "";
    bench_corpus_t *corpus = bench_corpus_new (SAMPLES, 0, err, sizeof err);
    ab_normalizer_t *normalizer = ab_normalizer_new (RULES, err, sizeof err);
    assert_non_null (corpus);
    assert_non_null (normalizer);
    ab_doc_t *doc = ab_doc_new ();
    enum { COUNT = 150 };
    uint64_t prints [COUNT];
    for (int n = 0; n < COUNT; n++) {
        ab_article_t *article = ab_article_new ();
        assert_int_equal (bench_corpus_article (corpus, (uint64_t) n, article), 0);
        assert_int_equal (ab_normalize (normalizer, article->body, article->body_size, doc), 0);
        prints [n] = doc->fingerprint;
        ab_article_destroy (&article);
    }
    //  The whole demo articles repeated would be all copies; the stream
    //  must leave almost every pair apart
    int pairs = 0, copies = 0;
    for (int a = 0; a < COUNT; a++)
        for (int b = a + 1; b < COUNT; b++, pairs++)
            if (ab_fingerprint_distance (prints [a], prints [b]) <= COPY_DISTANCE)
                copies++;
    if (copies * 100 > pairs)
        fail_msg ("%d of %d pairs of stream articles are near-duplicates", copies, pairs);
    ab_doc_destroy (&doc);
    ab_normalizer_destroy (&normalizer);
    bench_corpus_destroy (&corpus);
}

static void
test_bad_samples_dir_is_refused (void **state)
{
    char err [256] = "";
    assert_null (bench_corpus_new ("tests/no-such-directory", 1000, err, sizeof err));
    assert_true (strlen (err) > 0);
    char dir [] = "/tmp/test_bench_corpus_empty.XXXXXX";
    assert_non_null (mkdtemp (dir));
    err [0] = 0;
    assert_null (bench_corpus_new (dir, 1000, err, sizeof err));
    assert_non_null (strstr (err, "no article"));
    rmdir (dir);
}

//  The best of several rounds is the shortest time, whatever came first
static void
test_keep_best_takes_the_shortest_round (void **state)
{
    (void) state;
    double best = 99;
    bench_keep_best (&best, 3.0, 0);
    assert_true (best == 3.0);          //  round 0 sets it, even when longer
    bench_keep_best (&best, 5.0, 1);
    assert_true (best == 3.0);
    bench_keep_best (&best, 2.5, 2);
    assert_true (best == 2.5);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_corpus_repeats_the_demo_bodies),
        cmocka_unit_test (test_corpus_written_file_holds_the_same_bytes),
        cmocka_unit_test (test_stream_articles_pass_the_producer_intake),
        cmocka_unit_test (test_stream_articles_are_not_near_duplicates),
        cmocka_unit_test (test_bad_samples_dir_is_refused),
        cmocka_unit_test (test_keep_best_takes_the_shortest_round),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
