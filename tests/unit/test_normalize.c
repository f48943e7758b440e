/*  =========================================================================
    test_normalize - ab_normalize: UTF-8 repair, NFKC, folding, homoglyphs,
    boilerplate, sentences, fingerprint

    Fixtures are short texts written for these tests.  The seed articles in
    ../shared/seeds are read at run time when present (skipped otherwise).
    Run from the repo root: the rules are loaded from workers/rules.
    =========================================================================
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#include "ab_file.h"
#include "ab_normalize.h"

#define SEEDS "../shared/seeds"

typedef struct {
    ab_normalizer_t *nz;
    ab_doc_t *doc;
} fixture_t;

static int
setup (void **state)
{
    fixture_t *fx = (fixture_t *) calloc (1, sizeof (fixture_t));
    char err [512] = "";
    fx->nz = ab_normalizer_new ("workers/rules", err, sizeof err);
    if (!fx->nz) {
        fprintf (stderr, "test_normalize: %s\n", err);
        free (fx);
        return -1;
    }
    fx->doc = ab_doc_new ();
    *state = fx;
    return fx->doc? 0: -1;
}

static int
teardown (void **state)
{
    fixture_t *fx = (fixture_t *) *state;
    ab_doc_destroy (&fx->doc);
    assert_null (fx->doc);
    ab_normalizer_destroy (&fx->nz);
    assert_null (fx->nz);
    free (fx);
    return 0;
}

//  Normalize a NUL-terminated string; returns the doc's text
static const char *
s_norm (fixture_t *fx, const char *raw)
{
    assert_int_equal (ab_normalize (fx->nz, raw, strlen (raw), fx->doc), 0);
    return fx->doc->text;
}

//  Every text byte is valid UTF-8, the map is well formed
static void
s_check_doc (const ab_doc_t *doc, size_t raw_size)
{
    assert_int_equal (strlen (doc->text), doc->size);
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *) doc->text;
    utf8proc_ssize_t left = (utf8proc_ssize_t) doc->size;
    while (left > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate (p, left, &cp);
        assert_true (n > 0);
        //  No controls other than newline survive
        assert_false (cp < 0x20 && cp != '\n');
        assert_false (cp >= 0x7F && cp <= 0x9F);
        assert_int_not_equal (cp, 0xFEFF);
        p += n;
        left -= n;
    }
    for (size_t i = 0; i < doc->size; i++)
        assert_true (doc->raw_offset [i] < raw_size || raw_size == 0);
    assert_int_equal (doc->raw_offset [doc->size], raw_size);
    for (uint32_t k = 0; k < doc->sentence_count; k++) {
        assert_true (doc->sentences [k].start < doc->sentences [k].end);
        assert_true (doc->sentences [k].end <= doc->size);
        if (k)
            assert_true (doc->sentences [k - 1].end <= doc->sentences [k].start);
    }
    assert_int_equal (doc->boilerplate, doc->removed_count);
    for (uint32_t k = 0; k < doc->removed_count; k++) {
        assert_true (doc->removed [k].start < doc->removed [k].end);
        assert_true (doc->removed [k].end <= raw_size);
    }
}

static char *
s_read (const char *path, size_t *size)
{
    FILE *f = fopen (path, "rb");
    if (!f)
        return NULL;
    fseek (f, 0, SEEK_END);
    long n = ftell (f);
    fseek (f, 0, SEEK_SET);
    char *data = (char *) malloc ((size_t) n + 1);
    assert_non_null (data);
    assert_int_equal (fread (data, 1, (size_t) n, f), (size_t) n);
    data [n] = 0;
    fclose (f);
    *size = (size_t) n;
    return data;
}

//  Path of the seed whose name starts with prefix, or NULL
static char *
s_seed_path (const char *prefix)
{
    DIR *dir = opendir (SEEDS);
    if (!dir)
        return NULL;
    struct dirent *entry;
    char *path = NULL;
    while ((entry = readdir (dir)))
        if (strncmp (entry->d_name, prefix, strlen (prefix)) == 0
        &&  strstr (entry->d_name, ".txt")) {
            path = (char *) malloc (strlen (SEEDS) + strlen (entry->d_name) + 2);
            sprintf (path, "%s/%s", SEEDS, entry->d_name);
            break;
        }
    closedir (dir);
    return path;
}

static char *
s_read_seed (const char *prefix, size_t *size)
{
    char *path = s_seed_path (prefix);
    if (!path) {
        printf ("  (skipped: seed %s* not found under %s)\n", prefix, SEEDS);
        return NULL;
    }
    char *data = s_read (path, size);
    free (path);
    return data;
}

//  Replace every occurrence of from with to (same or shorter allowed)
static char *
s_replace_all (const char *text, const char *from, const char *to)
{
    size_t flen = strlen (from), tlen = strlen (to), count = 0;
    for (const char *p = strstr (text, from); p; p = strstr (p + flen, from))
        count++;
    char *out = (char *) malloc (strlen (text) + count * (tlen > flen? tlen - flen: 0) + 1);
    assert_non_null (out);
    char *w = out;
    for (const char *p = text;;) {
        const char *hit = strstr (p, from);
        if (!hit) {
            strcpy (w, p);
            break;
        }
        memcpy (w, p, (size_t) (hit - p));
        w += hit - p;
        memcpy (w, to, tlen);
        w += tlen;
        p = hit + flen;
    }
    return out;
}


//  --------------------------------------------------------------------------
//  UTF-8 and controls

static void
test_ascii_and_offsets (void **state)
{
    fixture_t *fx = (fixture_t *) *state;
    const char *raw = "Plain text stays as it is.";
    assert_string_equal (s_norm (fx, raw), raw);
    s_check_doc (fx->doc, strlen (raw));
    for (size_t i = 0; i < fx->doc->size; i++)
        assert_int_equal (fx->doc->raw_offset [i], i);
    assert_int_equal (fx->doc->invalid_utf8, 0);
    assert_int_equal (fx->doc->controls, 0);

    //  Empty and blank input
    assert_int_equal (ab_normalize (fx->nz, "", 0, fx->doc), 0);
    assert_int_equal (fx->doc->size, 0);
    assert_string_equal (fx->doc->text, "");
    assert_int_equal (fx->doc->sentence_count, 0);
    assert_string_equal (s_norm (fx, " \n\n \t \r\n"), "");
}

static void
test_invalid_utf8 (void **state)
{
    fixture_t *fx = (fixture_t *) *state;
    static const struct {
        const char *raw;
        const char *text;
        uint32_t invalid;
    } cases [] = {
        { "a\x80" "b", "a\xEF\xBF\xBD" "b", 1 },                    //  lone continuation
        { "a\xC0\xAF" "b", "a\xEF\xBF\xBD\xEF\xBF\xBD" "b", 2 },     //  overlong '/'
        { "a\xE0\x80\xAF" "b", "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "b", 3 },
        { "a\xED\xA0\x80" "b", "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "b", 3 },  //  surrogate
        { "a\xF4\x90\x80\x80" "b", "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "b", 4 },
        { "a\xF5" "b", "a\xEF\xBF\xBD" "b", 1 },
        { "a\xFF" "b", "a\xEF\xBF\xBD" "b", 1 },
        { "a\xE2\x82" "b", "a\xEF\xBF\xBD" "b", 1 },                 //  truncated, one subpart
        { "ab\xE2\x82", "ab\xEF\xBF\xBD", 1 },                       //  truncated at the end
        { "\xF0\x9F\x98", "\xEF\xBF\xBD", 1 },
        { "ok \xC3\xA9 \xC3", "ok \xC3\xA9 \xEF\xBF\xBD", 1 },        //  good 'é', bad tail
        { "\xEF\xBF\xBD", "\xEF\xBF\xBD", 0 },                       //  a real U+FFFD is valid
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        const char *text = s_norm (fx, cases [i].raw);
        assert_string_equal (text, cases [i].text);
        assert_int_equal (fx->doc->invalid_utf8, cases [i].invalid);
        s_check_doc (fx->doc, strlen (cases [i].raw));
    }
}

static void
test_controls (void **state)
{
    fixture_t *fx = (fixture_t *) *state;
    //  NUL, BEL, DEL stripped; tab becomes a blank
    const char raw [] = "ab\0c\x07" "d\x7F" "e\tf";
    assert_int_equal (ab_normalize (fx->nz, raw, sizeof raw - 1, fx->doc), 0);
    assert_string_equal (fx->doc->text, "abcde f");
    assert_int_equal (fx->doc->controls, 3);
    s_check_doc (fx->doc, sizeof raw - 1);

    //  BOM at the start and inside, C1 control U+0090 stripped
    s_norm (fx, "\xEF\xBB\xBFHello\xEF\xBB\xBF world\xC2\x90!");
    assert_string_equal (fx->doc->text, "Hello world!");
    assert_int_equal (fx->doc->controls, 3);

    //  U+0085 (NEL) and U+2028 break lines, U+2029 paragraphs
    s_norm (fx, "One.\xC2\x85Two.\xE2\x80\xA9Three.");
    assert_string_equal (fx->doc->text, "One.\n\nTwo.\n\nThree.");

    //  Controls inside a non-ASCII word are stripped there too
    const char raw2 [] = "caf\xC3\xA9\0s";
    assert_int_equal (ab_normalize (fx->nz, raw2, sizeof raw2 - 1, fx->doc), 0);
    assert_string_equal (fx->doc->text, "caf\xC3\xA9s");
    assert_int_equal (fx->doc->controls, 1);
}

//  --------------------------------------------------------------------------
//  NFKC

static void
test_nfkc (void **state)
{
    fixture_t *fx = (fixture_t *) *state;
    //  Ligature, fullwidth, circled digit, compatibility Angstrom sign
    assert_string_equal (s_norm (fx, "\xEF\xAC\x81nal"), "final");
    assert_string_equal (s_norm (fx, "\xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3 1"), "ABC 1");
    assert_string_equal (s_norm (fx, "No \xE2\x91\xA0"), "No 1");
    assert_string_equal (s_norm (fx, "\xE2\x84\xAB"), "\xC3\x85");
    //  Combining acute after an ASCII letter written by the fast path
    assert_string_equal (s_norm (fx, "cafe\xCC\x81 bar"), "caf\xC3\xA9 bar");
    //  Hangul jamo compose into a syllable
    assert_string_equal (s_norm (fx, "\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8"), "\xEA\xB0\x81");

    //  Agrees with utf8proc's own NFKC where no folding applies
    static const char *same [] = {
        "a\xCC\xA3\xCC\x87 x",                  //  marks out of canonical order
        "a\xCC\x87\xCC\xA3 x",
        "\xE1\xBA\x9B\xCC\xA3",                 //  long s with dot above + dot below
        "\xEF\xBE\x8A\xEF\xBE\x9F",             //  halfwidth katakana + voiced mark
        "x\xE0\xAD\x87\xE0\xAC\xBE y",          //  Oriya two-part vowel
        "\xE3\x8D\xBB abc",                     //  square era name
        "\xC2\xBD and \xC2\xB2",
    };
    for (size_t i = 0; i < sizeof same / sizeof same [0]; i++) {
        utf8proc_uint8_t *want = utf8proc_NFKC ((const utf8proc_uint8_t *) same [i]);
        assert_non_null (want);
        assert_string_equal (s_norm (fx, same [i]), (const char *) want);
        free (want);
    }
}

//  --------------------------------------------------------------------------
//  Punctuation and blanks

static void
test_folding (void **state)
{
    fixture_t *fx = (fixture_t *) *state;
    static const struct {
        const char *raw, *text;
    } cases [] = {
        { "\xE2\x80\x9CHi,\xE2\x80\x9D she said.", "\"Hi,\" she said." },
        { "China\xE2\x80\x99s \xE2\x80\x98plan\xE2\x80\x99", "China's 'plan'" },
        { "\xC2\xAB" "bonjour\xC2\xBB", "\"bonjour\"" },
        { "pages 2\xE2\x80\x93" "3", "pages 2-3" },
        { "Biden\xE2\x80\x93Kishida summit", "Biden-Kishida summit" },
        { "rank \xE2\x80\x94 the highest \xE2\x80\x94 here", "rank - the highest - here" },
        { "rank\xE2\x80\x94the highest", "rank - the highest" },
        { "a\xE2\x80\x93\xE2\x80\x94" "b", "a - b" },
        { "a\xE2\x80\x94\xE2\x80\x93\xE2\x80\x94" "b", "a - b" },
        { "a --\xE2\x80\x94 b", "a - b" },
        { "minus \xE2\x88\x92" "5", "minus -5" },
        { "a\xC2\xA0\xC2\xA0" "b", "a b" },                 //  NBSP
        { "5\xE2\x80\x89" "000 km", "5 000 km" },           //  thin space
        { "x\xE2\x80\xAF" "y", "x y" },                     //  narrow NBSP
        { "co\xC2\xAD" "operation", "cooperation" },        //  soft hyphen
        { "zero\xE2\x80\x8Bwidth", "zerowidth" },           //  ZWSP
        { "  many    blanks   here  ", "many blanks here" },
        { "x\xE2\x80\x8F\xE2\x80\xAEy", "xy" },             //  bidi controls
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        assert_string_equal (s_norm (fx, cases [i].raw), cases [i].text);
        s_check_doc (fx->doc, strlen (cases [i].raw));
    }
}

static void
test_paragraphs (void **state)
{
    fixture_t *fx = (fixture_t *) *state;
    //  Blank lines collapse to one; CRLF and CR are line breaks
    assert_string_equal (s_norm (fx, "First one.\r\n\r\n\r\n\r\nSecond one.\rThird one."),
                         "First one.\n\nSecond one.\n\nThird one.");
    //  Hard-wrapped lines join up; a heading stays its own paragraph
    const char *wrapped =
        "A heading\n"
        "The committee met on Tuesday to discuss the budget for the next\n"
        "year and agreed to raise spending on roads, bridges and\n"
        "schools by a modest amount.\n"
        "\n"
        "Another paragraph follows.";
    assert_string_equal (s_norm (fx, wrapped),
        "A heading\n\n"
        "The committee met on Tuesday to discuss the budget for the next year and agreed "
        "to raise spending on roads, bridges and schools by a modest amount.\n\n"
        "Another paragraph follows.");
    assert_int_equal (fx->doc->sentence_count, 3);
    //  A line continuing in lower case joins even when short
    assert_string_equal (s_norm (fx, "Short line\ncontinues here."), "Short line continues here.");
}

//  --------------------------------------------------------------------------
//  Homoglyphs

static void
test_homoglyphs (void **state)
{
    fixture_t *fx = (fixture_t *) *state;
    //  Cyrillic e inside an English word
    assert_string_equal (s_norm (fx, "th\xD0\xB5 cat"), "the cat");
    assert_int_equal (fx->doc->homoglyphs, 1);
    //  Greek omicron and Cyrillic capital E
    assert_string_equal (s_norm (fx, "d\xCE\xBFg \xD0\x95gg"), "dog Egg");
    assert_int_equal (fx->doc->homoglyphs, 2);
    //  A word made only of Cyrillic confusables, in English text
    assert_string_equal (s_norm (fx, "The two sides agreed on a \xD1\x80\xD0\xB5\xD0\xB0\xD1\x81\xD0\xB5 plan today."),
                         "The two sides agreed on a peace plan today.");
    assert_int_equal (fx->doc->homoglyphs, 5);
    //  Real Cyrillic and Greek words stay
    const char *moscow = "The capital \xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0 is large.";
    assert_string_equal (s_norm (fx, moscow), moscow);
    assert_int_equal (fx->doc->homoglyphs, 0);
    const char *greece = "\xCE\x95\xCE\xBB\xCE\xBB\xCE\xAC\xCE\xB4\xCE\xB1 and Rome";
    assert_string_equal (s_norm (fx, greece), greece);
    assert_int_equal (fx->doc->homoglyphs, 0);
    //  An all-confusable Cyrillic word inside Russian text stays
    const char *russian = "\xD0\x9E\xD0\xBD \xD0\xB2\xD0\xB8\xD0\xB4\xD0\xB5\xD0\xBB "
                          "\xD1\x81\xD0\xBE\xD0\xBA \xD0\xB8 \xD0\xB1\xD1\x8B\xD0\xBB "
                          "\xD1\x80\xD0\xB0\xD0\xB4 \xD0\xB2\xD1\x87\xD0\xB5\xD1\x80\xD0\xB0.";
    assert_string_equal (s_norm (fx, russian), russian);
    assert_int_equal (fx->doc->homoglyphs, 0);
    //  Words the plain-word path hands over to the slow path are repaired
    //  the same: a soft hyphen inside, a guillemet, a word too long for it
    assert_string_equal (s_norm (fx, "th\xD0\xB5\xC2\xADory of \xC2\xABp\xD0\xB5" "ace\xC2\xBB"),
                         "theory of \"peace\"");
    assert_int_equal (fx->doc->homoglyphs, 2);
    char long_word [128], expected [128];
    memset (long_word, 'a', 70);
    memcpy (long_word + 70, "\xD0\xB5z", 4);
    memset (expected, 'a', 70);
    memcpy (expected + 70, "ez", 3);
    assert_string_equal (s_norm (fx, long_word), expected);
    assert_int_equal (fx->doc->homoglyphs, 1);
}

//  --------------------------------------------------------------------------
//  Boilerplate

static const char *s_article =
    "Officials said the harbor expansion would double cargo capacity by 2027.\n"
    "Harbor cranes at dusk (left) seen from the pier\n"
    "Jane Doe | Reuters | Getty Images\n"
    "The project was approved by the city council on Monday after months of debate.\n"
    "\n"
    "Related Stories\n"
    "\n"
    "City Approves New Bridge Funding\n"
    "Port Workers Rally for Higher Wages\n"
    "\n"
    "Construction will begin in the spring, the port authority said in a statement.\n"
    "\n"
    "Source link\n"
    "\n"
    "I'm Harbor Watch, the author behind a small news blog about ports.\n"
    "\n"
    "Leave a Reply\n"
    "\n"
    "This site uses Akismet to reduce spam.\n";

static void
test_boilerplate (void **state)
{
    fixture_t *fx = (fixture_t *) *state;
    const char *text = s_norm (fx, s_article);
    s_check_doc (fx->doc, strlen (s_article));
    assert_non_null (strstr (text, "double cargo capacity"));
    assert_non_null (strstr (text, "approved by the city council"));
    assert_non_null (strstr (text, "Construction will begin"));
    assert_null (strstr (text, "Getty"));
    assert_null (strstr (text, "(left)"));
    assert_null (strstr (text, "Related"));
    assert_null (strstr (text, "Bridge Funding"));
    assert_null (strstr (text, "Rally"));
    assert_null (strstr (text, "Source link"));
    assert_null (strstr (text, "author behind"));
    assert_null (strstr (text, "Reply"));
    assert_null (strstr (text, "Akismet"));
    //  Three removed stretches: caption + credit, related block, the tail
    assert_int_equal (fx->doc->removed_count, 3);
    assert_int_equal (fx->doc->boilerplate, 3);
    const ab_span_t *r = fx->doc->removed;
    assert_non_null (memmem (s_article + r [0].start, r [0].end - r [0].start, "(left)", 6));
    assert_non_null (memmem (s_article + r [0].start, r [0].end - r [0].start, "Getty Images", 12));
    assert_null (memmem (s_article + r [0].start, r [0].end - r [0].start, "approved", 8));
    assert_non_null (memmem (s_article + r [1].start, r [1].end - r [1].start, "Wages", 5));
    assert_null (memmem (s_article + r [1].start, r [1].end - r [1].start, "Construction", 12));
    assert_non_null (memmem (s_article + r [2].start, r [2].end - r [2].start, "Source link", 11));
    assert_int_equal (r [2].end, strlen (s_article));

    //  A credit line under a paragraph that is no caption keeps it
    text = s_norm (fx, "The first paragraph is here.\nThe second paragraph of text.\n"
                       "Jane Doe | AFP | Getty Images\nMore text follows.");
    assert_string_equal (text, "The first paragraph is here.\n\nThe second paragraph of text.\n\n"
                               "More text follows.");
    //  A section label alone on a line goes
    text = s_norm (fx, "World News\n\nThe story starts here.");
    assert_string_equal (text, "The story starts here.");

    //  A tail marker before any article text does not erase the article
    text = s_norm (fx, "Leave a Reply\nThe article itself is here.");
    assert_non_null (strstr (text, "article itself"));
}

static void
test_repeats (void **state)
{
    fixture_t *fx = (fixture_t *) *state;
    const char *raw =
        "The council voted to approve the new harbor budget on Monday.\n"
        "Members debated for hours. He said no.\n"
        "The council voted to approve the new harbor budget on Monday.\n"
        "Work starts soon. He said no.\n"
        "\xE2\x80\x9CThe council voted, to approve the new harbor budget on Monday!\xE2\x80\x9D\n";
    const char *text = s_norm (fx, raw);
    s_check_doc (fx->doc, strlen (raw));
    //  The long sentence stays once; short "He said no." may repeat
    const char *first = strstr (text, "council voted to approve");
    assert_non_null (first);
    assert_null (strstr (first + 1, "council voted"));
    assert_non_null (strstr (strstr (text, "He said no.") + 1, "He said no."));
    assert_int_equal (fx->doc->removed_count, 2);
    assert_string_equal (text, "The council voted to approve the new harbor budget on Monday.\n\n"
                               "Members debated for hours. He said no.\n\n"
                               "Work starts soon. He said no.");
}

//  --------------------------------------------------------------------------
//  Sentences

static void
s_expect_sentences (fixture_t *fx, const char *raw, int count, const char **first_words)
{
    s_norm (fx, raw);
    if ((int) fx->doc->sentence_count != count) {
        for (uint32_t k = 0; k < fx->doc->sentence_count; k++)
            printf ("  [%u] %.*s\n", k, (int) (fx->doc->sentences [k].end - fx->doc->sentences [k].start),
                    fx->doc->text + fx->doc->sentences [k].start);
    }
    assert_int_equal (fx->doc->sentence_count, count);
    for (int k = 0; k < count && first_words; k++)
        assert_int_equal (strncmp (fx->doc->text + fx->doc->sentences [k].start, first_words [k],
                                   strlen (first_words [k])), 0);
}

static void
test_sentences (void **state)
{
    fixture_t *fx = (fixture_t *) *state;
    s_expect_sentences (fx, "Gen. Smith met U.S. officials in Washington. The talks went well.", 2,
                        (const char *[]) { "Gen. Smith", "The talks" });
    s_expect_sentences (fx, "Route No. 2 reopened. Traffic moved.", 2,
                        (const char *[]) { "Route", "Traffic" });
    s_expect_sentences (fx, "Prices rose 2.5 percent. Then they fell 1.2 percent.", 2, NULL);
    s_expect_sentences (fx, "He said, \"We will go.\" Then he left.", 2,
                        (const char *[]) { "He said", "Then" });
    s_expect_sentences (fx, "\"Is it over?\" she asked. Nobody knew.", 2, NULL);
    s_expect_sentences (fx, "\"Is it over?\" he asked.", 1, NULL);
    s_expect_sentences (fx, "The island is 100 km (62 miles) away. It is close.", 2, NULL);
    s_expect_sentences (fx, "Ties with the U.S. The plan is new.", 2,
                        (const char *[]) { "Ties", "The plan" });
    s_expect_sentences (fx, "The U.S. Navy sailed. Joe R. Biden spoke.", 2,
                        (const char *[]) { "The U.S. Navy", "Joe R. Biden" });
    s_expect_sentences (fx, "A Heading\n\nBody text without a stop\n\nLast one", 3, NULL);
    s_expect_sentences (fx, "Wait... What happened? Nothing!", 3, NULL);
    s_expect_sentences (fx, "It costs $12 million. Officials agreed.", 2, NULL);
    //  Sentence spans cover text exactly, without trailing blanks
    s_norm (fx, "One here.  Two there.");
    assert_int_equal (fx->doc->sentence_count, 2);
    assert_int_equal (fx->doc->sentences [0].start, 0);
    assert_int_equal (fx->doc->sentences [0].end, 9);
    assert_int_equal (fx->doc->sentences [1].start, 10);
    assert_int_equal (fx->doc->sentences [1].end, 20);
}

//  --------------------------------------------------------------------------
//  Raw offsets

static void
test_raw_offset (void **state)
{
    fixture_t *fx = (fixture_t *) *state;
    const char *raw = "  \xE2\x80\x9CWe\xE2\x80\x9D th\xD0\xB5 \xEF\xAC\x81ne  end\n\nNext.";
    const char *text = s_norm (fx, raw);
    assert_string_equal (text, "\"We\" the fine end\n\nNext.");
    s_check_doc (fx->doc, strlen (raw));
    const uint32_t *off = fx->doc->raw_offset;
    assert_int_equal (off [0], 2);                   //  the curly quote
    assert_int_equal (off [1], 5);                   //  'W'
    assert_int_equal (raw [off [5]], 't');
    assert_int_equal (off [7], 13);                  //  Cyrillic e, 2 bytes
    assert_int_equal (off [9], 16);                  //  ligature gives "fi" ...
    assert_int_equal (off [10], 16);                 //  ... both from one code point
    assert_int_equal (raw [off [11]], 'n');
    //  Offsets never go backwards
    for (size_t i = 1; i < fx->doc->size; i++)
        assert_true (off [i] >= off [i - 1]);
}

//  --------------------------------------------------------------------------
//  Fingerprint

static const char *s_story_a =
    "The city council approved a plan on Monday to expand the northern harbor, doubling "
    "its cargo capacity by 2027 and adding four deep-water berths for container ships.\n\n"
    "Mayor Ellen Park said the project would create about 1,200 jobs and cost roughly "
    "$480 million, most of it paid by federal grants and port fees. \"This is the largest "
    "investment in the waterfront in a generation,\" Park told reporters after the vote.\n\n"
    "Opponents warned that dredging the channel could harm fish nurseries and raise "
    "traffic on the coastal highway. The council rejected an amendment that would have "
    "required a second environmental review.\n\n"
    "Construction is expected to begin next spring. The port authority will publish "
    "a detailed schedule within 60 days, officials said.";

static const char *s_story_b =
    "A long-debated expansion of the northern harbor cleared its final hurdle this week "
    "when councillors voted 7-2 in favor, according to local officials.\n\n"
    "The scheme adds deep berths for large container vessels and is projected to double "
    "throughput before the end of the decade. Environmental groups have promised to "
    "challenge the decision in court, citing risks to wetlands near the channel.\n\n"
    "Business leaders welcomed the vote, saying shipping lines had been diverting cargo "
    "to rival ports for years. The mayor's office did not say how the city share of "
    "the cost would be financed.";

static void
test_fingerprint (void **state)
{
    fixture_t *fx = (fixture_t *) *state;
    assert_int_equal (ab_fingerprint_distance (0, 0), 0);
    assert_int_equal (ab_fingerprint_distance (0, ~(uint64_t) 0), 64);
    assert_int_equal (ab_fingerprint_distance (5, 6), 2);

    uint64_t fa = (s_norm (fx, s_story_a), fx->doc->fingerprint);
    uint64_t fb = (s_norm (fx, s_story_b), fx->doc->fingerprint);
    //  Homoglyph copy: every 'e' and 'o' swapped for Cyrillic
    char *tmp = s_replace_all (s_story_a, "e", "\xD0\xB5");
    char *homo = s_replace_all (tmp, "o", "\xD0\xBE");
    free (tmp);
    uint64_t fh = (s_norm (fx, homo), fx->doc->fingerprint);
    assert_true (fx->doc->homoglyphs > 100);
    //  Re-punctuated copy: curly quotes, em dashes, commas dropped,
    //  re-wrapped lines and extra blanks
    tmp = s_replace_all (s_story_a, ", ", "  ");
    char *repunct = s_replace_all (tmp, "\"", "\xE2\x80\x9D");
    free (tmp);
    tmp = repunct;
    repunct = s_replace_all (tmp, " and ", " \xE2\x80\x94 and ");
    free (tmp);
    uint64_t fp = (s_norm (fx, repunct), fx->doc->fingerprint);
    //  Copy with boilerplate around it
    size_t blen = strlen (s_story_a) + 400;
    char *boiler = (char *) malloc (blen);
    snprintf (boiler, blen, "Ships at anchor (left) at dawn\nJohn Roe | AFP | Getty Images\n%s\n\n"
              "Related Stories\n\nPort Strike Ends\nNew Ferry Line Opens\n\nSource link\n\n"
              "Leave a Reply\n\nThis site uses Akismet to reduce spam.\n", s_story_a);
    uint64_t fbp = (s_norm (fx, boiler), fx->doc->fingerprint);

    printf ("  distances: homoglyph %d, re-punctuated %d, boilerplate %d, other story %d\n",
            ab_fingerprint_distance (fa, fh), ab_fingerprint_distance (fa, fp),
            ab_fingerprint_distance (fa, fbp), ab_fingerprint_distance (fa, fb));
    assert_true (ab_fingerprint_distance (fa, fh) <= 3);
    assert_true (ab_fingerprint_distance (fa, fp) <= 3);
    assert_true (ab_fingerprint_distance (fa, fbp) <= 3);
    assert_true (ab_fingerprint_distance (fa, fb) > 10);
    //  Different stories on unrelated topics are far apart too
    uint64_t fs = (s_norm (fx, "Short note."), fx->doc->fingerprint);
    assert_true (ab_fingerprint_distance (fa, fs) > 10);
    free (homo);
    free (repunct);
    free (boiler);
}

//  --------------------------------------------------------------------------
//  Large and hostile input

static void
test_large_input (void **state)
{
    fixture_t *fx = (fixture_t *) *state;
    size_t size = 10u * 1024 * 1024;
    char *raw = (char *) malloc (size);
    assert_non_null (raw);

    //  10 MiB of article-like text with non-ASCII and blank lines
    size_t alen = strlen (s_story_a);
    for (size_t at = 0; at < size; at += alen + 1) {
        size_t n = at + alen < size? alen: size - at;
        memcpy (raw + at, s_story_a, n);
        if (at + n < size)
            raw [at + n] = '\n';
    }
    for (size_t i = 1000; i + 2 < size; i += 997)
        memcpy (raw + i, "\xD0\xB5", 2);
    assert_int_equal (ab_normalize (fx->nz, raw, size, fx->doc), 0);
    s_check_doc (fx->doc, size);
    assert_true (fx->doc->size > 0);

    //  10 MiB of pseudo-random bytes
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < size; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        raw [i] = (char) (x >> 24);
    }
    assert_int_equal (ab_normalize (fx->nz, raw, size, fx->doc), 0);
    s_check_doc (fx->doc, size);
    assert_true (fx->doc->invalid_utf8 > 0);

    //  10 MiB of one "word": non-ASCII and combining marks, no blank
    for (size_t i = 0; i + 4 <= size; i += 4)
        memcpy (raw + i, i % 8? "\xD0\xB5" "e\xCC": "\x81" "\xE4\xB8\x80", 4);
    assert_int_equal (ab_normalize (fx->nz, raw, size, fx->doc), 0);
    s_check_doc (fx->doc, size);

    //  Reuse after a huge document: a small one comes out right
    assert_string_equal (s_norm (fx, "Small again."), "Small again.");
    free (raw);
}

//  --------------------------------------------------------------------------
//  Rule files: line-numbered errors

static void
s_write (const char *dir, const char *name, const char *content)
{
    char path [512];
    snprintf (path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen (path, "w");
    assert_non_null (f);
    fputs (content, f);
    fclose (f);
}

static void
s_expect_error (const char *dir, const char *needle)
{
    char err [512] = "";
    ab_normalizer_t *nz = ab_normalizer_new (dir, err, sizeof err);
    if (nz)
        ab_normalizer_destroy (&nz);
    assert_null (nz);
    if (!strstr (err, needle))
        printf ("  error was: %s\n", err);
    assert_non_null (strstr (err, needle));
}

static void
test_rule_files (void **state)
{
    fixture_t *fx = (fixture_t *) *state;
    char dir [] = "/tmp/test_normalize_XXXXXX";
    assert_non_null (mkdtemp (dir));
    const char *conf = "# test\n0435\te\tCyrillic\n";
    const char *abbr = "title Gen.\nstarter The\n";
    s_write (dir, "confusables.tsv", conf);
    s_write (dir, "abbreviations.txt", abbr);

    s_expect_error (dir, "boilerplate.rules");           //  missing file
    s_write (dir, "boilerplate.rules", "# c\n\nok drop-line /^x$/\nbad drop-lines /^y$/\n");
    s_expect_error (dir, "boilerplate.rules:4: unknown action 'drop-lines'");
    s_write (dir, "boilerplate.rules", "r1 drop-line /^(x$/\n");
    s_expect_error (dir, "boilerplate.rules:1: regex error");
    s_write (dir, "boilerplate.rules", "r1 drop-line /^x$/q\n");
    s_expect_error (dir, "boilerplate.rules:1: unknown regex flag");
    s_write (dir, "boilerplate.rules", "r1 drop-line x\nr1 drop-line y\n");
    s_expect_error (dir, "boilerplate.rules:2: rule id 'r1' used twice");
    s_write (dir, "boilerplate.rules", "r1 drop-line\n");
    s_expect_error (dir, "boilerplate.rules:1: expected");

    s_write (dir, "boilerplate.rules", "lit drop-line Share this\n");
    s_write (dir, "confusables.tsv", "0435\te\n0041 A\n");
    s_expect_error (dir, "confusables.tsv:2: expected a non-ASCII");
    s_write (dir, "confusables.tsv", "0435\tee\n");
    s_expect_error (dir, "confusables.tsv:1: expected one ASCII letter");
    s_write (dir, "confusables.tsv", conf);
    s_write (dir, "abbreviations.txt", "title Gen.\nnoun Foo.\n");
    s_expect_error (dir, "abbreviations.txt:2: unknown kind 'noun'");
    s_write (dir, "abbreviations.txt", "title Gen\n");
    s_expect_error (dir, "abbreviations.txt:1: abbreviation 'Gen' must end with '.'");
    s_write (dir, "abbreviations.txt", abbr);

    //  A good user-made set loads and its literal rule works, caselessly
    char err [512] = "";
    ab_normalizer_t *nz = ab_normalizer_new (dir, err, sizeof err);
    assert_non_null (nz);
    ab_doc_t *doc = fx->doc;
    const char *raw = "Text stays.\nSHARE THIS\nMore text.";
    assert_int_equal (ab_normalize (nz, raw, strlen (raw), doc), 0);
    assert_string_equal (doc->text, "Text stays.\n\nMore text.");
    assert_int_equal (doc->removed_count, 1);
    ab_normalizer_destroy (&nz);

    //  Files longer than the loaders' first allocation: the tables grow
    //  and the last line still counts
    char *rules = malloc (100 * 40), *many = malloc (300 * 16);
    assert_non_null (rules);
    assert_non_null (many);
    size_t at = 0;
    for (int i = 0; i < 100; i++)
        at += (size_t) sprintf (rules + at, "lit%d drop-line Share number %d\n", i, i);
    at = 0;
    for (int i = 0; i < 300; i++)       //  the 300th maps U+0435 (Cyrillic e)
        at += (size_t) sprintf (many + at, "%04X\t%c\n", i < 299 ? 0x4E00 + i : 0x0435, i < 299 ? 'x' : 'e');
    s_write (dir, "boilerplate.rules", rules);
    s_write (dir, "confusables.tsv", many);
    nz = ab_normalizer_new (dir, err, sizeof err);
    if (!nz)
        printf ("  error was: %s\n", err);
    assert_non_null (nz);
    raw = "T\xD0\xB5xt stays.\nShare number 99\nMore text.";
    assert_int_equal (ab_normalize (nz, raw, strlen (raw), doc), 0);
    assert_string_equal (doc->text, "Text stays.\n\nMore text.");
    ab_normalizer_destroy (&nz);
    free (rules);
    free (many);

    char path [600];
    const char *names [] = { "confusables.tsv", "boilerplate.rules", "abbreviations.txt" };
    for (int i = 0; i < 3; i++) {
        snprintf (path, sizeof path, "%s/%s", dir, names [i]);
        unlink (path);
    }
    rmdir (dir);
}

//  --------------------------------------------------------------------------
//  The seeds

static void
test_seed_homoglyphs (void **state)
{
    fixture_t *fx = (fixture_t *) *state;
    size_t size;
    char *raw = s_read_seed ("000_", &size);
    if (!raw)
        return;
    assert_int_equal (ab_normalize (fx->nz, raw, size, fx->doc), 0);
    s_check_doc (fx->doc, size);
    //  No Cyrillic letter left (U+0400..U+052F lead bytes D0..D4)
    for (size_t i = 0; i < fx->doc->size; i++)
        assert_false ((unsigned char) fx->doc->text [i] >= 0xD0
                   && (unsigned char) fx->doc->text [i] <= 0xD4);
    assert_non_null (strcasestr (fx->doc->text, "The United States"));
    assert_true (fx->doc->homoglyphs >= 236);
    uint64_t fp = fx->doc->fingerprint;

    //  The same article with plain 'e' has (nearly) the same fingerprint
    char *plain = s_replace_all (raw, "\xD0\xB5", "e");
    assert_int_equal (ab_normalize (fx->nz, plain, strlen (plain), fx->doc), 0);
    assert_int_equal (fx->doc->homoglyphs, 0);
    printf ("  seed 000 vs plain-e copy: %d bits\n", ab_fingerprint_distance (fp, fx->doc->fingerprint));
    assert_true (ab_fingerprint_distance (fp, fx->doc->fingerprint) <= 3);
    free (plain);
    free (raw);
}

static void
test_seed_caption (void **state)
{
    fixture_t *fx = (fixture_t *) *state;
    size_t size;
    char *raw = s_read_seed ("001_", &size);
    if (!raw)
        return;
    assert_int_equal (ab_normalize (fx->nz, raw, size, fx->doc), 0);
    s_check_doc (fx->doc, size);
    const char *text = fx->doc->text;
    //  The credit line and the caption above it are gone
    assert_null (strstr (text, "Getty Images"));
    assert_null (strstr (text, "(left)"));
    assert_true (fx->doc->removed_count >= 1);
    const char *credit = strstr (raw, "Getty Images");
    assert_non_null (credit);
    assert_true (fx->doc->removed [0].start == 0);
    assert_true (fx->doc->removed [0].end > (uint32_t) (credit - raw));
    //  Everything after the credit line is kept: it normalizes alone to
    //  the same text
    const char *after = strchr (credit, '\n') + 1;
    char *kept = strdup (text);
    assert_int_equal (ab_normalize (fx->nz, after, size - (size_t) (after - raw), fx->doc), 0);
    assert_string_equal (kept, fx->doc->text);
    free (kept);
    free (raw);
}

static void
test_seed_tail (void **state)
{
    fixture_t *fx = (fixture_t *) *state;
    size_t size;
    char *raw = s_read_seed ("004_", &size);
    if (!raw)
        return;
    const char *related = strstr (raw, "Related Stories");
    const char *source = strstr (raw, "Source link");
    assert_non_null (related);
    assert_non_null (source);
    //  The article before "Related Stories", normalized alone ...
    assert_int_equal (ab_normalize (fx->nz, raw, (size_t) (related - raw), fx->doc), 0);
    char *before = strdup (fx->doc->text);
    //  ... is the start of the whole article's text
    assert_int_equal (ab_normalize (fx->nz, raw, size, fx->doc), 0);
    s_check_doc (fx->doc, size);
    const char *text = fx->doc->text;
    assert_int_equal (strncmp (text, before, strlen (before)), 0);
    //  Boilerplate is gone, the article text between the blocks stays
    assert_null (strstr (text, "Related Stories"));
    assert_null (strstr (text, "AUKUS"));
    assert_null (strstr (text, "Source link"));
    assert_null (strstr (text, "TruthUSA"));
    assert_null (strstr (text, "Leave a Reply"));
    assert_null (strstr (text, "Akismet"));
    assert_non_null (strstr (text, "Artemis"));
    //  The last removed span runs from "Source link" to the end
    const ab_span_t *last = &fx->doc->removed [fx->doc->removed_count - 1];
    assert_true (last->start <= (uint32_t) (source - raw));
    assert_int_equal (last->end, size);
    free (before);
    free (raw);
}

static void
test_seed_fingerprints (void **state)
{
    fixture_t *fx = (fixture_t *) *state;
    uint64_t fps [5];
    const char *prefixes [5] = { "000_", "001_", "002_", "003_", "004_" };
    for (int i = 0; i < 5; i++) {
        size_t size;
        char *raw = s_read_seed (prefixes [i], &size);
        if (!raw)
            return;
        assert_int_equal (ab_normalize (fx->nz, raw, size, fx->doc), 0);
        fps [i] = fx->doc->fingerprint;
        free (raw);
    }
    int closest = 64;
    for (int i = 0; i < 5; i++)
        for (int k = i + 1; k < 5; k++) {
            int d = ab_fingerprint_distance (fps [i], fps [k]);
            if (d < closest)
                closest = d;
            assert_true (d > 3);
        }
    printf ("  seeds: closest pair %d bits apart\n", closest);
    assert_true (closest > 10);
}

//  The demo corpus's syndicated pair: 07 is 02 re-punctuated, under another
//  headline, with site boilerplate added.  Within 3 bits of each other,
//  and every other sample farther than that from 02.
static void
test_samples_syndicated_copy (void **state)
{
    fixture_t *fx = (fixture_t *) *state;
    DIR *dir = opendir ("samples");
    assert_non_null (dir);
    uint64_t original = 0, copy = 0, others [32];
    int other_count = 0;
    struct dirent *entry;
    while ((entry = readdir (dir))) {
        size_t length = strlen (entry->d_name);
        if (length < 5 || strcmp (entry->d_name + length - 4, ".txt") != 0)
            continue;
        char path [300], error [256];
        snprintf (path, sizeof path, "samples/%s", entry->d_name);
        size_t size;
        char *raw = ab_file_read (path, 1 << 20, &size, error, sizeof error);
        assert_non_null (raw);
        //  The header block ends at the first blank line; the body is the rest
        char *body = strstr (raw, "\n\n");
        body = body? body + 2: raw;
        assert_int_equal (ab_normalize (fx->nz, body, size - (size_t) (body - raw), fx->doc), 0);
        if (strncmp (entry->d_name, "02_", 3) == 0)
            original = fx->doc->fingerprint;
        else
        if (strncmp (entry->d_name, "07_", 3) == 0)
            copy = fx->doc->fingerprint;
        else
        if (other_count < 32)
            others [other_count++] = fx->doc->fingerprint;
        free (raw);
    }
    closedir (dir);
    assert_true (other_count >= 10);
    printf ("  samples: 02 and its copy 07 are %d bits apart\n", ab_fingerprint_distance (original, copy));
    assert_true (ab_fingerprint_distance (original, copy) <= 3);
    for (int i = 0; i < other_count; i++)
        assert_true (ab_fingerprint_distance (original, others [i]) > 3);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_ascii_and_offsets),
        cmocka_unit_test (test_invalid_utf8),
        cmocka_unit_test (test_controls),
        cmocka_unit_test (test_nfkc),
        cmocka_unit_test (test_folding),
        cmocka_unit_test (test_paragraphs),
        cmocka_unit_test (test_homoglyphs),
        cmocka_unit_test (test_boilerplate),
        cmocka_unit_test (test_repeats),
        cmocka_unit_test (test_sentences),
        cmocka_unit_test (test_raw_offset),
        cmocka_unit_test (test_fingerprint),
        cmocka_unit_test (test_large_input),
        cmocka_unit_test (test_rule_files),
        cmocka_unit_test (test_seed_homoglyphs),
        cmocka_unit_test (test_seed_caption),
        cmocka_unit_test (test_seed_tail),
        cmocka_unit_test (test_seed_fingerprints),
        cmocka_unit_test (test_samples_syndicated_copy),
    };
    return cmocka_run_group_tests (tests, setup, teardown);
}
