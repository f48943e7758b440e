/*  =========================================================================
    bench_normalize - throughput of ab_normalize on one core

    Builds a corpus of at least 50 MB by repeating the article files given
    on the command line (or every *.txt in a directory argument), then
    normalizes it article by article with one reused ab_doc_t and prints
    MB/s and articles/s next to memcpy of the same bytes.  A second run
    over an ASCII-only copy of the corpus (every non-ASCII byte replaced)
    shows the fast path alone.

    Not built by the Makefile.  From the repo root:
        cc -std=c11 -D_GNU_SOURCE -O2 -DNDEBUG -march=native \
           -Icommon -Iworkers/normalize $(pkg-config --cflags libutf8proc libpcre2-8) \
           -o /tmp/bench_normalize bench/bench_normalize.c \
           workers/normalize/ab_*.c common/ab_file.c \
           $(pkg-config --libs libutf8proc libpcre2-8)
        /tmp/bench_normalize ../shared/seeds
    Options: -r RULES_DIR (default workers/rules), -m MEGABYTES (default 50).
    =========================================================================
*/
#include "ab_normalize.h"
#include "ab_file.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    char *data;
    size_t size;
} s_article_t;

static double
s_now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int
s_add_file (s_article_t **list, size_t *count, size_t *cap, const char *path)
{
    char err [256];
    size_t size;
    char *data = ab_file_read (path, 64u * 1024 * 1024, &size, err, sizeof err);
    if (!data) {
        fprintf (stderr, "bench_normalize: %s\n", err);
        return -1;
    }
    if (*count == *cap) {
        *cap = *cap? *cap * 2: 16;
        s_article_t *grown = (s_article_t *) realloc (*list, *cap * sizeof **list);
        if (!grown) {
            free (data);
            return -1;
        }
        *list = grown;
    }
    (*list) [*count].data = data;
    (*list) [*count].size = size;
    (*count)++;
    return 0;
}

static int
s_add_path (s_article_t **list, size_t *count, size_t *cap, const char *path)
{
    DIR *dir = opendir (path);
    if (!dir)
        return s_add_file (list, count, cap, path);
    struct dirent *entry;
    int rc = 0;
    while ((entry = readdir (dir)) && rc == 0) {
        size_t len = strlen (entry->d_name);
        if (len > 4 && strcmp (entry->d_name + len - 4, ".txt") == 0) {
            char file [4096];
            snprintf (file, sizeof file, "%s/%s", path, entry->d_name);
            rc = s_add_file (list, count, cap, file);
        }
    }
    closedir (dir);
    return rc;
}

//  Normalize every article of the corpus once; returns seconds
static double
s_run (const ab_normalizer_t *nz, ab_doc_t *doc, char **starts, size_t *sizes, size_t n,
       uint64_t *checksum)
{
    double t0 = s_now ();
    for (size_t i = 0; i < n; i++) {
        if (ab_normalize (nz, starts [i], sizes [i], doc)) {
            fprintf (stderr, "bench_normalize: out of memory\n");
            exit (1);
        }
        *checksum += doc->size + doc->fingerprint;
    }
    return s_now () - t0;
}

int
main (int argc, char **argv)
{
    const char *rules = "workers/rules";
    size_t megabytes = 50;
    int opt;
    while ((opt = getopt (argc, argv, "r:m:")) != -1) {
        if (opt == 'r')
            rules = optarg;
        else
        if (opt == 'm')
            megabytes = (size_t) atol (optarg);
        else {
            fprintf (stderr, "usage: bench_normalize [-r rules_dir] [-m MB] files-or-dir...\n");
            return 2;
        }
    }
    s_article_t *articles = NULL;
    size_t count = 0, cap = 0;
    for (int a = optind; a < argc; a++)
        if (s_add_path (&articles, &count, &cap, argv [a]))
            return 1;
    if (count == 0) {
        fprintf (stderr, "usage: bench_normalize [-r rules_dir] [-m MB] files-or-dir...\n");
        return 2;
    }
    char err [512];
    ab_normalizer_t *nz = ab_normalizer_new (rules, err, sizeof err);
    if (!nz) {
        fprintf (stderr, "bench_normalize: %s\n", err);
        return 1;
    }
    //  One contiguous corpus, so memcpy and normalize read the same bytes
    size_t target = megabytes * 1000 * 1000;
    size_t total = 0, n = 0;
    while (total < target) {
        total += articles [n % count].size;
        n++;
    }
    char *corpus = (char *) malloc (total);
    char *ascii = (char *) malloc (total);
    size_t largest = 0;
    for (size_t i = 0; i < count; i++)
        if (articles [i].size > largest)
            largest = articles [i].size;
    char *copy = (char *) malloc (largest + 1);
    char **starts = (char **) malloc (n * sizeof (char *));
    char **ascii_starts = (char **) malloc (n * sizeof (char *));
    size_t *sizes = (size_t *) malloc (n * sizeof (size_t));
    if (!corpus || !ascii || !copy || !starts || !ascii_starts || !sizes)
        return 1;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        const s_article_t *art = &articles [i % count];
        memcpy (corpus + at, art->data, art->size);
        starts [i] = corpus + at;
        ascii_starts [i] = ascii + at;
        sizes [i] = art->size;
        at += art->size;
    }
    for (size_t i = 0; i < total; i++)
        ascii [i] = (unsigned char) corpus [i] >= 0x80? 'x': corpus [i];

    memset (copy, 0, largest + 1);
    ab_doc_t *doc = ab_doc_new ();
    uint64_t checksum = 0;
    s_run (nz, doc, starts, sizes, n < 2000? n: 2000, &checksum);     //  warm up

    //  memcpy of each article into one reused buffer, as ab_normalize
    //  writes into one reused ab_doc_t: both read the corpus once
    double t0 = s_now ();
    for (size_t i = 0; i < n; i++) {
        memcpy (copy, starts [i], sizes [i]);
        checksum += (unsigned char) copy [sizes [i] / 2];
    }
    double t_memcpy = s_now () - t0;

    double t_norm = s_run (nz, doc, starts, sizes, n, &checksum);
    double t_ascii = s_run (nz, doc, ascii_starts, sizes, n, &checksum);

    double mb = (double) total / 1e6;
    printf ("corpus: %zu articles from %zu files, %.1f MB (avg %.0f bytes)\n",
            n, count, mb, (double) total / (double) n);
    printf ("%-28s %10s %14s\n", "", "MB/s", "articles/s");
    printf ("%-28s %10.0f %14.0f\n", "memcpy", mb / t_memcpy, (double) n / t_memcpy);
    printf ("%-28s %10.0f %14.0f\n", "ab_normalize (as given)", mb / t_norm, (double) n / t_norm);
    printf ("%-28s %10.0f %14.0f\n", "ab_normalize (ASCII copy)", mb / t_ascii, (double) n / t_ascii);
    fprintf (stderr, "checksum %llx\n", (unsigned long long) checksum);

    ab_doc_destroy (&doc);
    ab_normalizer_destroy (&nz);
    for (size_t i = 0; i < count; i++)
        free (articles [i].data);
    free (articles);
    free (corpus);
    free (ascii);
    free (copy);
    free (starts);
    free (ascii_starts);
    free (sizes);
    return 0;
}
