/*  =========================================================================
    ab_xrules - the extractor's loaded rule set (private to extract)

    Four data files in the rules directory, read in this order (the format
    is documented in workers/rules/README-extract.md):

        entities.tsv      gazetteer: canonical ids, kinds, aliases
        claims.rules      options, defines, claim forms, claim rules
        hedges.tsv        hedge cues and their precedence
        attributions.tsv  attribution cues and their labels

    Everything is validated and compiled once (PCRE2 with JIT) here; the
    result is read-only, so one rule set may serve many threads.  This
    header is the layout that ab_extract.c walks; nothing outside
    workers/extract includes it.
    =========================================================================
*/
#ifndef AB_XRULES_H_INCLUDED
#define AB_XRULES_H_INCLUDED

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>

#include "ab_extract.h"

#define AB_X_MAX_KINDS      32      //  entity kinds
#define AB_X_MAX_TRIGGERS   512     //  distinct "need" words
#define AB_X_TRIGGER_WORDS  (AB_X_MAX_TRIGGERS / 64)
#define AB_X_MAX_NEEDS      4       //  need lines per rule
#define AB_X_MAX_SLOTS      8       //  key + value slots per form
#define AB_X_MAX_ALIAS_TOKENS 8     //  tokens in one alias
#define AB_X_SLOT_LEN       64      //  bytes of one slot value

//  The hedge vocabulary of the protocol, in no particular order; the
//  precedence comes from hedges.tsv.
typedef enum {
    AB_HEDGE_ASSERTED = 0,
    AB_HEDGE_REPORTED,
    AB_HEDGE_EXPECTED,
    AB_HEDGE_CONSIDERED,
    AB_HEDGE_DENIED,
    AB_HEDGE_HOPED,
    AB_HEDGE_COUNT
} ab_xhedge_t;

extern const char *const ab_xhedge_names [AB_HEDGE_COUNT];

typedef struct {
    char *id;               //  canonical id, "USFJ"
    char *kind;             //  "force", "country", "person", ...
    int kind_id;            //  index into ab_extractor_t.kinds
    char *name;             //  display name, "U.S. Forces Japan"
    char *title;            //  "" or a person's title
    char *country;          //  "" or the id of the entity's country
    int country_entity;     //  index of that country, or -1
    int line;               //  where entities.tsv defines it
} ab_xentity_t;

typedef struct {
    char *text;             //  the alias as written in the file, no marker
    char *cased;            //  its letters and digits, original case
    int entity;             //  index into entities
    bool exact_case;        //  '=' marker: only this exact capitalization
    bool variant;           //  '~' marker: a known misspelling, reported
} ab_xalias_t;

//  One entry of the token hash: a lowercase word, or several words run
//  together for multi-word aliases ("usforcesjapan").
typedef struct {
    char *key;
    uint32_t hash;
    int trigger;            //  trigger word id, or -1
    bool prefix;            //  some longer alias starts with this key
    int *aliases;           //  aliases whose folded text is this key
    int alias_count;
} ab_xentry_t;

typedef enum {
    AB_CONV_LITERAL,        //  =text
    AB_CONV_ENTITY,         //  entity:KIND   the captured alias
    AB_CONV_REF,            //  ref:KIND      captured alias, else the last one mentioned
    AB_CONV_FIRST,          //  first:KIND    first in group/sentence, else last mentioned
    AB_CONV_SET,            //  set:KIND      all in group/sentence, sorted, '+'-joined
    AB_CONV_RANK,
    AB_CONV_COUNT,
    AB_CONV_PERCENT,
    AB_CONV_KM,
    AB_CONV_MONEY,          //  two slots: amount, currency
    AB_CONV_DATE,
    AB_CONV_YEAR,
    AB_CONV_WORD,
    AB_CONV_NUMBER,
    AB_CONV_TENSE,          //  "planned" if the sentence speaks of the future, else "current"
    AB_CONV_SPEAKER         //  the person the claim is attributed to, else first:person
} ab_xconv_t;

typedef struct {
    char *name;             //  slot name
    char *name2;            //  second slot (money currency), or NULL
    ab_xconv_t conv;
    int kind;               //  entity kind for entity converters, -1 any
    char *group;            //  capture group name, or NULL
    int groups [4];         //  the numbers that name has in the pattern
    int group_count;        //  (several when the pattern repeats a name)
    char *literal;          //  for AB_CONV_LITERAL
    char *exclude;          //  entity id to leave out (first:country!US), or NULL
    int min_count;          //  set: fewest members before history fills in
} ab_xslot_t;

typedef struct {
    char *name;             //  form id, "commander_rank.planned"
    char *type;             //  claim type, "commander_rank"
    int key_count;
    char *key_names [AB_X_MAX_SLOTS];
    char *key_fixed [AB_X_MAX_SLOTS];      //  fixed value or NULL
    int value_count;
    char *value_names [AB_X_MAX_SLOTS];
    char *value_fixed [AB_X_MAX_SLOTS];
    int line;
} ab_xform_t;

typedef struct {
    char *id;               //  rule id, reported in ab_claim_t.rule
    int form;               //  index into forms
    char *pattern;          //  expanded pattern text
    pcre2_code *code;
    char *unless;           //  expanded pattern that vetoes the rule, or NULL
    pcre2_code *unless_code;
    uint64_t need [AB_X_MAX_NEEDS][AB_X_TRIGGER_WORDS];
    int need_count;
    ab_xslot_t slots [AB_X_MAX_SLOTS];
    int slot_count;
    int hedge;              //  fixed hedge, or -1 for the cues
    int line;
} ab_xrule_t;

typedef enum {
    AB_ATTR_SELF,           //  cue in the claim's own sentence
    AB_ATTR_NEXT,           //  cue at the start of the next sentence
    AB_ATTR_NEXT_QUOTE      //  same, only after a quotation
} ab_xwhere_t;

typedef struct {
    ab_xwhere_t where;
    int hedge;              //  hedge the cue implies, or -1
    char *label;            //  fixed label, or "$" for the src group
    int line;
} ab_xattr_t;

typedef struct {
    char *name;
    char *text;
} ab_xdefine_t;

struct ab_extractor_t {
    //  Gazetteer
    ab_xentity_t *entities;
    int entity_count;
    ab_xalias_t *aliases;
    int alias_count;
    char *kinds [AB_X_MAX_KINDS];
    int kind_count;
    int kind_person;        //  kind ids the extractor itself needs, or -1
    int kind_country;
    int kind_outlet;

    //  Token hash (open addressing, power-of-two size)
    ab_xentry_t *table;
    uint32_t table_mask;
    int trigger_count;
    char *triggers [AB_X_MAX_TRIGGERS];

    //  Claims
    ab_xdefine_t *defines;
    int define_count;
    ab_xform_t *forms;
    int form_count;
    ab_xrule_t *rules;
    int rule_count;
    int max_claims_per_sentence;
    uint32_t max_groups;    //  most capture groups in any pattern

    //  Hedges
    int hedge_order [AB_HEDGE_COUNT];       //  hedge -> precedence, 0 strongest
    int near_window;        //  bytes before a match searched for near cues
    pcre2_code *hedge_sentence;             //  alternation, (*MARK:hedge)
    pcre2_code *hedge_near;

    //  Attributions
    ab_xattr_t *attrs;
    int attr_count;
    pcre2_code *attr_code [3];              //  by ab_xwhere_t: alternation, (*MARK:index)
    int attr_src [3][8];                    //  numbers of the "src" groups in each
    int attr_src_count [3];
};

//  Fold one token into the hash key alphabet (lowercase ASCII, other
//  bytes kept) and hash it, continuing from hash (FNV-1a; start with
//  AB_X_FNV_SEED).
#define AB_X_FNV_SEED 2166136261u
uint32_t ab_xrules_hash (uint32_t hash, const char *token, size_t size);

//  Look up a folded key; returns the entry or NULL.
const ab_xentry_t *ab_xrules_lookup (const ab_extractor_t *self,
                                     const char *key, size_t size, uint32_t hash);

//  Find the entity an alias text names ("U.S. Forces Japan", "the U.S."
//  is not one); kind -1 for any kind.  Returns the alias index or -1.
int ab_xrules_alias (const ab_extractor_t *self, const char *text, size_t size, int kind);

//  Length in bytes (at least 1) of the character at text [pos], UTF-8
//  aware; *is_token says whether it belongs to a word (ASCII letters and
//  digits, non-ASCII letters) or separates words (spaces, punctuation,
//  curly quotes, dashes, currency signs).
size_t ab_xrules_char (const char *text, size_t size, size_t pos, bool *is_token);

#endif
