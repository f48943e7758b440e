/*  =========================================================================
    ab_normalize - raw article bytes in, clean normalized UTF-8 out

    The worker's first stage.  Everything after it (extraction, the sink's
    near-duplicate check) trusts its output: valid UTF-8, NFKC, folded
    punctuation and whitespace, Latin homoglyphs repaired, boilerplate
    removed, split into sentences, with a 64-bit simhash fingerprint.

    An ab_normalizer_t holds the loaded data (confusables table, boilerplate
    rules); it is read-only after construction, so one may serve many
    threads.  An ab_doc_t is the per-article output; reuse one across
    articles to keep allocations out of the hot path.
    =========================================================================
*/
#ifndef AB_NORMALIZE_H_INCLUDED
#define AB_NORMALIZE_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

typedef struct ab_normalizer_t ab_normalizer_t;

typedef struct {
    uint32_t start;         //  byte offset, inclusive
    uint32_t end;           //  byte offset, exclusive
} ab_span_t;

typedef struct {
    char *text;                 //  normalized UTF-8, NUL-terminated
    size_t size;                //  bytes in text, excluding the NUL
    ab_span_t *sentences;       //  sentence spans in text, in order
    uint32_t sentence_count;
    uint32_t *raw_offset;       //  raw_offset[i]: raw byte that produced
                                //  text byte i (size + 1 entries)
    ab_span_t *removed;         //  boilerplate spans removed, raw offsets
    uint32_t removed_count;
    uint64_t fingerprint;       //  64-bit simhash of word shingles
    uint32_t invalid_utf8;      //  invalid sequences replaced by U+FFFD
    uint32_t controls;          //  NUL, BOM, C0/C1 controls stripped
    uint32_t homoglyphs;        //  confusable letters rewritten to Latin
    uint32_t boilerplate;       //  == removed_count
    //  Private: capacities of the buffers above, for reuse
    size_t text_capacity;
    uint32_t sentence_capacity;
    size_t raw_offset_capacity;
    uint32_t removed_capacity;
    struct ab_doc_scratch_t *scratch;   //  work buffers (ab_normalize.c)
} ab_doc_t;

//  Load the normalizer's data files from rules_dir (confusables.tsv,
//  boilerplate.rules, abbreviations.txt).  Returns NULL with a
//  line-numbered message in errbuf if a file is missing or malformed.
ab_normalizer_t *ab_normalizer_new (const char *rules_dir, char *errbuf, size_t errlen);
void ab_normalizer_destroy (ab_normalizer_t **self_p);

//  Create an empty document (caller owns it).  NULL on no memory.
ab_doc_t *ab_doc_new (void);
void ab_doc_destroy (ab_doc_t **self_p);

//  Normalize raw bytes into doc, replacing its previous contents.  Never
//  fails on bad input (it is repaired and counted); returns 0, or -1 only
//  when memory runs out.
int ab_normalize (const ab_normalizer_t *self, const char *raw, size_t size, ab_doc_t *doc);

//  Hamming distance between two fingerprints.
int ab_fingerprint_distance (uint64_t a, uint64_t b);

#endif
