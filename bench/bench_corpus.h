/*  =========================================================================
    bench_corpus - the articles every benchmark driver runs on

    All figures of `make bench` must come from the same bytes, so every
    driver builds its input here, from the demo articles (samples/, parsed
    by the producer's own directory source, so a body is exactly what a
    worker receives):

    - the text corpus: whole demo bodies repeated end to end in one buffer
      until it holds at least min_bytes, for the one-core throughput
      figures (and written to a file for uconv to read the same bytes);
    - the article stream: article n of an endless, deterministic sequence
      whose bodies mix paragraphs of different demo articles.  Repeating
      whole demo articles through the sink would make every article a
      near-duplicate of one of fourteen, which is not what a live stream
      looks like and would measure the copy lists rather than the pipeline.

    Ownership: the corpus owns its text and samples; bench_article_t
    entries point into them and live as long as the corpus.
    =========================================================================
*/
#ifndef BENCH_CORPUS_H_INCLUDED
#define BENCH_CORPUS_H_INCLUDED

#include "ab_msg.h"

typedef struct {
    const char *body;           //  inside the corpus text, not terminated
    size_t size;
    const ab_article_t *sample; //  the demo article it copies (metadata)
} bench_text_t;

typedef struct bench_corpus_t bench_corpus_t;

//  Load every article of samples_dir and lay their bodies end to end until
//  the text holds at least min_bytes (0: one copy).  NULL with a message
//  in errbuf if the directory cannot be read or holds no article.
bench_corpus_t *bench_corpus_new (const char *samples_dir, size_t min_bytes,
                                  char *errbuf, size_t errlen);
void bench_corpus_destroy (bench_corpus_t **self_p);

//  The corpus text: *count bodies, total_bytes in all.
const bench_text_t *bench_corpus_texts (const bench_corpus_t *self, size_t *count);
size_t bench_corpus_bytes (const bench_corpus_t *self);
//  Demo articles loaded (before repetition).
size_t bench_corpus_sample_count (const bench_corpus_t *self);

//  Write the corpus text (the bodies, end to end) to path.  0, or -1 with
//  a message in errbuf.
int bench_corpus_write_text (const bench_corpus_t *self, const char *path,
                             char *errbuf, size_t errlen);

//  Fill article with article n of the stream: metadata of one demo article,
//  a body of paragraphs from several, id "b" + 15 hex digits of n (so the
//  sink sees n distinct articles).  Returns 0 or -1 on no memory.
int bench_corpus_article (const bench_corpus_t *self, uint64_t n, ab_article_t *article);

//  The same article as one line of JSON Lines producer input (no newline);
//  caller frees.  NULL on no memory.
char *bench_corpus_article_json (const bench_corpus_t *self, uint64_t n);

//  Demo article index (0 .. sample_count - 1), unchanged; the corpus owns it.
const ab_article_t *bench_corpus_sample (const bench_corpus_t *self, size_t index);

//  Any article as one line of producer JSON Lines input (no newline), with
//  id instead of its own when id is not NULL; caller frees.  NULL on no memory.
char *bench_article_json (const ab_article_t *article, const char *id);

//  Monotonic wall-clock seconds, for drivers that time a pipeline.
double bench_now (void);
//  CPU seconds of the calling thread: the one-core figures use it, since on
//  a shared machine the wall clock also counts other processes' turns.
double bench_cpu_now (void);

//  Run the calling process on CPU 0 only: the one-core figures are per
//  core (the worker scales by processes).  A note on stderr, naming
//  program, if the system refuses.
void bench_pin_one_core (const char *program);

//  Keep in *best the shortest of the times of several rounds (round 0
//  sets it): on a shared machine other work can only slow a round down,
//  so the best round is the closest to what the code itself costs.
void bench_keep_best (double *best, double seconds, int round);

//  Print one figure as a line "FIGURE name value" on stdout; bench/run.sh
//  collects these lines into the table.
void bench_figure (const char *name, double value);

#endif
