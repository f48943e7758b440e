/*  =========================================================================
    bench_corpus - the articles every benchmark driver runs on
    =========================================================================
*/
#include "bench_corpus.h"
#include "ab_deadletter.h"
#include "ab_file.h"
#include "ab_source.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

//  Paragraphs in one body of the stream: about the length of a demo article
#define PARAGRAPHS_PER_ARTICLE 5
#define DEMO_MAX_BODY (4u * 1024 * 1024)

struct bench_corpus_t {
    ab_article_t **samples;
    size_t sample_count;
    char *text;
    size_t text_size;
    bench_text_t *texts;
    size_t text_count;
    bench_text_t *paragraphs;   //  every paragraph of every sample body
    size_t paragraph_count;
    size_t *leads;              //  per sample, the index of its first paragraph
};

static uint64_t
s_mix (uint64_t z)
{
    //  splitmix64 finalizer: a fixed, well-spread choice per article number
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int
s_load_samples (bench_corpus_t *self, const char *dir, char *errbuf, size_t errlen)
{
    ab_source_t *source = ab_source_dir_new (dir, DEMO_MAX_BODY, errbuf, errlen);
    ab_deadletter_t *dead = source? ab_deadletter_new (NULL, errbuf, errlen): NULL;
    if (!dead) {
        ab_source_destroy (&source);
        return -1;
    }
    size_t capacity = 0;
    int rc = 0;
    ab_article_t *article = NULL;
    while (rc == 0 && ab_source_next (source, &article, dead) == AB_SOURCE_ARTICLE) {
        if (self->sample_count == capacity) {
            capacity = capacity? capacity * 2: 16;
            ab_article_t **grown = realloc (self->samples, capacity * sizeof *grown);
            if (!grown) {
                ab_article_destroy (&article);
                snprintf (errbuf, errlen, "out of memory");
                rc = -1;
                break;
            }
            self->samples = grown;
        }
        self->samples [self->sample_count++] = article;
    }
    if (rc == 0 && self->sample_count == 0) {
        snprintf (errbuf, errlen, "%s: no article could be read", dir);
        rc = -1;
    }
    ab_deadletter_destroy (&dead);
    ab_source_destroy (&source);
    return rc;
}

//  Split every sample body at blank lines into the paragraph pool
static int
s_split_paragraphs (bench_corpus_t *self)
{
    size_t capacity = 0;
    self->leads = calloc (self->sample_count, sizeof *self->leads);
    if (!self->leads)
        return -1;
    for (size_t s = 0; s < self->sample_count; s++) {
        self->leads [s] = self->paragraph_count;
        const char *at = self->samples [s]->body;
        const char *end = at + self->samples [s]->body_size;
        while (at < end) {
            while (at < end && (*at == '\n' || *at == '\r'))
                at++;
            const char *stop = at;
            while (stop < end && !(stop [0] == '\n' && stop + 1 < end && stop [1] == '\n'))
                stop++;
            if (stop > at) {
                if (self->paragraph_count == capacity) {
                    capacity = capacity? capacity * 2: 64;
                    bench_text_t *grown = realloc (self->paragraphs, capacity * sizeof *grown);
                    if (!grown)
                        return -1;
                    self->paragraphs = grown;
                }
                self->paragraphs [self->paragraph_count++] =
                    (bench_text_t) { at, (size_t) (stop - at), self->samples [s] };
            }
            at = stop;
        }
    }
    return 0;
}

//  Whole bodies end to end, each copy in its own place so that the text
//  is not all hot in the cache
static int
s_build_text (bench_corpus_t *self, size_t min_bytes)
{
    size_t one_copy = 0;
    for (size_t s = 0; s < self->sample_count; s++)
        one_copy += self->samples [s]->body_size;
    size_t copies = one_copy? (min_bytes + one_copy - 1) / one_copy: 0;
    if (copies == 0)
        copies = 1;
    self->text_count = copies * self->sample_count;
    self->text = malloc (copies * one_copy + 1);
    self->texts = calloc (self->text_count, sizeof *self->texts);
    if (!self->text || !self->texts)
        return -1;
    size_t index = 0;
    for (size_t c = 0; c < copies; c++)
        for (size_t s = 0; s < self->sample_count; s++) {
            const ab_article_t *sample = self->samples [s];
            memcpy (self->text + self->text_size, sample->body, sample->body_size);
            self->texts [index++] = (bench_text_t) { self->text + self->text_size, sample->body_size, sample };
            self->text_size += sample->body_size;
        }
    return 0;
}

bench_corpus_t *
bench_corpus_new (const char *samples_dir, size_t min_bytes, char *errbuf, size_t errlen)
{
    bench_corpus_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (errbuf, errlen, "out of memory");
        return NULL;
    }
    if (s_load_samples (self, samples_dir, errbuf, errlen) != 0) {
        bench_corpus_destroy (&self);
        return NULL;
    }
    if (s_split_paragraphs (self) != 0 || s_build_text (self, min_bytes) != 0) {
        snprintf (errbuf, errlen, "out of memory building a %zu-byte corpus", min_bytes);
        bench_corpus_destroy (&self);
        return NULL;
    }
    if (self->paragraph_count == 0) {
        snprintf (errbuf, errlen, "%s: the articles have no text", samples_dir);
        bench_corpus_destroy (&self);
        return NULL;
    }
    return self;
}

void
bench_corpus_destroy (bench_corpus_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    bench_corpus_t *self = *self_p;
    for (size_t s = 0; s < self->sample_count; s++)
        ab_article_destroy (&self->samples [s]);
    free (self->samples);
    free (self->text);
    free (self->texts);
    free (self->paragraphs);
    free (self->leads);
    free (self);
    *self_p = NULL;
}

const bench_text_t *
bench_corpus_texts (const bench_corpus_t *self, size_t *count)
{
    *count = self->text_count;
    return self->texts;
}

size_t
bench_corpus_bytes (const bench_corpus_t *self)
{
    return self->text_size;
}

size_t
bench_corpus_sample_count (const bench_corpus_t *self)
{
    return self->sample_count;
}

int
bench_corpus_write_text (const bench_corpus_t *self, const char *path, char *errbuf, size_t errlen)
{
    return ab_file_write_atomic (path, self->text, self->text_size, errbuf, errlen);
}

int
bench_corpus_article (const bench_corpus_t *self, uint64_t n, ab_article_t *article)
{
    const ab_article_t *sample = self->samples [n % self->sample_count];
    //  The lead paragraph of the sample, then paragraphs of any article
    const bench_text_t *chosen [PARAGRAPHS_PER_ARTICLE];
    chosen [0] = &self->paragraphs [self->leads [n % self->sample_count]];
    size_t size = chosen [0]->size;
    for (int i = 1; i < PARAGRAPHS_PER_ARTICLE; i++) {
        chosen [i] = &self->paragraphs [s_mix (n * PARAGRAPHS_PER_ARTICLE + (uint64_t) i)
                                        % self->paragraph_count];
        size += 2 + chosen [i]->size;
    }
    char *body = malloc (size + 1);
    if (!body)
        return -1;
    size_t at = 0;
    for (int i = 0; i < PARAGRAPHS_PER_ARTICLE; i++) {
        if (i) {
            memcpy (body + at, "\n\n", 2);
            at += 2;
        }
        memcpy (body + at, chosen [i]->body, chosen [i]->size);
        at += chosen [i]->size;
    }
    char id [17];
    snprintf (id, sizeof id, "b%015llx", (unsigned long long) n);
    char origin [32];
    snprintf (origin, sizeof origin, "bench:%llu", (unsigned long long) n);
    int rc = ab_article_set (&article->id, id)
          || ab_article_set (&article->source, sample->source)
          || ab_article_set (&article->url, sample->url)
          || ab_article_set (&article->title, sample->title)
          || ab_article_set (&article->published, sample->published)
          || ab_article_set (&article->origin, origin)
          || ab_article_set_body (article, body, size);
    free (body);
    article->attempt = 1;
    return rc? -1: 0;
}

char *
bench_corpus_article_json (const bench_corpus_t *self, uint64_t n)
{
    ab_article_t *article = ab_article_new ();
    char *line = article && bench_corpus_article (self, n, article) == 0?
                 bench_article_json (article, NULL): NULL;
    ab_article_destroy (&article);
    return line;
}

const ab_article_t *
bench_corpus_sample (const bench_corpus_t *self, size_t index)
{
    return index < self->sample_count? self->samples [index]: NULL;
}

char *
bench_article_json (const ab_article_t *article, const char *id)
{
    json_t *object = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s%}",
                                "id", id? id: article->id, "source", article->source,
                                "url", article->url, "title", article->title,
                                "published", article->published,
                                "body", article->body, article->body_size);
    char *line = object? json_dumps (object, JSON_COMPACT): NULL;
    json_decref (object);
    return line;
}

double
bench_now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

double
bench_cpu_now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

void
bench_pin_one_core (const char *program)
{
    cpu_set_t cpus;
    CPU_ZERO (&cpus);
    CPU_SET (0, &cpus);
    if (sched_setaffinity (0, sizeof cpus, &cpus) != 0)
        fprintf (stderr, "%s: note: could not pin to CPU 0\n", program);
}

void
bench_keep_best (double *best, double seconds, int round)
{
    if (round == 0 || seconds < *best)
        *best = seconds;
}

void
bench_figure (const char *name, double value)
{
    printf ("FIGURE %s %.6g\n", name, value);
    fflush (stdout);
}
