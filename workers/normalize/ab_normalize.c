/*  =========================================================================
    ab_normalize - raw article bytes in, clean normalized UTF-8 out

    Three passes over each article, all into buffers the ab_doc_t keeps
    between articles:

    1.  Decode (s_decode_pass): raw bytes -> lines of clean text in the
        scratch buffer, one raw offset per output byte.  Printable ASCII is
        copied eight bytes at a time with branch-free space collapsing; only
        a word that holds a non-ASCII byte takes the slow path, which
        validates UTF-8, applies NFKC (utf8proc, per composition segment,
        into our own arrays), repairs homoglyphs and folds punctuation.
        Plain English thus costs little more than a copy.
    2.  Boilerplate (s_boilerplate_pass): the rules of boilerplate.rules are
        matched per line and mark lines to drop.
    3.  Assemble (s_assemble_pass): kept lines are joined into paragraphs
        (a blank line between paragraphs in the output), each paragraph is
        split into sentences, a sentence seen before in this article is
        removed, and the words of the kept sentences feed the simhash.

    Lines are the unit of boilerplate because that is how sites add it: a
    credit line, a "Related Stories" heading, a comment form.  Joining
    hard-wrapped lines therefore waits until after the rules ran.
    =========================================================================
*/
#include "ab_normalize.h"
#include "ab_nzdata.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

//  Slow-path runs are cut after this many code points (at a safe point) so
//  a megabyte of text without an ASCII blank needs no megabyte of scratch.
#define S_RUN_MAX 1024
//  ...and take back at most this much of the word the fast path wrote
#define S_HEAD_MAX 256
//  Input beyond this is ignored: offsets are 32-bit and NFKC may expand
//  a byte up to 11 times.
#define S_MAX_INPUT (128u * 1024 * 1024)
//  Sentences shorter than this are never treated as repeats ("He said.")
#define S_DEDUPE_MIN_WORDS 5
//  A line at least this long that does not end a sentence is hard-wrapped
#define S_WRAP_MIN_LEN 60
//  A script check of the text around a word serves words this close after
#define S_CONTEXT_REUSE 128
//  Code points below this (one or two UTF-8 bytes: Latin, Greek, Cyrillic,
//  ...) have their properties in the normalizer's own table
#define S_CP_TABLE 0x800

//  A cp_table entry: the general category, two flags, and the ASCII letter
//  the code point is confusable with (0 if none)
#define S_CP_CATEGORY   0x1F
#define S_CP_JOINS      0x20        //  joins the composition segment before it
#define S_CP_DECOMPOSES 0x40        //  has a (compatibility) decomposition
#define S_CP_PLAIN      0x80        //  two UTF-8 bytes that NFKC, composition
                                    //  and folding all leave as they are
#define S_CP_LETTER_SHIFT 8
//  Words up to this many code points may take the plain-word path
#define S_PLAIN_MAX 64

//  Structure of our class

struct ab_normalizer_t {
    ab_nzdata_t *data;              //  confusables, rules, abbreviations
    uint64_t lanes [256];           //  byte -> eight 0/1 byte lanes, simhash
    uint8_t word_byte [256];        //  byte -> lowercased word byte, or 0
    //  What the slow path asks of every code point, for the first 2048:
    //  a word of Cyrillic homoglyphs asks it five times per letter, and
    //  utf8proc answers through a call and two table levels each time
    uint16_t cp_table [S_CP_TABLE];
};

typedef struct {
    uint32_t start, end;            //  bytes in the scratch buffer
    uint32_t raw_start, raw_end;    //  raw bytes, blank lines before included
    uint8_t blank_before;           //  a blank line separates it from the last
    uint8_t drop;                   //  removed as boilerplate
} s_line_t;

//  Per-document work buffers, kept for reuse between articles
struct ab_doc_scratch_t {
    char *buf;                      //  pass 1 output: line texts
    uint32_t *off;                  //  raw offset of each buf byte
    size_t cap;
    s_line_t *lines;
    size_t line_count, line_cap;
    int32_t *cps;                   //  slow path: decoded code points
    uint32_t *cp_off;
    size_t cp_cap;
    int32_t *nf;                    //  slow path: normalized code points
    uint32_t *nf_off;
    size_t nf_cap;
    uint64_t *words;                //  word hashes of one sentence
    size_t word_cap;
    uint64_t *seen;                 //  sentence keys, open addressing
    size_t seen_slots, seen_count;
    pcre2_match_data *md;           //  for boilerplate rules
};

//  Pass 1 state, shared by the fast and slow paths
typedef struct {
    const ab_normalizer_t *nz;
    const unsigned char *raw;
    size_t size;
    ab_doc_t *doc;
    struct ab_doc_scratch_t *sc;
    size_t j;                       //  bytes written to sc->buf
    size_t line_start;              //  where the current line began in buf
    size_t no_back;                 //  slow path must not re-read before this
    uint32_t raw_line_start;
    bool blank;                     //  blank line seen since the last line
    unsigned char last;             //  last byte written, ' ' at line start
    size_t after_dash;              //  j just after an em dash's " - "
    size_t ctx_pos;                 //  raw position of the last script check
    bool ctx_latin;                 //  its answer
    bool oom;
} s_pass1_t;

//  Simhash accumulator: eight byte-lane counters per 8 hash bits
typedef struct {
    uint64_t acc [8];
    uint32_t pending;               //  shingles in acc, flushed at 255
    int32_t counts [64];
    uint32_t total;
    uint64_t ring [3];              //  last three word hashes
    uint32_t words;
} s_simhash_t;

static int s_reserve (void **ptr, size_t *cap, size_t need, size_t elem);
static int s_reserve_pair (int32_t **cps, uint32_t **offs, size_t *cap, size_t need);
static int s_pass1_reserve (s_pass1_t *st, size_t extra);
static void s_decode_pass (s_pass1_t *st);
static void s_boilerplate_pass (const ab_normalizer_t *self, ab_doc_t *doc);
static bool s_joins_segment_slow (int32_t cp);
static int s_assemble_pass (const ab_normalizer_t *self, const char *raw, size_t size, ab_doc_t *doc);


//  --------------------------------------------------------------------------
//  Constructor: load the data files from rules_dir

ab_normalizer_t *
ab_normalizer_new (const char *rules_dir, char *errbuf, size_t errlen)
{
    assert (rules_dir);
    ab_normalizer_t *self = (ab_normalizer_t *) calloc (1, sizeof (ab_normalizer_t));
    if (!self) {
        snprintf (errbuf, errlen, "out of memory");
        return NULL;
    }
    self->data = ab_nzdata_new (rules_dir, errbuf, errlen);
    if (!self->data) {
        free (self);
        return NULL;
    }
    //  lanes[v] has byte k = bit k of v, so adding lanes[h byte] to a
    //  64-bit word counts eight hash bits at once
    for (unsigned v = 0; v < 256; v++) {
        uint64_t lane = 0;
        for (unsigned k = 0; k < 8; k++)
            if (v & (1u << k))
                lane |= (uint64_t) 1 << (8 * k);
        self->lanes [v] = lane;
        //  Letters, digits and every byte of a non-ASCII character
        //  make words; ASCII letters fold to lower case
        if ((v >= 'a' && v <= 'z') || (v >= '0' && v <= '9') || v >= 0x80)
            self->word_byte [v] = (uint8_t) v;
        else
        if (v >= 'A' && v <= 'Z')
            self->word_byte [v] = (uint8_t) (v | 0x20);
    }
    for (int32_t cp = 0; cp < S_CP_TABLE; cp++) {
        const utf8proc_property_t *p = utf8proc_get_property (cp);
        uint16_t entry = (uint16_t) (p->category & S_CP_CATEGORY);
        if (s_joins_segment_slow (cp))
            entry |= S_CP_JOINS;
        if (p->decomp_seqindex != UINT16_MAX)
            entry |= S_CP_DECOMPOSES;
        entry |= (uint16_t) (ab_nzdata_confusable (self->data, cp) << S_CP_LETTER_SHIFT);
        //  Not plain: C1 controls, what s_emit folds below U+0800
        //  (guillemets, the soft hyphen, spaces; keep the two lists in
        //  step), and anything NFKC would touch
        if (cp >= 0xA0 && cp != 0xAB && cp != 0xBB && cp != 0xAD
        &&  p->category != UTF8PROC_CATEGORY_ZS && !(entry & (S_CP_JOINS | S_CP_DECOMPOSES)))
            entry |= S_CP_PLAIN;
        self->cp_table [cp] = entry;
    }
    return self;
}


//  --------------------------------------------------------------------------
//  Destructor

void
ab_normalizer_destroy (ab_normalizer_t **self_p)
{
    assert (self_p);
    ab_normalizer_t *self = *self_p;
    if (!self)
        return;
    ab_nzdata_destroy (&self->data);
    free (self);
    *self_p = NULL;
}


//  --------------------------------------------------------------------------
//  Create an empty document

ab_doc_t *
ab_doc_new (void)
{
    ab_doc_t *self = (ab_doc_t *) calloc (1, sizeof (ab_doc_t));
    if (!self)
        return NULL;
    self->scratch = (struct ab_doc_scratch_t *) calloc (1, sizeof (struct ab_doc_scratch_t));
    if (!self->scratch) {
        free (self);
        return NULL;
    }
    return self;
}


//  --------------------------------------------------------------------------
//  Destroy a document and its buffers

void
ab_doc_destroy (ab_doc_t **self_p)
{
    assert (self_p);
    ab_doc_t *self = *self_p;
    if (!self)
        return;
    struct ab_doc_scratch_t *sc = self->scratch;
    if (sc) {
        free (sc->buf);
        free (sc->off);
        free (sc->lines);
        free (sc->cps);
        free (sc->cp_off);
        free (sc->nf);
        free (sc->nf_off);
        free (sc->words);
        free (sc->seen);
        pcre2_match_data_free (sc->md);
        free (sc);
    }
    free (self->text);
    free (self->sentences);
    free (self->raw_offset);
    free (self->removed);
    free (self);
    *self_p = NULL;
}


//  --------------------------------------------------------------------------
//  Normalize raw bytes into doc.  Returns 0, or -1 when memory runs out
//  (doc then holds an empty text).

int
ab_normalize (const ab_normalizer_t *self, const char *raw, size_t size, ab_doc_t *doc)
{
    assert (self);
    assert (doc && doc->scratch);
    assert (raw || size == 0);
    if (!raw)
        raw = "";
    if (size > S_MAX_INPUT)
        size = S_MAX_INPUT;
    struct ab_doc_scratch_t *sc = doc->scratch;
    doc->size = 0;
    doc->sentence_count = 0;
    doc->removed_count = 0;
    doc->fingerprint = 0;
    doc->invalid_utf8 = 0;
    doc->controls = 0;
    doc->homoglyphs = 0;
    doc->boilerplate = 0;
    sc->line_count = 0;

    s_pass1_t st;
    memset (&st, 0, sizeof st);
    st.nz = self;
    st.raw = (const unsigned char *) raw;
    st.size = size;
    st.doc = doc;
    st.sc = sc;
    st.last = ' ';
    st.after_dash = SIZE_MAX;
    st.ctx_pos = SIZE_MAX;
    if (s_pass1_reserve (&st, size + 64))
        goto oom;
    s_decode_pass (&st);
    if (st.oom)
        goto oom;
    s_boilerplate_pass (self, doc);
    if (s_assemble_pass (self, raw, size, doc))
        goto oom;
    return 0;
oom:
    doc->size = 0;
    doc->sentence_count = 0;
    doc->removed_count = 0;
    if (doc->text)
        doc->text [0] = 0;
    return -1;
}


//  --------------------------------------------------------------------------
//  Hamming distance between two fingerprints

int
ab_fingerprint_distance (uint64_t a, uint64_t b)
{
    return __builtin_popcountll (a ^ b);
}


//  ==========================================================================
//  Buffers

//  Grow *ptr (elements of elem bytes) to hold need elements.  Returns 0 or
//  -1 on no memory (the old buffer stays valid).
static int
s_reserve (void **ptr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t grown = *cap? *cap: 64;
    while (grown < need)
        grown *= 2;
    void *p = realloc (*ptr, grown * elem);
    if (!p)
        return -1;
    *ptr = p;
    *cap = grown;
    return 0;
}

//  Grow two parallel arrays (code points and their raw offsets) together
static int
s_reserve_pair (int32_t **cps, uint32_t **offs, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t cap1 = *cap, cap2 = *cap;
    if (s_reserve ((void **) cps, &cap1, need, sizeof (int32_t))
    ||  s_reserve ((void **) offs, &cap2, need, sizeof (uint32_t)))
        return -1;
    *cap = cap1 < cap2? cap1: cap2;
    return 0;
}

//  Make room for extra more bytes in the pass 1 buffer (text + offsets)
static int
s_pass1_reserve (s_pass1_t *st, size_t extra)
{
    struct ab_doc_scratch_t *sc = st->sc;
    size_t need = st->j + extra;
    if (need <= sc->cap)
        return 0;
    size_t cap = sc->cap, cap2 = sc->cap;
    if (s_reserve ((void **) &sc->buf, &cap, need, 1)
    ||  s_reserve ((void **) &sc->off, &cap2, need, sizeof (uint32_t))) {
        st->oom = true;
        return -1;
    }
    sc->cap = cap < cap2? cap: cap2;
    return 0;
}


//  ==========================================================================
//  Pass 1: decode, normalize, fold, into lines

//  One byte out
static inline void
s_put (s_pass1_t *st, unsigned char c, uint32_t raw_pos)
{
    st->sc->buf [st->j] = (char) c;
    st->sc->off [st->j] = raw_pos;
    st->j++;
    st->last = c;
}

//  A blank: written once, never at a line start
static inline void
s_space (s_pass1_t *st, uint32_t raw_pos)
{
    if (st->last != ' ')
        s_put (st, ' ', raw_pos);
}

//  End the current line; raw_end is the raw offset just past the break
static void
s_newline (s_pass1_t *st, uint32_t raw_end)
{
    struct ab_doc_scratch_t *sc = st->sc;
    if (st->j > st->line_start && sc->buf [st->j - 1] == ' ')
        st->j--;
    if (st->j > st->line_start) {
        if (s_reserve ((void **) &sc->lines, &sc->line_cap, sc->line_count + 1, sizeof (s_line_t))) {
            st->oom = true;
            return;
        }
        s_line_t *line = &sc->lines [sc->line_count++];
        line->start = (uint32_t) st->line_start;
        line->end = (uint32_t) st->j;
        line->raw_start = st->raw_line_start;
        line->raw_end = raw_end;
        line->blank_before = st->blank;
        line->drop = 0;
        st->blank = false;
        st->raw_line_start = raw_end;
    }
    else
        st->blank = true;
    st->line_start = st->j;
    st->no_back = st->j;
    st->last = ' ';
}

//  Decode one UTF-8 sequence at s (n >= 1 bytes left).  Returns its length;
//  an ill-formed sequence yields U+FFFD and the length of its maximal
//  subpart (Unicode 15 section 3.9, "U+FFFD substitution of maximal
//  subparts"), so a lone lead byte never swallows the character after it.
static inline size_t
s_utf8_decode (const unsigned char *s, size_t n, int32_t *cp, bool *invalid)
{
    unsigned c = s [0];
    *invalid = false;
    if (c < 0x80) {
        *cp = (int32_t) c;
        return 1;
    }
    *invalid = true;
    *cp = 0xFFFD;
    if (c < 0xC2)                   //  continuation byte or overlong lead
        return 1;
    if (c < 0xE0) {
        if (n < 2 || (s [1] & 0xC0) != 0x80)
            return 1;
        *cp = (int32_t) (((c & 0x1F) << 6) | (s [1] & 0x3F));
        *invalid = false;
        return 2;
    }
    if (c < 0xF0) {
        unsigned lo = c == 0xE0? 0xA0: 0x80;    //  overlong
        unsigned hi = c == 0xED? 0x9F: 0xBF;    //  surrogates
        if (n < 2 || s [1] < lo || s [1] > hi)
            return 1;
        if (n < 3 || (s [2] & 0xC0) != 0x80)
            return 2;
        *cp = (int32_t) (((c & 0x0F) << 12) | ((s [1] & 0x3Fu) << 6) | (s [2] & 0x3F));
        *invalid = false;
        return 3;
    }
    if (c < 0xF5) {
        unsigned lo = c == 0xF0? 0x90: 0x80;    //  overlong
        unsigned hi = c == 0xF4? 0x8F: 0xBF;    //  beyond U+10FFFF
        if (n < 2 || s [1] < lo || s [1] > hi)
            return 1;
        if (n < 3 || (s [2] & 0xC0) != 0x80)
            return 2;
        if (n < 4 || (s [3] & 0xC0) != 0x80)
            return 3;
        *cp = (int32_t) (((c & 0x07) << 18) | ((s [1] & 0x3Fu) << 12)
                       | ((s [2] & 0x3Fu) << 6) | (s [3] & 0x3F));
        *invalid = false;
        return 4;
    }
    return 1;
}

//  Length of the raw sequence at raw position pos, for span ends
static size_t
s_raw_len (const unsigned char *raw, size_t size, size_t pos)
{
    int32_t cp;
    bool invalid;
    return pos < size? s_utf8_decode (raw + pos, size - pos, &cp, &invalid): 0;
}

//  True if cp joins the composition segment before it: a non-starter, a
//  starter that composes as second (U+0B3E), or a Hangul V/T jamo.
static bool
s_joins_segment_slow (int32_t cp)
{
    if (cp < 0x300)
        return false;
    const utf8proc_property_t *p = utf8proc_get_property (cp);
    if (p->combining_class)
        return true;
    if (p->comb_index != UINT16_MAX && p->comb_index >= 0x8000)
        return true;
    return (cp >= 0x1161 && cp <= 0x1175) || (cp >= 0x11A8 && cp <= 0x11C2);
}

static inline bool
s_joins_segment (const ab_normalizer_t *nz, int32_t cp)
{
    if (cp < S_CP_TABLE)
        return (nz->cp_table [cp] & S_CP_JOINS) != 0;
    return s_joins_segment_slow (cp);
}

static inline utf8proc_category_t
s_category (const ab_normalizer_t *nz, int32_t cp)
{
    if (cp >= 0 && cp < S_CP_TABLE)
        return (utf8proc_category_t) (nz->cp_table [cp] & S_CP_CATEGORY);
    return utf8proc_category (cp);
}

//  ASCII letter that cp is confusable with, or 0
static inline int
s_confusable (const ab_normalizer_t *nz, int32_t cp)
{
    if (cp >= 0 && cp < S_CP_TABLE)
        return nz->cp_table [cp] >> S_CP_LETTER_SHIFT;
    return ab_nzdata_confusable (nz->data, cp);
}

static inline bool
s_is_latin_letter (int32_t cp)
{
    if (cp < 0x80)
        return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
    return (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7)
        || (cp >= 0x1E00 && cp <= 0x1EFF) || (cp >= 0x2C60 && cp <= 0x2C7F)
        || (cp >= 0xA720 && cp <= 0xA7FF) || (cp >= 0xAB30 && cp <= 0xAB6F);
}

static inline bool
s_is_letter_or_mark (const ab_normalizer_t *nz, int32_t cp)
{
    if (cp < 0x80)
        return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
    utf8proc_category_t cat = s_category (nz, cp);
    return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_ME;
}

//  Is the raw text around pos written in Latin script?  Asked only for a
//  word made wholly of confusables, which is rare, so a plain scan of a
//  few hundred bytes is fine.
static bool
s_context_is_latin (s_pass1_t *st, size_t pos)
{
    //  Neighbouring words share the answer: a text made of such words
    //  must not cost a 512-byte scan per word
    if (st->ctx_pos != SIZE_MAX && pos >= st->ctx_pos && pos - st->ctx_pos < S_CONTEXT_REUSE)
        return st->ctx_latin;
    size_t from = pos > 256? pos - 256: 0;
    size_t to = pos + 256 < st->size? pos + 256: st->size;
    //  Start on a character boundary
    while (from < to && (st->raw [from] & 0xC0) == 0x80)
        from++;
    unsigned latin = 0, other = 0;
    for (size_t i = from; i < to;) {
        int32_t cp;
        bool invalid;
        i += s_utf8_decode (st->raw + i, to - i, &cp, &invalid);
        if (s_is_latin_letter (cp))
            latin++;
        else
        if (cp >= 0x80 && !s_confusable (st->nz, cp)
        &&  s_category (st->nz, cp) >= UTF8PROC_CATEGORY_LU
        &&  s_category (st->nz, cp) <= UTF8PROC_CATEGORY_LO)
            other++;
    }
    st->ctx_pos = pos;
    st->ctx_latin = latin >= 8 && latin >= 4 * other;
    return st->ctx_latin;
}

//  Rewrite to Latin the confusable letters of words that are Latin words
//  in disguise: every letter Latin or confusable, and either some letter
//  Latin or the text around Latin.  A word with any other letter of its
//  script ("Москва") is a real word and stays.
static void
s_repair_homoglyphs (s_pass1_t *st, int32_t *nf, const uint32_t *nf_off, size_t n)
{
    const ab_normalizer_t *nz = st->nz;
    size_t i = 0;
    while (i < n) {
        if (!s_is_letter_or_mark (nz, nf [i])) {
            i++;
            continue;
        }
        size_t start = i;
        unsigned latin = 0, confusable = 0, other = 0;
        for (; i < n && s_is_letter_or_mark (nz, nf [i]); i++) {
            int32_t cp = nf [i];
            if (s_is_latin_letter (cp))
                latin++;
            else
            if (s_confusable (nz, cp))
                confusable++;
            else
            if (s_category (nz, cp) <= UTF8PROC_CATEGORY_LO)
                other++;
        }
        if (confusable == 0 || other > 0)
            continue;
        if (latin == 0 && !s_context_is_latin (st, nf_off [start]))
            continue;
        for (size_t k = start; k < i; k++) {
            int letter = s_confusable (nz, nf [k]);
            if (letter)
                nf [k] = letter;
        }
        st->doc->homoglyphs += confusable;
    }
}

//  Write cp as UTF-8, every byte from raw offset o.  One and two bytes
//  inline: the plain-word path writes every letter of a homoglyph word.
static inline void
s_put_cp (s_pass1_t *st, int32_t cp, uint32_t o)
{
    if (cp < 0x80)
        s_put (st, (unsigned char) cp, o);
    else
    if (cp < 0x800) {
        s_put (st, (unsigned char) (0xC0 | (cp >> 6)), o);
        s_put (st, (unsigned char) (0x80 | (cp & 0x3F)), o);
    }
    else {
        unsigned char bytes [4];
        utf8proc_ssize_t len = utf8proc_encode_char (cp, bytes);
        for (utf8proc_ssize_t k = 0; k < len; k++)
            s_put (st, bytes [k], o);
    }
}

//  Write one normalized code point, folding punctuation and blanks
static void
s_emit (s_pass1_t *st, int32_t cp, uint32_t o)
{
    if (cp < 0x80) {
        if (cp == ' ')
            s_space (st, o);
        else
        if (cp == '\n')
            s_newline (st, (uint32_t) (o + s_raw_len (st->raw, st->size, o)));
        else
            s_put (st, (unsigned char) cp, o);
        return;
    }
    //  The cases below U+0800 are also kept off the plain-word path
    //  (S_CP_PLAIN in ab_normalizer_new)
    switch (cp) {
        case 0x2018: case 0x2019: case 0x201A: case 0x201B:
            s_put (st, '\'', o);
            return;
        case 0x201C: case 0x201D: case 0x201E: case 0x201F:
        case 0x00AB: case 0x00BB:
            s_put (st, '"', o);
            return;
        case 0x2010: case 0x2011: case 0x2012: case 0x2013:
        case 0x2212: case 0x2043:
            //  Hyphen, en dash, minus: one hyphen, spacing as written;
            //  nothing more in a run of dashes
            if (st->last != '-' && st->j != st->after_dash)
                s_put (st, '-', o);
            return;
        case 0x2014: case 0x2015: case 0x2E3A: case 0x2E3B:
            //  Em dash: " - ", even when written without blanks; a run of
            //  dashes ("--" then an em dash) becomes one
            if (st->j == st->after_dash)
                return;
            while (st->j > st->line_start && st->sc->buf [st->j - 1] == '-') {
                o = st->sc->off [--st->j];
                st->last = st->j > st->line_start? (unsigned char) st->sc->buf [st->j - 1]: ' ';
            }
            s_space (st, o);
            s_put (st, '-', o);
            s_put (st, ' ', o);
            st->after_dash = st->j;
            return;
        case 0x00AD: case 0x180E: case 0x200B: case 0x200E: case 0x200F:
        case 0x2060: case 0x2061: case 0x2062: case 0x2063: case 0x2064:
        case 0xFEFF: case 0x202A: case 0x202B: case 0x202C: case 0x202D:
        case 0x202E: case 0x2066: case 0x2067: case 0x2068: case 0x2069:
            //  Soft hyphen, zero-width and bidi format characters: invisible
            return;
        case 0x0085: case 0x2028:
            s_newline (st, (uint32_t) (o + s_raw_len (st->raw, st->size, o)));
            return;
        case 0x2029:
            s_newline (st, (uint32_t) (o + s_raw_len (st->raw, st->size, o)));
            st->blank = true;
            return;
        default:
            break;
    }
    if (s_category (st->nz, cp) == UTF8PROC_CATEGORY_ZS) {
        s_space (st, o);
        return;
    }
    s_put_cp (st, cp, o);
}

//  Sort one composition segment into canonical order (stable by combining
//  class between starters); segments are a handful of code points.
static void
s_canonical_order (int32_t *seg, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        int32_t cp = seg [i];
        int ccc = utf8proc_get_property (cp)->combining_class;
        if (ccc == 0)
            continue;
        size_t k = i;
        while (k > 0) {
            int prev = utf8proc_get_property (seg [k - 1])->combining_class;
            if (prev == 0 || prev <= ccc)
                break;
            seg [k] = seg [k - 1];
            k--;
        }
        seg [k] = cp;
    }
}

//  ASCII blanks end the word the slow and plain-word paths work on
static inline bool
s_is_ascii_blank (unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

//  Where the ASCII head of the current word starts in the output: the
//  bytes the fast path already wrote since the last blank, which the
//  paths below take back so that a combining mark or a homoglyph sees the
//  whole word
static size_t
s_word_head (const s_pass1_t *st)
{
    size_t k = st->j;
    size_t stop = st->j > S_HEAD_MAX? st->j - S_HEAD_MAX: 0;
    if (stop < st->no_back)
        stop = st->no_back;
    if (stop < st->line_start)
        stop = st->line_start;
    while (k > stop && st->sc->buf [k - 1] != ' ')
        k--;
    return k;
}

//  The plain-word path: a word of printable ASCII and plain two-byte code
//  points (S_CP_PLAIN: Cyrillic and Greek letters, say) comes out of NFKC
//  and folding as it went in, so only the homoglyph repair applies; it
//  writes what the slow path would, without its passes over the word.
//  Returns the raw position after the word, or 0 (nothing written) if the
//  word needs the slow path.
static size_t
s_plain_word (s_pass1_t *st, size_t i)
{
    const uint16_t *table = st->nz->cp_table;
    size_t k = s_word_head (st);
    if (st->j - k >= S_PLAIN_MAX)
        return 0;
    int32_t cps [S_PLAIN_MAX];
    uint32_t offs [S_PLAIN_MAX];
    size_t n = 0;
    for (size_t p = k; p < st->j; p++) {
        cps [n] = (unsigned char) st->sc->buf [p];
        offs [n++] = st->sc->off [p];
    }
    const unsigned char *raw = st->raw;
    size_t size = st->size;
    while (i < size) {
        unsigned char c = raw [i];
        if (s_is_ascii_blank (c))
            break;
        if (n == S_PLAIN_MAX || c < 0x20 || c == 0x7F)
            return 0;
        int32_t cp;
        bool invalid;
        size_t len = s_utf8_decode (raw + i, size - i, &cp, &invalid);
        if (invalid || len > 2 || (len == 2 && !(table [cp] & S_CP_PLAIN)))
            return 0;           //  ill-formed, three or four bytes, or not plain
        cps [n] = cp;
        offs [n++] = (uint32_t) i;
        i += len;
    }
    s_repair_homoglyphs (st, cps, offs, n);
    st->j = k;
    st->last = k > st->line_start? (unsigned char) st->sc->buf [k - 1]: ' ';
    for (size_t q = 0; q < n; q++)
        s_put_cp (st, cps [q], offs [q]);
    //  As the slow path: nothing written here is taken back again.  The
    //  output is no longer than the input read, so the fast path's room
    //  (reserved as input left + 64) still holds.
    st->no_back = st->j;
    return i;
}

//  The slow path: from the start of the current word up to the next ASCII
//  blank, decode, NFKC, repair homoglyphs, fold and write.  Returns the
//  raw position to continue from.
static size_t
s_slow_path (s_pass1_t *st, size_t i)
{
    struct ab_doc_scratch_t *sc = st->sc;
    ab_doc_t *doc = st->doc;
    size_t k = s_word_head (st);
    size_t head = st->j - k;
    if (s_reserve_pair (&sc->cps, &sc->cp_off, &sc->cp_cap, head + 2 * S_RUN_MAX + 8)) {
        st->oom = true;
        return st->size;
    }
    size_t n = 0;
    for (size_t p = k; p < st->j; p++) {
        sc->cps [n] = (unsigned char) sc->buf [p];
        sc->cp_off [n] = sc->off [p];
        n++;
    }
    st->j = k;
    st->last = k > st->line_start? (unsigned char) sc->buf [k - 1]: ' ';

    //  Decode up to the next ASCII blank, dropping controls
    size_t limit = head + S_RUN_MAX;
    while (i < st->size) {
        unsigned char c = st->raw [i];
        if (c < 0x80) {
            if (s_is_ascii_blank (c))
                break;
            if (n >= limit)
                break;              //  an ASCII character is a safe cut
            if (c < 0x20 || c == 0x7F)
                doc->controls++;
            else {
                sc->cps [n] = c;
                sc->cp_off [n++] = (uint32_t) i;
            }
            i++;
            continue;
        }
        if (n >= limit + S_RUN_MAX)
            break;                  //  no safe cut found: cut anyway
        int32_t cp;
        bool invalid;
        size_t len = s_utf8_decode (st->raw + i, st->size - i, &cp, &invalid);
        if (invalid)
            doc->invalid_utf8++;
        if (cp >= 0x80 && cp <= 0x9F && cp != 0x85)
            doc->controls++;        //  C1 control
        else
        if (cp == 0xFEFF)
            doc->controls++;        //  byte order mark
        else {
            if (n >= limit && !s_joins_segment (st->nz, cp))
                break;              //  a new segment starts: safe cut
            sc->cps [n] = cp;
            sc->cp_off [n++] = (uint32_t) i;
        }
        i += len;
    }

    //  NFKC: decompose each code point (compatibility), then reorder and
    //  compose each segment.  Code points without a decomposition are
    //  copied; a segment of one such code point needs no composition.
    if (s_reserve_pair (&sc->nf, &sc->nf_off, &sc->nf_cap, n * 18 + 8)) {
        st->oom = true;
        return st->size;
    }
    size_t m = 0;
    for (size_t q = 0; q < n; q++) {
        int32_t cp = sc->cps [q];
        if (cp >= 0xA0) {
            bool decomposes = cp < S_CP_TABLE
                            ? (st->nz->cp_table [cp] & S_CP_DECOMPOSES) != 0
                            : utf8proc_get_property (cp)->decomp_seqindex != UINT16_MAX
                              || (cp >= 0xAC00 && cp <= 0xD7A3);
            if (decomposes) {
                int boundclass = 0;
                utf8proc_ssize_t got = utf8proc_decompose_char (cp, sc->nf + m, 18,
                    (utf8proc_option_t) (UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT), &boundclass);
                if (got > 0 && got <= 18) {
                    for (utf8proc_ssize_t r = 0; r < got; r++)
                        sc->nf_off [m + (size_t) r] = sc->cp_off [q];
                    m += (size_t) got;
                    continue;
                }
            }
        }
        sc->nf [m] = cp;
        sc->nf_off [m++] = sc->cp_off [q];
    }
    size_t w = 0;
    for (size_t s = 0; s < m;) {
        size_t e = s + 1;
        while (e < m && s_joins_segment (st->nz, sc->nf [e]))
            e++;
        if (e - s == 1) {
            sc->nf [w] = sc->nf [s];
            sc->nf_off [w++] = sc->nf_off [s];
        }
        else {
            uint32_t seg_off = sc->nf_off [s];
            s_canonical_order (sc->nf + s, e - s);
            utf8proc_ssize_t len = utf8proc_normalize_utf32 (sc->nf + s, (utf8proc_ssize_t) (e - s),
                                                              UTF8PROC_COMPOSE);
            if (len < 0)
                len = (utf8proc_ssize_t) (e - s);
            for (utf8proc_ssize_t r = 0; r < len; r++) {
                sc->nf [w] = sc->nf [s + (size_t) r];
                sc->nf_off [w++] = seg_off;
            }
        }
        s = e;
    }
    m = w;

    s_repair_homoglyphs (st, sc->nf, sc->nf_off, m);

    //  Fold and write: at most 4 bytes per code point, 3 for an em dash
    if (s_pass1_reserve (st, m * 4 + 8))
        return st->size;
    for (size_t q = 0; q < m; q++) {
        s_emit (st, sc->nf [q], sc->nf_off [q]);
        if (st->oom)
            return st->size;
    }
    st->no_back = st->j;
    if (s_pass1_reserve (st, st->size - i + 64))
        return st->size;
    return i;
}

//  Nonzero if some byte of x equals c (exact, no false positives)
static inline uint64_t
s_has_byte (uint64_t x, unsigned char c)
{
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7Full;
    uint64_t y = x ^ (0x0101010101010101ull * c);
    return ~(((y & low7) + low7) | y | low7);
}

//  Any byte in x outside printable ASCII 0x20..0x7E?
static inline uint64_t
s_not_printable8 (uint64_t x)
{
    const uint64_t high = 0x8080808080808080ull;
    uint64_t ctrl = ~((x | high) - 0x2020202020202020ull) & high;
    uint64_t del = ((x & ~high) + 0x0101010101010101ull) & high;
    return (x & high) | ctrl | del;
}

//  The fast path: printable ASCII is copied with blanks collapsed, eight
//  bytes per check; everything else is handled byte by byte or handed to
//  the slow path.
static void
s_decode_pass (s_pass1_t *st)
{
    const unsigned char *raw = st->raw;
    size_t size = st->size;
    size_t i = 0;
    //  A byte order mark at the very start is not text
    if (size >= 3 && raw [0] == 0xEF && raw [1] == 0xBB && raw [2] == 0xBF) {
        st->doc->controls++;
        i = 3;
        st->raw_line_start = 3;
    }
    while (i < size && !st->oom) {
        char *out = st->sc->buf;
        uint32_t *off = st->sc->off;
        size_t j = st->j;
        unsigned char last = st->last;
        while (i + 8 <= size) {
            uint64_t x;
            memcpy (&x, raw + i, 8);
            if (s_not_printable8 (x))
                break;
            //  Most chunks hold no two blanks in a row (counting the byte
            //  before them): those are copied whole
            uint64_t blanks = s_has_byte (x, ' ');
            if (!(blanks & (blanks << 8)) && !((blanks & 0x80) && last == ' ')) {
                memcpy (out + j, raw + i, 8);
                for (unsigned k = 0; k < 8; k++)
                    off [j + k] = (uint32_t) (i + k);
                j += 8;
                last = raw [i + 7];
                i += 8;
                continue;
            }
            for (unsigned k = 0; k < 8; k++) {
                unsigned char c = raw [i + k];
                out [j] = (char) c;
                off [j] = (uint32_t) (i + k);
                j += !(c == ' ' && last == ' ');
                last = c;
            }
            i += 8;
        }
        st->j = j;
        st->last = last;
        if (i >= size)
            break;
        unsigned char c = raw [i];
        if (c >= 0x20 && c < 0x7F) {
            if (c != ' ' || st->last != ' ')
                s_put (st, c, (uint32_t) i);
            i++;
        }
        else
        if (c == '\n') {
            i++;
            s_newline (st, (uint32_t) i);
        }
        else
        if (c == '\r') {
            i++;
            if (i < size && raw [i] == '\n')
                i++;
            s_newline (st, (uint32_t) i);
        }
        else
        if (c == '\t') {
            s_space (st, (uint32_t) i);
            i++;
        }
        else
        if (c == '\f' || c == '\v') {
            //  Page and line feeds are controls, but they separate text
            st->doc->controls++;
            i++;
            s_newline (st, (uint32_t) i);
        }
        else
        if (c < 0x20 || c == 0x7F) {
            st->doc->controls++;
            i++;
        }
        else
        if (c == 0xE2 && i + 2 < size && raw [i + 1] == 0x80
        &&  (i + 3 == size || raw [i + 3] < 0x80)
        &&  ((raw [i + 2] >= 0x98 && raw [i + 2] <= 0x9D) || raw [i + 2] == 0x93 || raw [i + 2] == 0x94)) {
            //  Curly quotes and dashes, the non-ASCII of most English
            //  news: NFKC leaves them alone and, with ASCII after them,
            //  nothing can combine, so they are folded here directly
            s_emit (st, 0x2000 + (raw [i + 2] - 0x80), (uint32_t) i);
            i += 3;
        }
        else {
            size_t next = s_plain_word (st, i);
            i = next? next: s_slow_path (st, i);
        }
    }
    if (!st->oom)
        s_newline (st, (uint32_t) size);
    //  PCRE2's JIT may read an aligned word past a line's end; keep those
    //  bytes defined (memcheck otherwise flags the boilerplate rules)
    if (!st->oom && s_pass1_reserve (st, 64) == 0)
        memset (st->sc->buf + st->j, 0, 64);
}


//  ==========================================================================
//  Pass 2: boilerplate rules per line

//  Last character of a line, skipping closing quotes and brackets
static unsigned char
s_line_final (const char *text, size_t len)
{
    while (len && (text [len - 1] == '"' || text [len - 1] == '\''
               ||  text [len - 1] == ')' || text [len - 1] == ']'))
        len--;
    return len? (unsigned char) text [len - 1]: 0;
}

//  A line that reads like a headline in a link list: short, not a sentence
static bool
s_headline_like (const char *text, size_t len)
{
    unsigned char c = s_line_final (text, len);
    return len <= 160 && c != '.' && c != ',' && c != ';' && c != ':';
}

static void
s_boilerplate_pass (const ab_normalizer_t *self, ab_doc_t *doc)
{
    struct ab_doc_scratch_t *sc = doc->scratch;
    size_t rule_count;
    ab_nzdata_rules (self->data, &rule_count);
    if (rule_count == 0)
        return;
    if (!sc->md) {
        //  Only "does it match" is asked, so one pair is enough
        sc->md = pcre2_match_data_create (1, NULL);
        if (!sc->md)
            return;                 //  no memory: keep everything
    }
    s_line_t *lines = sc->lines;
    size_t count = sc->line_count;
    bool kept_before = false;
    for (size_t li = 0; li < count; li++) {
        s_line_t *line = &lines [li];
        if (line->drop)
            continue;
        const char *text = sc->buf + line->start;
        size_t len = line->end - line->start;
        const ab_bp_rule_t *hit = ab_nzdata_match_line (self->data, text, len, sc->md);
        if (!hit) {
            kept_before = true;
            continue;
        }
        switch (hit->action) {
            case AB_BP_DROP_LINE:
                line->drop = 1;
                break;
            case AB_BP_DROP_CAPTION:
                //  A photo caption sits right above its credit line; the
                //  line above goes too if it is the article's first line
                //  or reads like a caption, never a paragraph of text
                line->drop = 1;
                if (li > 0 && !line->blank_before && !lines [li - 1].drop) {
                    s_line_t *above = &lines [li - 1];
                    bool first = true;
                    for (size_t m = 0; m + 1 < li && first; m++)
                        first = lines [m].drop;
                    if (first || ab_nzdata_is_caption (self->data, sc->buf + above->start,
                                                       above->end - above->start, sc->md)) {
                        above->drop = 1;
                        kept_before = !first;
                    }
                }
                break;
            case AB_BP_CAPTION:
                //  Never returned as a hit: caption rules only qualify
                //  the line above a credit line
                kept_before = true;
                break;
            case AB_BP_DROP_BLOCK:
                //  The heading, then the headline list under it: a blank
                //  line may follow the heading, the next one ends the list
                line->drop = 1;
                for (size_t m = li + 1; m < count; m++) {
                    s_line_t *next = &lines [m];
                    if (m > li + 1 && next->blank_before)
                        break;
                    if (!s_headline_like (sc->buf + next->start, next->end - next->start))
                        break;
                    next->drop = 1;
                }
                break;
            case AB_BP_DROP_TO_END:
                //  A tail marker on the first line would erase the
                //  article: only a tail after some kept text counts
                if (!kept_before) {
                    kept_before = true;
                    break;
                }
                for (size_t m = li; m < count; m++)
                    lines [m].drop = 1;
                li = count;
                break;
        }
    }
}


//  ==========================================================================
//  Pass 3: paragraphs, sentences, repeats, fingerprint

static int
s_add_removed (ab_doc_t *doc, uint32_t start, uint32_t end)
{
    if (end <= start)
        return 0;
    if (doc->removed_count && doc->removed [doc->removed_count - 1].end >= start) {
        ab_span_t *last = &doc->removed [doc->removed_count - 1];
        if (end > last->end)
            last->end = end;
        return 0;
    }
    size_t cap = doc->removed_capacity;
    if (s_reserve ((void **) &doc->removed, &cap, doc->removed_count + 1, sizeof (ab_span_t)))
        return -1;
    doc->removed_capacity = (uint32_t) cap;
    doc->removed [doc->removed_count].start = start;
    doc->removed [doc->removed_count].end = end;
    doc->removed_count++;
    return 0;
}

static int
s_add_sentence (ab_doc_t *doc, uint32_t start, uint32_t end)
{
    size_t cap = doc->sentence_capacity;
    if (s_reserve ((void **) &doc->sentences, &cap, doc->sentence_count + 1, sizeof (ab_span_t)))
        return -1;
    doc->sentence_capacity = (uint32_t) cap;
    doc->sentences [doc->sentence_count].start = start;
    doc->sentences [doc->sentence_count].end = end;
    doc->sentence_count++;
    return 0;
}

static inline bool
s_is_upper (unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

static inline bool
s_is_alpha (unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

//  Does the period, "!" or "?" at p (closers up to q, then a blank, then
//  the next word at r) end a sentence?
static bool
s_sentence_break (const ab_normalizer_t *self, const char *text, size_t s, size_t p,
                  size_t q, size_t r, size_t end)
{
    unsigned char next = (unsigned char) text [r];
    //  A sentence starts with a capital, a digit, a quote or a bracket
    if (!(s_is_upper (next) || (next >= '0' && next <= '9') || next == '"' || next == '\''
       || next == '(' || next == '[' || next >= 0x80))
        return false;
    if (text [p] != '.' || q > p + 1)
        return true;
    //  The word ending in this period, without opening quotes/brackets
    size_t t = p;
    while (t > s && text [t - 1] != ' ')
        t--;
    while (t < p && (text [t] == '"' || text [t] == '\'' || text [t] == '(' || text [t] == '['))
        t++;
    size_t len = p + 1 - t;
    ab_abbr_kind_t kind = ab_nzdata_abbr (self->data, text + t, len, 0);
    //  A compound ends in the abbreviation: "the Japan-U.S. Security" is
    //  "U.S." before "Security"
    for (size_t h = p; kind == AB_ABBR_NONE && h > t; h--)
        if (text [h - 1] == '-' || text [h - 1] == '/') {
            t = h;
            len = p + 1 - t;
            kind = ab_nzdata_abbr (self->data, text + t, len, 0);
            break;
        }
    if (kind == AB_ABBR_NONE) {
        //  A lone initial ("Joe R. Biden") or initials ("U.K.") unlisted
        if (len == 2 && s_is_upper ((unsigned char) text [t]))
            return false;
        bool initials = len >= 4;
        for (size_t k = t; k < p + 1 && initials; k += 2)
            initials = s_is_alpha ((unsigned char) text [k]) && text [k + 1] == '.';
        if (initials)
            kind = AB_ABBR_AMBIGUOUS;
    }
    switch (kind) {
        case AB_ABBR_TITLE:
            return false;
        case AB_ABBR_NUMBER:
            return !(next >= '0' && next <= '9');
        case AB_ABBR_AMBIGUOUS: {
            //  "the U.S. The" ends; "the U.S. Navy" does not
            size_t e = r;
            while (e < end && s_is_alpha ((unsigned char) text [e]))
                e++;
            return ab_nzdata_abbr (self->data, text + r, e - r, 1) == AB_ABBR_STARTER;
        }
        default:
            return true;
    }
}

//  Word hashing: bytes are gathered eight at a time and mixed once per
//  eight, which keeps the per-byte cost at a shift and an or.
static inline uint64_t
s_mix64 (uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

//  One multiply and a shift: word hashes only feed the shingle hash (a
//  full mix) and the repeat check, so they need not be strong alone
static inline uint64_t
s_word_step (uint64_t h)
{
    h *= 0x9FB21C651E98DF25ull;
    return h ^ (h >> 29);
}

//  Add n feature hashes.  The accumulators live in locals for the loop:
//  read-modify-write through memory would chain every feature on store
//  forwarding and cost three times as much.
static void
s_simhash_add (const ab_normalizer_t *self, s_simhash_t *sh, const uint64_t *hashes, size_t n)
{
    const uint64_t *lanes = self->lanes;
    while (n) {
        //  A byte lane holds 255: flush to the counts before it overflows
        size_t batch = 255 - sh->pending;
        if (batch > n)
            batch = n;
        uint64_t a0 = sh->acc [0], a1 = sh->acc [1], a2 = sh->acc [2], a3 = sh->acc [3];
        uint64_t a4 = sh->acc [4], a5 = sh->acc [5], a6 = sh->acc [6], a7 = sh->acc [7];
        for (size_t i = 0; i < batch; i++) {
            uint64_t h = hashes [i];
            a0 += lanes [h & 0xFF];
            a1 += lanes [(h >> 8) & 0xFF];
            a2 += lanes [(h >> 16) & 0xFF];
            a3 += lanes [(h >> 24) & 0xFF];
            a4 += lanes [(h >> 32) & 0xFF];
            a5 += lanes [(h >> 40) & 0xFF];
            a6 += lanes [(h >> 48) & 0xFF];
            a7 += lanes [h >> 56];
        }
        sh->acc [0] = a0; sh->acc [1] = a1; sh->acc [2] = a2; sh->acc [3] = a3;
        sh->acc [4] = a4; sh->acc [5] = a5; sh->acc [6] = a6; sh->acc [7] = a7;
        sh->pending += (uint32_t) batch;
        sh->total += (uint32_t) batch;
        hashes += batch;
        n -= batch;
        if (sh->pending == 255) {
            for (unsigned b = 0; b < 8; b++) {
                for (unsigned k = 0; k < 8; k++)
                    sh->counts [8 * k + b] += (int32_t) ((sh->acc [b] >> (8 * k)) & 0xFF);
                sh->acc [b] = 0;
            }
            sh->pending = 0;
        }
    }
}

//  Feed the words of one sentence: shingles of three consecutive words,
//  running on across sentences.  Overwrites words[] with shingle hashes.
static void
s_simhash_words (const ab_normalizer_t *self, s_simhash_t *sh, uint64_t *words, size_t n)
{
    size_t shingles = 0;
    for (size_t x = 0; x < n; x++) {
        sh->ring [0] = sh->ring [1];
        sh->ring [1] = sh->ring [2];
        sh->ring [2] = words [x];
        if (++sh->words >= 3)
            words [shingles++] = s_mix64 (sh->ring [0] * 0x9E3779B97F4A7C15ull
                                        + sh->ring [1] * 0xC2B2AE3D27D4EB4Full + sh->ring [2]);
    }
    s_simhash_add (self, sh, words, shingles);
}

static uint64_t
s_simhash_final (const ab_normalizer_t *self, s_simhash_t *sh)
{
    //  Fewer than three words: the words themselves are the features
    if (sh->words < 3)
        for (uint32_t k = 3 - sh->words; k < 3; k++) {
            uint64_t h = s_mix64 (sh->ring [k]);
            s_simhash_add (self, sh, &h, 1);
        }
    for (unsigned b = 0; b < 8; b++)
        for (unsigned k = 0; k < 8; k++)
            sh->counts [8 * k + b] += (int32_t) ((sh->acc [b] >> (8 * k)) & 0xFF);
    uint64_t fp = 0;
    for (unsigned bit = 0; bit < 64; bit++)
        if (2 * (int64_t) sh->counts [bit] > (int64_t) sh->total)
            fp |= (uint64_t) 1 << bit;
    return fp;
}

//  Split text[a, b) into lowercased word hashes (into sc->words); returns
//  the word count or -1 on no memory.  Periods, apostrophes and hyphens
//  inside a word are skipped, so "U.S." and "US", "China's" and
//  "Chinas" hash alike and a re-punctuated copy keeps its fingerprint.
static long
s_sentence_words (const ab_normalizer_t *self, struct ab_doc_scratch_t *sc,
                  const char *text, size_t a, size_t b)
{
    if (s_reserve ((void **) &sc->words, &sc->word_cap, (b - a) / 2 + 2, sizeof (uint64_t)))
        return -1;
    const uint8_t *word_byte = self->word_byte;
    uint64_t *words = sc->words;
    size_t n = 0;
    uint64_t h = 0, acc = 0;
    unsigned shift = 0, len = 0;
    for (size_t p = a; p < b; p++) {
        uint64_t c = word_byte [(unsigned char) text [p]];
        if (c) {
            acc |= c << shift;
            shift += 8;
            len++;
            if (shift == 64) {
                h = s_word_step (h ^ acc);
                acc = 0;
                shift = 0;
            }
            continue;
        }
        if (len == 0)
            continue;
        char d = text [p];
        if ((d == '.' || d == '\'' || d == '-') && p + 1 < b
        &&  word_byte [(unsigned char) text [p + 1]])
            continue;               //  inside "U.S.", "China's", "co-op"
        words [n++] = s_word_step (h ^ acc ^ ((uint64_t) len << 56));
        h = acc = 0;
        shift = len = 0;
    }
    if (len)
        words [n++] = s_word_step (h ^ acc ^ ((uint64_t) len << 56));
    return (long) n;
}

//  Has this sentence key been seen in the article?  Inserts it if not.
//  Returns 1 if seen, 0 if new, -1 on no memory.
static int
s_seen_before (struct ab_doc_scratch_t *sc, uint64_t key)
{
    if (key == 0)
        key = 1;                    //  0 marks an empty slot
    if ((sc->seen_count + 1) * 2 > sc->seen_slots) {
        size_t slots = sc->seen_slots? sc->seen_slots * 2: 64;
        uint64_t *table = (uint64_t *) calloc (slots, sizeof (uint64_t));
        if (!table)
            return -1;
        for (size_t i = 0; i < sc->seen_slots; i++)
            if (sc->seen [i])
                for (size_t k = sc->seen [i] & (slots - 1);; k = (k + 1) & (slots - 1))
                    if (!table [k]) {
                        table [k] = sc->seen [i];
                        break;
                    }
        free (sc->seen);
        sc->seen = table;
        sc->seen_slots = slots;
    }
    size_t mask = sc->seen_slots - 1;
    for (size_t k = key & mask;; k = (k + 1) & mask) {
        if (sc->seen [k] == key)
            return 1;
        if (!sc->seen [k]) {
            sc->seen [k] = key;
            sc->seen_count++;
            return 0;
        }
    }
}

//  Split the paragraph text[ps, *pe) into sentences, drop repeats of
//  earlier sentences (moving the rest down), feed kept words to the
//  simhash.  Updates *pe.  Returns 0 or -1 on no memory.
static int
s_paragraph (const ab_normalizer_t *self, ab_doc_t *doc, const char *raw, size_t size,
             size_t ps, size_t *pe, s_simhash_t *sh)
{
    struct ab_doc_scratch_t *sc = doc->scratch;
    char *text = doc->text;
    uint32_t *off = doc->raw_offset;
    size_t end = *pe;
    uint32_t first = doc->sentence_count;
    size_t s = ps;
    for (size_t p = ps; p < end; p++) {
        //  Skip eight bytes at a time to the next '.', '!' or '?'
        while (p + 8 <= end) {
            uint64_t x;
            memcpy (&x, text + p, 8);
            if (s_has_byte (x, '.') | s_has_byte (x, '!') | s_has_byte (x, '?'))
                break;
            p += 8;
        }
        if (p >= end)
            break;
        unsigned char c = (unsigned char) text [p];
        if (c != '.' && c != '!' && c != '?')
            continue;
        size_t q = p + 1;
        while (q < end && (text [q] == '.' || text [q] == '!' || text [q] == '?'
                       ||  text [q] == '"' || text [q] == '\'' || text [q] == ')' || text [q] == ']'))
            q++;
        if (q >= end)
            break;
        if (text [q] != ' ' || q + 1 >= end) {
            p = q - 1;
            continue;
        }
        if (s_sentence_break (self, text, s, p, q, q + 1, end)) {
            if (s_add_sentence (doc, (uint32_t) s, (uint32_t) q))
                return -1;
            s = q + 1;
        }
        p = q;
    }
    if (s < end && s_add_sentence (doc, (uint32_t) s, (uint32_t) end))
        return -1;

    //  Repeats out, survivors moved down, words into the fingerprint
    size_t w = ps;
    uint32_t kept = first;
    for (uint32_t k = first; k < doc->sentence_count; k++) {
        size_t a = doc->sentences [k].start, b = doc->sentences [k].end;
        size_t next = k + 1 < doc->sentence_count? doc->sentences [k + 1].start: end;
        long words = s_sentence_words (self, sc, text, a, b);
        if (words < 0)
            return -1;
        uint64_t key = 0x84222325cbf29ce4ull;
        for (long x = 0; x < words; x++)
            key = (key ^ sc->words [x]) * 0x9E3779B97F4A7C15ull;
        if (words >= S_DEDUPE_MIN_WORDS) {
            int seen = s_seen_before (sc, key);
            if (seen < 0)
                return -1;
            if (seen) {
                uint32_t raw_end = (uint32_t) (off [b - 1] + s_raw_len ((const unsigned char *) raw,
                                                                          size, off [b - 1]));
                if (s_add_removed (doc, off [a], raw_end))
                    return -1;
                continue;
            }
        }
        s_simhash_words (self, sh, sc->words, (size_t) words);
        if (w != a) {
            memmove (text + w, text + a, next - a);
            memmove (off + w, off + a, (next - a) * sizeof (uint32_t));
        }
        doc->sentences [kept].start = (uint32_t) w;
        doc->sentences [kept].end = (uint32_t) (w + (b - a));
        kept++;
        w += next - a;
    }
    doc->sentence_count = kept;
    if (w > ps && text [w - 1] == ' ')
        w--;
    *pe = w;
    return 0;
}

//  Should the line after prev continue prev's paragraph?  Yes for
//  hard-wrapped text: prev does not end a sentence, and either it is long
//  or the next line goes on in lower case.
static bool
s_joins (const char *buf, const s_line_t *prev, const s_line_t *line)
{
    size_t len = prev->end - prev->start;
    unsigned char c = s_line_final (buf + prev->start, len);
    if (c == '.' || c == '!' || c == '?' || c == ':')
        return false;
    unsigned char first = (unsigned char) buf [line->start];
    if (first == '-' || first == '*' || first == '"')
        return false;
    return (first >= 'a' && first <= 'z') || len >= S_WRAP_MIN_LEN;
}

static int
s_assemble_pass (const ab_normalizer_t *self, const char *raw, size_t size, ab_doc_t *doc)
{
    struct ab_doc_scratch_t *sc = doc->scratch;
    size_t bound = 1;
    for (size_t li = 0; li < sc->line_count; li++)
        bound += sc->lines [li].end - sc->lines [li].start + 2;
    size_t cap = doc->text_capacity;
    if (s_reserve ((void **) &doc->text, &cap, bound, 1))
        return -1;
    doc->text_capacity = cap;
    cap = doc->raw_offset_capacity;
    if (s_reserve ((void **) &doc->raw_offset, &cap, bound, sizeof (uint32_t)))
        return -1;
    doc->raw_offset_capacity = cap;
    if (sc->seen_count) {
        memset (sc->seen, 0, sc->seen_slots * sizeof (uint64_t));
        sc->seen_count = 0;
    }
    s_simhash_t sh;
    memset (&sh, 0, sizeof sh);

    char *text = doc->text;
    uint32_t *off = doc->raw_offset;
    size_t j = 0;
    size_t para_start = 0;
    bool in_para = false;           //  a paragraph is open at para_start
    bool separated = false;         //  "\n\n" written before it
    const s_line_t *prev = NULL;    //  last kept line, if not cut off
    for (size_t li = 0; li <= sc->line_count; li++) {
        const s_line_t *line = li < sc->line_count? &sc->lines [li]: NULL;
        bool join = line && !line->drop && prev && !line->blank_before
                 && s_joins (sc->buf, prev, line);
        if (in_para && !join) {
            //  Close the open paragraph
            if (s_paragraph (self, doc, raw, size, para_start, &j, &sh))
                return -1;
            if (j == para_start && separated)
                j -= 2;             //  every sentence was a repeat
            in_para = false;
        }
        if (!line)
            break;
        if (line->drop) {
            if (s_add_removed (doc, line->raw_start, line->raw_end))
                return -1;
            prev = NULL;
            continue;
        }
        //  A blank or break between lines maps to the line break, kept
        //  between its neighbours' offsets so the map never goes back
        //  (a composition segment may carry an offset across a break)
        uint32_t o = prev && prev->raw_end? prev->raw_end - 1: line->raw_start;
        if (o > sc->off [line->start])
            o = sc->off [line->start];
        if (j > 0 && o < off [j - 1])
            o = off [j - 1];
        if (join) {
            text [j] = ' ';
            off [j++] = o;
        }
        else {
            separated = j > 0;
            if (separated) {
                text [j] = '\n';
                off [j++] = o;
                text [j] = '\n';
                off [j++] = o;
            }
            para_start = j;
            in_para = true;
        }
        size_t len = line->end - line->start;
        memcpy (text + j, sc->buf + line->start, len);
        memcpy (off + j, sc->off + line->start, len * sizeof (uint32_t));
        j += len;
        prev = line;
    }
    text [j] = 0;
    off [j] = (uint32_t) size;
    doc->size = j;
    doc->boilerplate = doc->removed_count;
    doc->fingerprint = s_simhash_final (self, &sh);
    return 0;
}
