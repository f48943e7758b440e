/*  =========================================================================
    fuzz_normalize - libFuzzer harness for ab_normalize

    Loads the normalizer once from workers/rules (run from the repo root, or
    set AB_RULES_DIR) and normalizes each input, then checks the output
    contract: valid UTF-8 without controls, a raw offset per byte inside
    the input, sentence and removed spans in range and in order.  Any
    violation aborts, so the fuzzer reports it.

    Built by tests/fuzz/run.sh against build/fuzz/libab.a, e.g.
        clang -fsanitize=fuzzer,address,undefined -Iworkers/normalize \
            tests/fuzz/fuzz_normalize.c build/fuzz/libab.a -lutf8proc -lpcre2-8
        ./a.out tests/fuzz/corpus/normalize
    =========================================================================
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "ab_normalize.h"

static ab_normalizer_t *s_nz;
static ab_doc_t *s_doc;

static void
s_check (int cond, const char *what)
{
    if (!cond) {
        fprintf (stderr, "fuzz_normalize: contract broken: %s\n", what);
        abort ();
    }
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    const char *dir = getenv ("AB_RULES_DIR");
    char err [512];
    s_nz = ab_normalizer_new (dir? dir: "workers/rules", err, sizeof err);
    if (!s_nz) {
        fprintf (stderr, "fuzz_normalize: %s\n", err);
        exit (1);
    }
    s_doc = ab_doc_new ();
    if (!s_doc)
        exit (1);
    return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    s_check (ab_normalize (s_nz, (const char *) data, size, s_doc) == 0, "returned -1");
    const ab_doc_t *doc = s_doc;
    s_check (doc->text [doc->size] == 0, "text not NUL-terminated");
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *) doc->text;
    utf8proc_ssize_t left = (utf8proc_ssize_t) doc->size;
    while (left > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate (p, left, &cp);
        s_check (n > 0, "invalid UTF-8 in text");
        s_check (cp >= 0x20 || cp == '\n', "C0 control in text");
        s_check (cp < 0x7F || cp > 0x9F, "DEL or C1 control in text");
        s_check (cp != 0xFEFF, "BOM in text");
        p += n;
        left -= n;
    }
    for (size_t i = 0; i < doc->size; i++) {
        s_check (doc->raw_offset [i] < size, "raw offset out of range");
        s_check (i == 0 || doc->raw_offset [i] >= doc->raw_offset [i - 1], "raw offsets go back");
    }
    s_check (doc->raw_offset [doc->size] == size, "last raw offset is not the input size");
    for (uint32_t k = 0; k < doc->sentence_count; k++) {
        s_check (doc->sentences [k].start < doc->sentences [k].end, "empty sentence");
        s_check (doc->sentences [k].end <= doc->size, "sentence past the text");
        s_check (k == 0 || doc->sentences [k - 1].end <= doc->sentences [k].start, "sentences overlap");
    }
    s_check (doc->boilerplate == doc->removed_count, "boilerplate != removed_count");
    for (uint32_t k = 0; k < doc->removed_count; k++) {
        s_check (doc->removed [k].start < doc->removed [k].end, "empty removed span");
        s_check (doc->removed [k].end <= size, "removed span past the input");
        s_check (k == 0 || doc->removed [k - 1].end <= doc->removed [k].start, "removed spans overlap");
    }
    return 0;
}
