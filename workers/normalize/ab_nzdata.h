/*  =========================================================================
    ab_nzdata - the normalizer's data files (private to workers/normalize)

    Loads and queries the three user-editable files in the rules folder:
    confusables.tsv (homoglyph table, generated), boilerplate.rules (line
    rules) and abbreviations.txt (sentence splitter).  Their formats are
    documented in workers/rules/README-normalize.md.  Everything here is
    read-only after loading, so one ab_nzdata_t may serve many threads.
    =========================================================================
*/
#ifndef AB_NZDATA_H_INCLUDED
#define AB_NZDATA_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

typedef enum {
    AB_BP_DROP_LINE = 1,        //  the matching line only
    AB_BP_DROP_BLOCK,           //  the line and the headline list under it
    AB_BP_DROP_TO_END,          //  the line and everything after it
    AB_BP_DROP_CAPTION,         //  the line and the caption line above it
    AB_BP_CAPTION               //  marks a caption; removes nothing itself
} ab_bp_action_t;

typedef enum {
    AB_ABBR_NONE = 0,
    AB_ABBR_TITLE,              //  never ends a sentence (Gen., Mr.)
    AB_ABBR_NUMBER,             //  no break before a number (No. 2)
    AB_ABBR_AMBIGUOUS,          //  breaks only before a starter (U.S.)
    AB_ABBR_STARTER             //  a word that typically opens a sentence
} ab_abbr_kind_t;

typedef struct {
    char id [64];               //  rule name, for reports
    ab_bp_action_t action;
    pcre2_code *re;             //  NULL for a literal
    bool jit;                   //  re has JIT code (pcre2_jit_match may run it)
    char *literal;              //  whole-line literal, matched caselessly
    size_t literal_len;
    uint64_t first [4];         //  bitmap of first bytes a match can have
} ab_bp_rule_t;

typedef struct ab_nzdata_t ab_nzdata_t;

//  Load the three files from rules_dir.  Returns NULL with a
//  "path:line: reason" message in errbuf on the first problem.
ab_nzdata_t *ab_nzdata_new (const char *rules_dir, char *errbuf, size_t errlen);
void ab_nzdata_destroy (ab_nzdata_t **self_p);

//  ASCII letter that code point cp is confusable with, or 0.
int ab_nzdata_confusable (const ab_nzdata_t *self, int32_t cp);

//  The boilerplate rules, in file order.
const ab_bp_rule_t *ab_nzdata_rules (const ab_nzdata_t *self, size_t *count);

//  The first rule matching one line of text, or NULL.  md is the caller's
//  match data (one pair is enough).  Rules are tried in file order, each
//  only on lines whose first byte can start a match; caption rules are
//  not tried.
const ab_bp_rule_t *ab_nzdata_match_line (const ab_nzdata_t *self, const char *text,
                                          size_t len, pcre2_match_data *md);

//  True if some caption rule matches the line.
int ab_nzdata_is_caption (const ab_nzdata_t *self, const char *text, size_t len,
                          pcre2_match_data *md);

//  Kind of token (exact bytes, e.g. "Gen." or "The"), or AB_ABBR_NONE.
//  A token may be both an abbreviation and a starter; starters are asked
//  for with want_starter.
ab_abbr_kind_t ab_nzdata_abbr (const ab_nzdata_t *self, const char *token, size_t len, int want_starter);

#endif
