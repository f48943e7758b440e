/*  =========================================================================
    ab_xrules - the extractor's loaded rule set (private to extract)

    Four data files in the rules directory, read in this order (the format
    is documented in workers/rules/README-extract.md):

        entities.tsv      gazetteer: canonical ids, kinds, aliases
        claims.rules      options, defines, claim forms, claim rules
        hedges.tsv        hedge cues and their precedence
        attributions.tsv  attribution cues and their labels

    Everything is validated and compiled once (PCRE2 with JIT) here; the
    result is read-only, so one rule set may serve many threads.  Patterns
    are compiled in byte mode, not UTF mode: they match the bytes of the
    UTF-8 text, so a match or group may begin or end inside a character,
    and the extractor keeps only the whole characters of what it reads.  This
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
#include <string.h>

#include "ab_extract.h"
#include "ab_swar.h"

#define AB_X_MAX_KINDS      32      //  entity kinds
#define AB_X_MAX_TRIGGERS   512     //  distinct "need" words
#define AB_X_TRIGGER_WORDS  (AB_X_MAX_TRIGGERS / 64)
#define AB_X_MAX_NEEDS      4       //  need lines per rule
#define AB_X_MAX_SLOTS      8       //  key + value slots per form
#define AB_X_MAX_ALIAS_TOKENS 8     //  tokens in one alias
#define AB_X_SLOT_LEN       64      //  bytes of one slot value
#define AB_X_MAX_RULES      256     //  claim rules
#define AB_X_RULE_WORDS     (AB_X_MAX_RULES / 64)

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
    char *country;          //  "" or the id of the entity's country, or for
                            //  an alliance its members "AU+IN+JP+US"
    int country_entity;     //  index of that (first) country, or -1
    int members [16];       //  indexes of all of them
    int member_count;
    int line;               //  where entities.tsv defines it
} ab_xentity_t;

typedef struct {
    char *text;             //  the alias as written in the file, no marker
    char *cased;            //  its letters and digits, original case
    int entity;             //  index into entities
    bool exact_case;        //  '=' marker: only this exact capitalization
    bool variant;           //  '~' marker: a known misspelling, reported
} ab_xalias_t;

//  One slot of the token hash: a lowercase word, or several words run
//  together for multi-word aliases ("usforcesjapan").  Slots are small and
//  their keys and alias lists live in two pools, so that the table the
//  scan probes for every word of every article stays in cache.
#define AB_X_PREFIX 1       //  some longer alias starts with this key
#define AB_X_DOT    2       //  one of the aliases ends with '.' ("U.S.")

typedef struct {
    uint32_t hash;          //  key hash | 1; 0 marks an empty slot
    int16_t trigger;        //  trigger word id, or -1
    uint8_t alias_count;    //  aliases whose folded text is this key
    uint8_t flags;          //  AB_X_PREFIX | AB_X_DOT
    uint32_t kinds;         //  bit set of those aliases' entity kinds
    uint32_t start_kinds;   //  kinds of every alias whose first words, run
                            //  together, are this key (itself included)
    uint32_t key;           //  offset of the key in key_pool (NUL-terminated)
    uint32_t aliases;       //  offset of its alias indexes in alias_pool
    uint64_t extends;       //  PREFIX keys: bit (hash & 63) of every word
                            //  that, run on to this key, makes a key.  The
                            //  scanner goes on only with such a word.
} ab_xentry_t;

typedef enum {
    AB_CONV_LITERAL,        //  =text
    AB_CONV_ENTITY,         //  entity:KIND   the captured alias
    AB_CONV_REF,            //  ref:KIND      captured alias, else the last one mentioned
    AB_CONV_FIRST,          //  first:KIND    first in group/sentence, else last mentioned
    AB_CONV_LAST,           //  last:KIND     last in group/sentence, else last mentioned
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

//  A pattern that starts with an entity, split after it.  The scanner has
//  already found the entity (a mention), so only the rest of the pattern
//  needs to run, anchored at the mention's end; the match is then written
//  back in the full pattern's group numbers.  (Both are compiled with
//  PCRE2_ANCHORED: JIT code ignores that option at match time.)
#define AB_X_MAX_GROUPS 64

typedef struct {
    uint32_t kinds;         //  the kinds the leading entity may be (bit set), 0 if none
    pcre2_code *anchored;   //  the whole pattern, compiled anchored
    pcre2_code *rest;       //  the pattern after the entity, compiled anchored, or NULL
    int groups;             //  capture groups of the full pattern
    int map [AB_X_MAX_GROUPS];  //  full group -> rest group; -1 the entity; -2 unset
} ab_xlead_t;

//  Parts of the sentence a slot may read instead of a capture group
//  ("@upto": from the sentence's start to the end of the match).
typedef enum {
    AB_SPAN_GROUP = 0,
    AB_SPAN_SENTENCE,       //  @sentence
    AB_SPAN_MATCH,          //  @match
    AB_SPAN_BEFORE,         //  @before   sentence start .. match start
    AB_SPAN_UPTO,           //  @upto     sentence start .. match end
    AB_SPAN_FROM,           //  @from     match start .. sentence end
    AB_SPAN_AFTER           //  @after    match end .. sentence end
} ab_xspan_t;

typedef struct {
    char *name;             //  slot name
    char *name2;            //  second slot (money currency), or NULL
    ab_xconv_t conv;
    int kind;               //  entity kind for entity converters, -1 any
    char *group;            //  capture group name, or NULL
    int groups [4];         //  the numbers that name has in the pattern
    int group_count;        //  (several when the pattern repeats a name)
    int span;               //  AB_SPAN_*: a part of the sentence instead of a group
    char *literal;          //  for AB_CONV_LITERAL
    char *exclude;          //  entity id to leave out (first:country!US), or NULL
    int exclude_slot;       //  or the rule slot whose value to leave out (!=country), or -1
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

//  The entity kinds a pattern needs: each {entity:KINDS} macro it cannot
//  match without (not optional, not one alternative among others, not in
//  a lookaround) gives one bit set, and a sentence can match only if every
//  set has a kind some word of the sentence may start (the scanner's
//  start_kinds).  Derived at load, so no rule file has to say it.
#define AB_X_MAX_NEED_KINDS 8
typedef struct {
    uint32_t sets [AB_X_MAX_NEED_KINDS];
    int count;
} ab_xkinds_t;

//  Trigger words a rule or cue needs: a word of every set (a rule's need
//  lines, a cue's groups joined by '&') must be in the sentence
typedef struct {
    uint64_t sets [AB_X_MAX_NEEDS][AB_X_TRIGGER_WORDS];
    int count;
} ab_xneeds_t;

typedef struct {
    char *id;               //  rule id, reported in ab_claim_t.rule
    int form;               //  index into forms
    char *pattern;          //  expanded pattern text
    pcre2_code *code;
    ab_xlead_t lead;        //  a leading entity: tried at mentions only
    char *unless;           //  expanded pattern that vetoes the rule, or NULL
    pcre2_code *unless_code;
    ab_xneeds_t needs;
    ab_xkinds_t kinds;      //  entity kinds the pattern cannot match without
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

//  One hedge or attribution cue line.  Like a rule, it is tried only when
//  a word of each of its trigger groups is in the sentence; a line without
//  a pattern is its trigger words alone.
typedef struct {
    pcre2_code *code;       //  NULL: the trigger words are the cue
    ab_xneeds_t needs;
    bool always;            //  no trigger words: always tried
    ab_xkinds_t kinds;      //  entity kinds the pattern cannot match without
    ab_xlead_t lead;        //  a leading entity: tried at mentions only
    int tag;                //  a hedge, or an attribution index
    int src [8];            //  numbers of the (?<src>...) groups
    int src_count;
    int line;
} ab_xcue_t;

typedef struct {
    ab_xcue_t *cues;
    int count;
} ab_xcues_t;

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
    uint32_t *table_hashes;         //  table [i].hash alone: the probes read
                                    //  this small array, entries only on a hit
    uint32_t table_mask;
    char *key_pool;         //  followed by 8 zero bytes (8-byte loads)
    int *alias_pool;
    bool jit;                       //  every pattern is JIT-compiled
    int trigger_count;
    char *triggers [AB_X_MAX_TRIGGERS];
    //  For each trigger word, the rules that need it: a sentence's
    //  candidate rules are the union over its trigger words
    uint64_t trigger_rules [AB_X_MAX_TRIGGERS][AB_X_RULE_WORDS];

    //  Claims
    ab_xdefine_t *defines;
    int define_count;
    ab_xform_t *forms;
    int form_count;
    ab_xrule_t *rules;
    int rule_count;
    int max_claims_per_sentence;
    uint32_t max_groups;    //  most capture groups in any pattern
    //  'veto' lines: a sentence any of them matches (opinion, a call for
    //  action) yields no claim; each is tried only on sentences with one
    //  of its words, like a hedge cue
    ab_xcues_t veto_cues;

    //  Hedges
    int hedge_order [AB_HEDGE_COUNT];       //  hedge -> precedence, 0 strongest
    int near_window;        //  bytes before a match searched for near cues
    ab_xcues_t hedge_cues [3];              //  sentence, clause, near

    //  Attributions
    ab_xattr_t *attrs;
    int attr_count;
    ab_xcues_t attr_cues [3];               //  by ab_xwhere_t
};

//  Hash of a key as the table folds it: ASCII letters lowercased, every
//  other byte kept.  Eight bytes at a time, with the case folded in a
//  word (SWAR), because the sentence scan hashes every word of every
//  article.
static inline uint32_t
ab_xrules_key_hash (const char *key, size_t size)
{
    uint64_t hash = 0x9E3779B97F4A7C15ull ^ size;
    while (size >= 8) {
        uint64_t chunk;
        memcpy (&chunk, key, 8);
        hash = (hash ^ ab_swar_lower (chunk)) * 0xFF51AFD7ED558CCDull;
        hash ^= hash >> 29;
        key += 8;
        size -= 8;
    }
    if (size > 0) {
        uint64_t chunk = 0;
        memcpy (&chunk, key, size);
        hash = (hash ^ ab_swar_lower (chunk)) * 0xFF51AFD7ED558CCDull;
        hash ^= hash >> 29;
    }
    hash *= 0xC4CEB9FE1A85EC53ull;
    return (uint32_t) (hash >> 32);
}

//  The same hash for a key that is followed by at least 7 readable bytes
//  (the scanner's zero-padded copy of the text): whole 8-byte loads with
//  the bytes past the key masked off, instead of a byte-count memcpy for
//  the last chunk.  *first gets the key's first 8 bytes folded (masked),
//  which lets s_lookup compare short keys in one go.
static inline uint32_t
ab_xrules_key_hash_padded (const char *key, size_t size, uint64_t *first)
{
    uint64_t hash = 0x9E3779B97F4A7C15ull ^ size;
    *first = 0;
    for (size_t done = 0; done < size; done += 8) {
        uint64_t chunk;
        memcpy (&chunk, key + done, 8);
        if (size - done < 8)
            chunk &= (1ull << (8 * (size - done))) - 1;
        chunk = ab_swar_lower (chunk);
        if (done == 0)
            *first = chunk;
        hash = (hash ^ chunk) * 0xFF51AFD7ED558CCDull;
        hash ^= hash >> 29;
    }
    hash *= 0xC4CEB9FE1A85EC53ull;
    return (uint32_t) (hash >> 32);
}

//  FNV-1a over raw bytes (for dedupe of claim keys)
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
