/*  =========================================================================
    ab_extract - normalized sentences in, typed alliance claims out

    One pass per sentence does the cheap work for every sentence: it cuts
    the sentence into words, looks each word up in one hash table that
    holds both the rules' trigger words and the gazetteer's aliases, and so
    gets (a) the set of trigger words present and (b) the entity mentions.
    Only rules whose every "need" group has a word in that set run their
    PCRE2 pattern, so a sentence that no rule could match costs one hash
    lookup per word and no regex at all.

    Mentions also feed a small history (the last entity of each kind, the
    countries named most recently), which resolves "it", "he", "the two
    countries" and sentences that leave the subject implicit.

    A pattern that starts with an entity ("{entity:force} is led by ...")
    runs only at the mentions the scan found, and only its rest runs, from
    the mention's end: the gazetteer has already done the expensive part.
    A pattern that cannot match without an entity of some kind does not
    run on a sentence where no word may start an alias of that kind.

    Hedge and attribution come from cue files: hedge cues in the sentence,
    in the claim's clause (future and modal verbs) and just before the
    match (negation); attribution in the sentence, in a previous sentence
    that introduces a quote with ':', or in the next sentence ("This comes
    from the Financial Times", or "Hayashi said" after a quotation).
    Claims are buffered per article so that one key is emitted once,
    keeping its least hedged statement.
    =========================================================================
*/
#include "ab_extract.h"
#include "ab_swar.h"
#include "ab_utf8.h"
#include "ab_xrules.h"
#include "ab_xvalue.h"

#include <assert.h>
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_MENTIONS  128         //  entity mentions kept per sentence
#define S_MAX_TOKENS    1024        //  words scanned per sentence
#define S_MAX_TOKEN_LEN 64          //  longer words are never triggers or aliases
#define S_MAX_ACTORS    16
#define S_MAX_RECENT    8           //  countries remembered for "the two countries"
#define S_MAX_RECENT_ENTITIES 32    //  entities remembered for "the U.S. commander there"
#define S_MAX_PENDING   1024        //  claims per article, before dedupe
#define S_LABEL_LEN     200
#define S_PADDING       64          //  zero bytes after the text copy
#define S_MAX_SEPARATORS 32         //  clause separators kept per sentence

//  Copy a string into a fixed buffer, truncating between characters
//  (snprintf "%s" without the format parsing, which showed in profiles:
//  claims copy many slots)
static void
s_copy_n (char *dest, size_t destlen, const char *src, size_t n)
{
    if (n >= destlen)
        n = ab_utf8_floor (src, destlen - 1);
    memcpy (dest, src, n);
    dest [n] = 0;
}

static void
s_copy (char *dest, size_t destlen, const char *src)
{
    s_copy_n (dest, destlen, src, strlen (src));
}

//  One entity mention in the normalized text
typedef struct {
    uint32_t start;
    uint32_t end;
    int alias;
    int entity;
    uint32_t kinds;         //  kinds of every alias found at this start
    bool dot;               //  an alias here ends with '.' ("U.S.")
} s_mention_t;

//  A claim waiting for the end of the article (for per-article dedupe)
typedef struct {
    int rule;
    uint32_t sentence_start;
    uint32_t sentence_end;
    uint32_t match_start;
    uint32_t match_end;
    int hedge;
    char attribution [S_LABEL_LEN];
    char keys [AB_X_MAX_SLOTS][AB_X_SLOT_LEN];
    char values [AB_X_MAX_SLOTS][AB_X_SLOT_LEN];
    int actors [S_MAX_ACTORS];
    int actor_count;
    char key [AB_X_MAX_SLOTS * (AB_X_SLOT_LEN + 24) + 64];
    uint32_t key_hash;      //  ab_xrules_hash of key: equal keys, equal hashes
} s_claim_t;

//  Per-sentence facts, computed lazily where they cost a regex
typedef struct {
    uint32_t start;
    uint32_t end;
    uint64_t triggers [AB_X_TRIGGER_WORDS];
    uint32_t kinds_possible;    //  entity kinds an alias in it may be of
    s_mention_t mentions [S_MAX_MENTIONS];
    int mention_count;
    bool has_quote;
    int vetoed;             //  a veto matches: 1, 0, or -1 not yet tried
    int cue_hedges;         //  bit set of hedges cued in the sentence, -1 unknown
    //  Clause separators, text [from, to), found once per sentence for
    //  all its claims; -1 not yet, S_MAX_SEPARATORS + 1 too many to keep
    int separator_count;
    uint32_t separator_from [S_MAX_SEPARATORS];
    uint32_t separator_to [S_MAX_SEPARATORS];
    bool attr_done;
    char attr_label [S_LABEL_LEN];
    int attr_hedge;
    int attr_entity;        //  entity the attribution resolved to, or -1
} s_sentence_t;

//  State of one ab_extract call
typedef struct {
    const ab_extractor_t *self;
    const ab_doc_t *doc;
    ab_xdate_t published;
    ab_xdate_t anchor;      //  last day-precision date resolved
    pcre2_match_data *match;
    //  History of mentions before the current sentence
    int last_of_kind [AB_X_MAX_KINDS];          //  mention alias, -1 none
    int recent [S_MAX_RECENT];                  //  country entities, newest first
    int recent_count;
    int recent_entities [S_MAX_RECENT_ENTITIES];    //  any entity, newest first
    int recent_entity_count;
    //  Sentences so far, and the last that named a person, an outlet
    int sentences_seen;
    int person_sentence;
    int outlet_sentence;
    //  Pending claims
    s_claim_t *claims;
    int claim_count;
    int claim_capacity;
} s_run_t;

//  --------------------------------------------------------------------------
//  Sentence scan: words, triggers, mentions

typedef struct {
    uint32_t start;
    uint32_t end;
    const ab_xentry_t *entry;   //  hash entry of the word alone, or NULL
    uint32_t hash;              //  its key hash (words up to S_MAX_TOKEN_LEN)
} s_token_t;

//  ASCII letters and digits: the bytes that make up words
static const bool s_word_byte [128] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
    ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
    ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
    ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
    ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1
};

//  Look up the folded form of text [start, end) (one word) in the hash,
//  comparing without making a lowercase copy.  first is the word's first
//  8 bytes folded (ab_xrules_key_hash_padded): most words fit in it, and
//  the key pool is padded so that a key can be loaded 8 bytes at a time.
static const ab_xentry_t *
s_lookup_word (const ab_extractor_t *self, const char *text, uint32_t start, uint32_t end,
               uint32_t hash, uint64_t first)
{
    uint32_t size = end - start;
    uint32_t mark = hash | 1;
    for (uint32_t i = hash & self->table_mask; ; i = (i + 1) & self->table_mask) {
        uint32_t stored_hash = self->table_hashes [i];
        if (stored_hash == 0)
            return NULL;
        if (stored_hash != mark)
            continue;
        const ab_xentry_t *entry = &self->table [i];
        const char *key = self->key_pool + entry->key;
        uint64_t head;
        memcpy (&head, key, 8);
        if (size <= 8) {
            if (size < 8)
                head &= (1ull << (8 * size)) - 1;
            if (head == first && key [size] == 0)
                return entry;
            continue;
        }
        uint32_t k = 8;
        for (; k < size; k++) {
            char c = text [start + k];
            if (c >= 'A' && c <= 'Z')
                c += 32;
            if (key [k] != c)
                break;
        }
        if (head == first && k == size && key [size] == 0)
            return entry;
    }
}

//  Is alias (exact case) spelled like tokens [i..j] with their letters
//  run together?
static bool
s_same_case (const ab_xalias_t *alias, const char *text, const s_token_t *tokens, int i, int j)
{
    const char *want = alias->cased;
    for (int t = i; t <= j; t++) {
        uint32_t len = tokens [t].end - tokens [t].start;
        if (strncmp (want, text + tokens [t].start, len) != 0)
            return false;
        want += len;
    }
    return *want == 0;
}

//  The first alias of entry that tokens [i..j] may stand for, or -1
static int
s_entry_alias (const ab_extractor_t *self, const ab_xentry_t *entry, const char *text,
               const s_token_t *tokens, int i, int j)
{
    for (int a = 0; a < entry->alias_count; a++) {
        int index = self->alias_pool [entry->aliases + (uint32_t) a];
        const ab_xalias_t *alias = &self->aliases [index];
        if (!alias->exact_case || s_same_case (alias, text, tokens, i, j))
            return index;
    }
    return -1;
}

static void
s_scan_sentence (const ab_extractor_t *self, const char *text, s_sentence_t *sent, bool first)
{
    s_token_t tokens [S_MAX_TOKENS];
    int ntokens = 0;
    //  The words whose entry names an alias or starts a longer one: the
    //  mention pass visits only these
    int starts [S_MAX_TOKENS];
    int nstarts = 0;
    memset (sent->triggers, 0, sizeof (sent->triggers));
    sent->kinds_possible = 0;
    sent->mention_count = 0;
    sent->has_quote = false;
    uint32_t pos = sent->start;
    size_t end = sent->end;
    //  Cut into words and look each up once.  ASCII bytes take the table;
    //  only non-ASCII ones need the UTF-8 decoder.
    while (pos < end && ntokens < S_MAX_TOKENS) {
        unsigned char c = (unsigned char) text [pos];
        bool is_token;
        size_t len = 1;
        if (c < 0x80)
            is_token = s_word_byte [c];
        else
            len = ab_xrules_char (text, end, pos, &is_token);
        if (!is_token) {
            if (c == '"' || (len == 3 && c == 0xE2 && (unsigned char) text [pos + 1] == 0x80
                          && ((unsigned char) text [pos + 2] == 0x9C
                          ||  (unsigned char) text [pos + 2] == 0x9D)))
                sent->has_quote = true;
            pos += (uint32_t) len;
            continue;
        }
        uint32_t start = pos;
        pos += (uint32_t) len;
        while (pos < end) {
            //  Eight bytes at a time (the padded copy may be read past
            //  end): the word's end costs no mispredicted branch per byte
            uint64_t chunk;
            memcpy (&chunk, text + pos, 8);
            uint32_t run = ab_swar_run (ab_swar_alnum (chunk));
            pos += run;
            if (pos >= end) {
                pos = (uint32_t) end;
                break;
            }
            if (run == 8)
                continue;
            c = (unsigned char) text [pos];
            if (c < 0x80)
                break;
            len = ab_xrules_char (text, end, pos, &is_token);
            if (!is_token)
                break;
            pos += (uint32_t) len;
        }
        s_token_t *token = &tokens [ntokens++];
        token->start = start;
        token->end = pos;
        token->entry = NULL;
        token->hash = 0;
        if (pos - start <= S_MAX_TOKEN_LEN) {
            //  The text is a padded copy: the hash may load past the word
            uint64_t head;
            token->hash = ab_xrules_key_hash_padded (text + start, pos - start, &head);
            token->entry = s_lookup_word (self, text, start, pos, token->hash, head);
        }
        const ab_xentry_t *entry = token->entry;
        if (entry) {
            sent->kinds_possible |= entry->start_kinds;
            if (entry->trigger >= 0)
                sent->triggers [entry->trigger / 64] |= 1ull << (entry->trigger % 64);
            starts [nstarts] = ntokens - 1;
            nstarts += entry->alias_count > 0 || (entry->flags & AB_X_PREFIX);
        }
    }
    if (ntokens == S_MAX_TOKENS)
        sent->kinds_possible = ~0u;     //  words past the cap were not looked up
    //  A dateline ("MANILA — ", "SEOUL - ", "**TOKYO** - ") says where the story was
    //  filed, not who acts in it: its words name no one
    int dateline = 0;
    for (int i = 0; first && i < ntokens && i < 3; i++) {
        bool upper = true;
        for (uint32_t p = tokens [i].start; p < tokens [i].end; p++)
            if (text [p] >= 'a' && text [p] <= 'z')
                upper = false;
        if (!upper)
            break;
        uint32_t p = tokens [i].end;
        while (p < end && text [p] == '*')
            p++;                //  Markdown bold: "**MANILA** - "
        if (p + 2 < end && text [p] == ' '
        &&  (text [p + 1] == '-' || ((unsigned char) text [p + 1] == 0xE2 && p + 4 < end
                                   && (unsigned char) text [p + 2] == 0x80
                                   && ((unsigned char) text [p + 3] == 0x93
                                   ||  (unsigned char) text [p + 3] == 0x94)))) {
            dateline = i + 1;
            break;
        }
    }
    //  Longest alias starting at each word: the words run together
    int next = 0;           //  first word not inside a mention found
    for (int candidate = 0; candidate < nstarts && sent->mention_count < S_MAX_MENTIONS;
         candidate++) {
        int i = starts [candidate];
        if (i < next)
            continue;
        const ab_xentry_t *entry = tokens [i].entry;
        int best_alias = s_entry_alias (self, entry, text, tokens, i, i);
        int best_end = i;
        uint32_t kinds = best_alias >= 0 ? entry->kinds : 0;
        bool dot = (entry->flags & AB_X_DOT) != 0;
        if (entry->flags & AB_X_PREFIX) {
            char key [AB_X_MAX_ALIAS_TOKENS * S_MAX_TOKEN_LEN + 1];
            size_t n = 0;
            const ab_xentry_t *so_far = entry;
            for (int j = i; j < ntokens && j < i + AB_X_MAX_ALIAS_TOKENS; j++) {
                uint32_t len = tokens [j].end - tokens [j].start;
                if (len > S_MAX_TOKEN_LEN)
                    break;
                if (j > i && !(so_far->extends >> (tokens [j].hash & 63) & 1))
                    break;          //  no key goes on with this word
                const char *t = text + tokens [j].start;
                for (uint32_t k = 0; k < len; k++)
                    key [n++] = (t [k] >= 'A' && t [k] <= 'Z') ? (char) (t [k] + 32) : t [k];
                if (j == i)
                    continue;       //  the word alone was looked up already
                const ab_xentry_t *longer = ab_xrules_lookup (self, key, n,
                                                              ab_xrules_key_hash (key, n));
                if (!longer)
                    break;
                so_far = longer;
                int alias = s_entry_alias (self, longer, text, tokens, i, j);
                if (alias >= 0) {
                    best_alias = alias;
                    best_end = j;
                    kinds |= longer->kinds;
                    dot = (longer->flags & AB_X_DOT) != 0;
                }
                if (!(longer->flags & AB_X_PREFIX))
                    break;
            }
        }
        //  "US$3.2 billion" names a currency, not a country
        uint32_t after = tokens [best_end].end;
        if (best_alias >= 0 && after < end && text [after] == '$')
            best_alias = -1;
        if (best_alias >= 0 && i < dateline) {
            next = best_end + 1;
            continue;
        }
        if (best_alias >= 0) {
            s_mention_t *m = &sent->mentions [sent->mention_count++];
            m->start = tokens [i].start;
            m->end = tokens [best_end].end;
            m->alias = best_alias;
            m->entity = self->aliases [best_alias].entity;
            m->kinds = kinds;
            m->dot = dot;
            next = best_end + 1;
        }
    }
}

//  A title-case line without closing punctuation is a headline, a
//  caption or a "Related Stories" link, not a sentence with a claim; so is
//  a Markdown heading ("## ..."), whatever its case and punctuation.  Its
//  names still count as context for later sentences.
static bool
s_is_headline (const char *text, uint32_t start, uint32_t end)
{
    if (start < end && text [start] == '#')
        return true;
    uint32_t e = end;
    while (e > start && (text [e - 1] == ' ' || text [e - 1] == '\n' || text [e - 1] == '\t'))
        e--;
    if (e == start)
        return true;
    unsigned char last = (unsigned char) text [e - 1];
    if (last == '.' || last == '!' || last == '?' || last == '"' || last == ':'
    ||  last == ')' || last == ';' || last == 0x9D || last == 0x99)
        return false;
    int words = 0, capitals = 0;
    for (uint32_t p = start; p < e; ) {
        while (p < e && text [p] == ' ')
            p++;
        if (p >= e)
            break;
        unsigned char c = (unsigned char) text [p];
        words++;
        if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            capitals++;
        while (p < e && text [p] != ' ')
            p++;
    }
    return words < 8 || capitals * 2 >= words;
}

//  --------------------------------------------------------------------------
//  History

//  Move entity to the front of a newest-first list of at most max, each
//  entity once
static void
s_recent_push (int *list, int *count, int max, int entity)
{
    int at = 0;
    while (at < *count && list [at] != entity)
        at++;
    if (at == *count && *count < max)
        (*count)++;
    if (at == max)
        at = max - 1;
    memmove (list + 1, list, sizeof (int) * (size_t) at);
    list [0] = entity;
}

static void
s_history_add (s_run_t *run, const s_sentence_t *sent)
{
    const ab_extractor_t *self = run->self;
    run->sentences_seen++;
    for (int i = 0; i < sent->mention_count; i++) {
        const s_mention_t *m = &sent->mentions [i];
        const ab_xentity_t *entity = &self->entities [m->entity];
        if (entity->kind_id == self->kind_person)
            run->person_sentence = run->sentences_seen;
        if (entity->kind_id == self->kind_outlet)
            run->outlet_sentence = run->sentences_seen;
        run->last_of_kind [entity->kind_id] = m->alias;
        s_recent_push (run->recent_entities, &run->recent_entity_count, S_MAX_RECENT_ENTITIES,
                       m->entity);
        int country = entity->kind_id == self->kind_country ? m->entity : entity->country_entity;
        if (country >= 0 && entity->member_count <= 1)
            s_recent_push (run->recent, &run->recent_count, S_MAX_RECENT, country);
    }
}

//  --------------------------------------------------------------------------
//  Hedges and attributions

//  Patterns match bytes (ab_xrules.h), so a span that '.' or a negated
//  class bounds may start or end inside a character: keep the whole
//  characters of text [start, end)
static void
s_whole_chars (const char *text, uint32_t start, uint32_t end, uint32_t *from, uint32_t *to)
{
    *from = (uint32_t) ab_utf8_ceil (text, start, end);
    *to = *from + (uint32_t) ab_utf8_floor (text + *from, end - *from);
}

//  pcre2_match, or its JIT entry point when every pattern has JIT code
//  (which skips the per-call checks: ab_extract makes hundreds of calls
//  per article).
static int
s_match (const s_run_t *run, const pcre2_code *code, uint32_t start, uint32_t end,
         PCRE2_SIZE offset, uint32_t options)
{
    PCRE2_SPTR subject = (PCRE2_SPTR) (run->doc->text + start);
    if (run->self->jit)
        return pcre2_jit_match (code, subject, end - start, offset, options, run->match, NULL);
    return pcre2_match (code, subject, end - start, offset, options, run->match, NULL);
}

//  Try a pattern that starts with an entity (lead) at each mention of the
//  sentence that may be of its kinds, within [start, end) and before
//  offset 'before' (relative to start).  Where the mention is of one of
//  those kinds, only the rest of the pattern runs, from the mention's end,
//  and the match is rewritten in the full pattern's group numbers; else
//  the full pattern runs anchored at the mention.  Returns the pcre2 code.
static int
s_match_at_mentions (const s_run_t *run, const s_sentence_t *sent,
                     const ab_xlead_t *lead, uint32_t start, uint32_t end, PCRE2_SIZE before)
{
    const ab_extractor_t *self = run->self;
    for (int m = 0; m < sent->mention_count; m++) {
        const s_mention_t *mention = &sent->mentions [m];
        if (mention->start < start || mention->end > end)
            continue;
        if (before != PCRE2_UNSET && mention->start - start >= before)
            break;
        if (!(mention->kinds & lead->kinds))
            continue;
        uint32_t kind = 1u << self->entities [mention->entity].kind_id;
        if (!lead->rest || !(kind & lead->kinds)) {
            int rc = s_match (run, lead->anchored, start, end, mention->start - start, 0);
            if (rc >= 0)
                return rc;
            continue;
        }
        uint32_t from = mention->end;
        if (mention->dot && from < end && run->doc->text [from] == '.')
            from++;             //  the alias "U.S." ends after its dot
        int rc = s_match (run, lead->rest, start, end, from - start, 0);
        if (rc < 0)
            continue;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer (run->match);
        uint32_t pairs = pcre2_get_ovector_count (run->match);
        PCRE2_SIZE rest [2 * AB_X_MAX_GROUPS];
        uint32_t copy = pairs < AB_X_MAX_GROUPS ? pairs : AB_X_MAX_GROUPS;
        memcpy (rest, ov, sizeof (PCRE2_SIZE) * 2 * copy);
        uint32_t groups = (uint32_t) lead->groups < pairs ? (uint32_t) lead->groups : pairs;
        for (uint32_t g = 0; g < groups; g++) {
            int r = g == 0 ? 0 : lead->map [g];
            if (g == 0) {
                ov [0] = mention->start - start;
                ov [1] = rest [1];
            }
            else
            if (r == -1) {
                ov [2 * g] = mention->start - start;
                ov [2 * g + 1] = from - start;
            }
            else
            if (r >= 0 && (uint32_t) r < copy) {
                ov [2 * g] = rest [2 * r];
                ov [2 * g + 1] = rest [2 * r + 1];
            }
            else
                ov [2 * g] = ov [2 * g + 1] = PCRE2_UNSET;
        }
        return (int) groups;
    }
    return -1;
}

//  Is a word of every need group among the sentence's trigger words?
static bool
s_needs_met (const ab_xneeds_t *needs, const uint64_t *triggers)
{
    for (int n = 0; n < needs->count; n++) {
        uint64_t any = 0;
        for (int w = 0; w < AB_X_TRIGGER_WORDS; w++)
            any |= needs->sets [n][w] & triggers [w];
        if (!any)
            return false;
    }
    return true;
}

//  May the sentence hold every entity kind a pattern needs?  (Kinds a
//  pattern cannot match without; most sentences lack one of them.)
static bool
s_kinds_met (const ab_xkinds_t *kinds, const s_sentence_t *sent)
{
    for (int i = 0; i < kinds->count; i++)
        if (!(kinds->sets [i] & sent->kinds_possible))
            return false;
    return true;
}

//  The clause around a match: a sentence's clauses are separated by
//  "; ", ": ", a spaced dash, or a comma before and/but/while/whereas/
//  although/though (not the comma that closes a list, "X, Y, and Z").
//  Future and modal cues count only in the claim's own clause, so that
//  "28,500 troops are stationed there, and officials said drills would
//  grow" keeps the troop figure asserted.

//  Is the comma at text [p], before "and", the last of a list ("the U.S.
//  military, land, and air forces")?  So it is when the item before it is
//  a few words that themselves follow a comma.
static bool
s_ends_list (const char *text, const s_sentence_t *sent, uint32_t p)
{
    int spaces = 0;
    for (uint32_t q = p; q > sent->start; q--) {
        char c = text [q - 1];
        if (c == ',')
            return true;
        if (c == ';' || c == ':' || c == '.' || (c == ' ' && ++spaces > 3))
            return false;
    }
    return false;
}

//  The separator that starts at text [p], if any: its end, else 0
static uint32_t
s_separator_at (const char *text, const s_sentence_t *sent, uint32_t p)
{
    static const char *joins [] = {
        "and ", "but ", "while ", "whereas ", "although ", "though ", NULL
    };
    char c = text [p];
    if ((c == ';' || c == ':') && text [p + 1] == ' ')
        return p + 2;
    if (c == ' ' && p + 4 < sent->end && (unsigned char) text [p + 1] == 0xE2
    &&  (unsigned char) text [p + 2] == 0x80
    &&  ((unsigned char) text [p + 3] == 0x93 || (unsigned char) text [p + 3] == 0x94)
    &&  text [p + 4] == ' ')
        return p + 5;
    if (c == ' ' && p + 3 < sent->end && text [p + 1] == '-' && text [p + 2] == '-'
    &&  text [p + 3] == ' ')
        return p + 4;
    if (c == ',' && text [p + 1] == ' ')
        for (int j = 0; joins [j]; j++) {
            size_t n = strlen (joins [j]);
            if (p + 2 + n <= sent->end && memcmp (text + p + 2, joins [j], n) == 0)
                return j == 0 && s_ends_list (text, sent, p) ? 0 : p + 2 + (uint32_t) n;
        }
    return 0;
}

static void
s_clause (const char *text, s_sentence_t *sent, uint32_t match_start, uint32_t match_end,
          uint32_t *start_p, uint32_t *end_p)
{
    if (sent->separator_count < 0) {
        //  Every separator has one of these bytes: its punctuation, or a
        //  dash after its leading space.  Others are skipped at a glance.
        static const bool marks [256] = {
            [';'] = 1, [':'] = 1, [','] = 1, ['-'] = 1, [0xE2] = 1
        };
        int count = 0;
        for (uint32_t q = sent->start; q < sent->end && count <= S_MAX_SEPARATORS; q++) {
            unsigned char c = (unsigned char) text [q];
            if (!marks [c])
                continue;
            bool dash = c == '-' || c == 0xE2;
            if ((dash && q == sent->start) || (dash ? q : q + 1) >= sent->end)
                continue;
            uint32_t p = dash ? q - 1 : q;
            uint32_t to = s_separator_at (text, sent, p);
            if (to == 0)
                continue;
            if (count < S_MAX_SEPARATORS) {
                sent->separator_from [count] = p;
                sent->separator_to [count] = to;
            }
            count++;
        }
        sent->separator_count = count;
    }
    uint32_t start = sent->start, end = sent->end;
    if (sent->separator_count <= S_MAX_SEPARATORS) {
        for (int i = 0; i < sent->separator_count; i++) {
            if (sent->separator_to [i] <= match_start)
                start = sent->separator_to [i];
            else
            if (sent->separator_from [i] >= match_end) {
                end = sent->separator_from [i];
                break;
            }
        }
    }
    else
        //  A sentence of many clauses: walk it for this match
        for (uint32_t p = sent->start; p + 1 < sent->end; p++) {
            uint32_t to = s_separator_at (text, sent, p);
            if (to == 0)
                continue;
            if (to <= match_start)
                start = to;
            else
            if (p >= match_end) {
                end = p;
                break;
            }
        }
    *start_p = start;
    *end_p = end;
}

//  May the cue match in this sentence: are its trigger words there (unless
//  it is always tried) and the entity kinds its pattern needs?
static bool
s_cue_possible (const ab_xcue_t *cue, const s_sentence_t *sent)
{
    return (cue->always || s_needs_met (&cue->needs, sent->triggers))
        && s_kinds_met (&cue->kinds, sent);
}

//  Bit set of the tags (hedges; the veto's one tag) cued in text
//  [start, end) of the sentence
static int
s_cued (const s_run_t *run, const s_sentence_t *sent, const ab_xcues_t *cues,
              uint32_t start, uint32_t end)
{
    int set = 0;
    for (int i = 0; i < cues->count; i++) {
        const ab_xcue_t *cue = &cues->cues [i];
        if ((set & (1 << cue->tag)) || !s_cue_possible (cue, sent))
            continue;
        if (!cue->code)
            set |= 1 << cue->tag;
        else
        if (end > start && s_match (run, cue->code, start, end, 0, 0) >= 0)
            set |= 1 << cue->tag;
    }
    return set;
}

static const char *
s_trim (const char *text, size_t *size)
{
    while (*size > 0 && (*text == ' ' || *text == ','))
        text++, (*size)--;
    while (*size > 0 && (text [*size - 1] == ' ' || text [*size - 1] == ','))
        (*size)--;
    return text;
}

//  The person a pronoun at byte offset 'before' refers to: the last one
//  named earlier in this sentence, else before it.  (Only a person named
//  before the pronoun counts: in "He added that the Biden-Kishida summit",
//  'he' is neither of them.)  *unsure is set when a sentence naming an
//  outlet came between that person and this sentence ("..., Hayashi said.
//  The Financial Times reported that ...  He called the plans ..."): the
//  story has moved to another report, and 'he' may be someone it quoted.
static int
s_last_person (const s_run_t *run, const s_sentence_t *sent, uint32_t before, bool *unsure)
{
    const ab_extractor_t *self = run->self;
    *unsure = false;
    if (self->kind_person < 0)
        return -1;
    for (int i = sent->mention_count - 1; i >= 0; i--)
        if (sent->mentions [i].end <= before
        &&  self->entities [sent->mentions [i].entity].kind_id == self->kind_person)
            return sent->mentions [i].alias;
    *unsure = run->outlet_sentence > run->person_sentence;
    return run->last_of_kind [self->kind_person];
}

//  Label for a resolved alias: a person with title and, for a known
//  misspelling, the spelling the article used.
static void
s_alias_label (const ab_extractor_t *self, int alias_index, char *out, size_t outlen)
{
    const ab_xalias_t *alias = &self->aliases [alias_index];
    const ab_xentity_t *entity = &self->entities [alias->entity];
    if (*entity->title && alias->variant)
        snprintf (out, outlen, "%s (%s; written \"%s\")", entity->name, entity->title, alias->text);
    else
    if (*entity->title)
        snprintf (out, outlen, "%s (%s)", entity->name, entity->title);
    else
    if (alias->variant)
        snprintf (out, outlen, "%s (written \"%s\")", entity->name, alias->text);
    else
        snprintf (out, outlen, "%s", entity->name);
}

static bool
s_is_pronoun (const char *text, size_t size)
{
    static const char *pronouns [] = { "he", "she", "him", "her", NULL };
    for (int i = 0; pronouns [i]; i++)
        if (strlen (pronouns [i]) == size && strncasecmp (text, pronouns [i], size) == 0)
            return true;
    return false;
}

//  Try the attribution cues of one place on the span [start, end); the
//  leftmost match wins, and at one position the earlier line.  own says
//  the span is the claim's sentence, whose trigger words and mentions
//  gate and anchor the cues.  On a match fill label, hedge and entity.
static bool
s_attr_try (const s_run_t *run, const s_sentence_t *sent, ab_xwhere_t where,
            uint32_t start, uint32_t end, bool own, char *label, int *hedge, int *entity)
{
    const ab_extractor_t *self = run->self;
    const ab_xcues_t *cues = &self->attr_cues [where];
    const char *text = run->doc->text;
    if (end <= start)
        return false;
    PCRE2_SIZE best = PCRE2_UNSET, src_start = PCRE2_UNSET, src_end = 0;
    int best_index = -1;
    for (int i = 0; i < cues->count; i++) {
        const ab_xcue_t *cue = &cues->cues [i];
        if (own && !s_cue_possible (cue, sent))
            continue;
        int rc = own && cue->lead.kinds
               ? s_match_at_mentions (run, sent, &cue->lead, start, end, best)
               : s_match (run, cue->code, start, end, 0, 0);
        if (rc < 0)
            continue;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer (run->match);
        if (best != PCRE2_UNSET && ov [0] >= best)
            continue;
        best = ov [0];
        best_index = cue->tag;
        src_start = PCRE2_UNSET;
        uint32_t pairs = pcre2_get_ovector_count (run->match);
        for (int g = 0; g < cue->src_count; g++) {
            uint32_t number = (uint32_t) cue->src [g];
            if (number < pairs && ov [2 * number] != PCRE2_UNSET) {
                src_start = ov [2 * number];
                src_end = ov [2 * number + 1];
                break;
            }
        }
        if (best == 0)
            break;          //  nothing can start earlier
    }
    if (best_index < 0)
        return false;
    const ab_xattr_t *attr = &self->attrs [best_index];
    if (strcmp (attr->label, "$") != 0) {
        s_copy (label, S_LABEL_LEN, attr->label);
        *hedge = attr->hedge;
        return true;
    }
    //  $: the src group, resolved through the gazetteer
    if (src_start == PCRE2_UNSET)
        return false;
    uint32_t from, to;
    s_whole_chars (text, start + (uint32_t) src_start, start + (uint32_t) src_end, &from, &to);
    size_t size = to - from;
    const char *src = s_trim (text + from, &size);
    int alias;
    bool unsure = false;
    if (s_is_pronoun (src, size)) {
        uint32_t at = from;
        alias = s_last_person (run, sent, at >= sent->start && at <= sent->end ? at : sent->end,
                               &unsure);
        if (alias < 0)
            return false;       //  an unresolved pronoun names nobody
    }
    else
        alias = ab_xrules_alias (self, src, size, -1);
    if (alias >= 0) {
        char named [S_LABEL_LEN];
        s_alias_label (self, alias, named, sizeof named);
        //  The reader is told the text only says "he"
        char pronoun [8] = "";
        for (size_t k = 0; unsure && k < size && k + 1 < sizeof pronoun; k++)
            pronoun [k] = (char) tolower ((unsigned char) src [k]);
        int used = unsure ? snprintf (label, S_LABEL_LEN, "\"%s\", probably ", pronoun) : 0;
        if (used >= 0 && used < S_LABEL_LEN)
            s_copy (label + used, S_LABEL_LEN - (size_t) used, named);
        *entity = self->aliases [alias].entity;
    }
    else
    if (size > 0)
        s_copy_n (label, S_LABEL_LEN, src, size);
    else
        return false;
    *hedge = attr->hedge;
    return true;
}

//  Does the span end with ':' (maybe before a closing quote or space)?
static bool
s_ends_with_colon (const char *text, uint32_t start, uint32_t end)
{
    while (end > start && (text [end - 1] == ' ' || text [end - 1] == '\n'))
        end--;
    return end > start && text [end - 1] == ':';
}

static void
s_attribution (s_run_t *run, s_sentence_t *sent, int index)
{
    if (sent->attr_done)
        return;
    sent->attr_done = true;
    sent->attr_label [0] = 0;
    sent->attr_hedge = -1;
    sent->attr_entity = -1;
    const ab_doc_t *doc = run->doc;
    if (s_attr_try (run, sent, AB_ATTR_SELF, sent->start, sent->end, true,
                    sent->attr_label, &sent->attr_hedge, &sent->attr_entity))
        return;
    //  "One official said:" introduces the quotation that follows
    if (index > 0) {
        const ab_span_t *prev = &doc->sentences [index - 1];
        if (s_ends_with_colon (doc->text, prev->start, prev->end)
        &&  s_attr_try (run, sent, AB_ATTR_SELF, prev->start, prev->end, false,
                        sent->attr_label, &sent->attr_hedge, &sent->attr_entity))
            return;
    }
    if ((uint32_t) index + 1 < doc->sentence_count) {
        const ab_span_t *next = &doc->sentences [index + 1];
        if (s_attr_try (run, sent, AB_ATTR_NEXT, next->start, next->end, false,
                        sent->attr_label, &sent->attr_hedge, &sent->attr_entity))
            return;
        if (sent->has_quote
        &&  s_attr_try (run, sent, AB_ATTR_NEXT_QUOTE, next->start, next->end, false,
                        sent->attr_label, &sent->attr_hedge, &sent->attr_entity))
            return;
    }
}

//  --------------------------------------------------------------------------
//  Slots

typedef struct {
    s_run_t *run;
    const s_sentence_t *sent;
    const ab_xrule_t *rule;
    PCRE2_SIZE *ov;
    uint32_t ovcount;
    bool future;
    s_claim_t *claim;
    char (*done) [AB_X_SLOT_LEN];   //  values of the rule's slots so far
    int attr_entity;                //  the claim's attribution resolved, or -1
} s_slotctx_t;

static void
s_add_actor (s_claim_t *claim, int entity)
{
    for (int i = 0; i < claim->actor_count; i++)
        if (claim->actors [i] == entity)
            return;
    if (claim->actor_count < S_MAX_ACTORS)
        claim->actors [claim->actor_count++] = entity;
}

//  The entity a mention counts as for kind: itself, or for kind country
//  the country of a person, force or city.
static int
s_as_kind (const ab_extractor_t *self, int entity, int kind)
{
    const ab_xentity_t *e = &self->entities [entity];
    if (e->kind_id == kind)
        return entity;
    if (kind == self->kind_country && e->country_entity >= 0 && e->member_count == 1)
        return e->country_entity;
    return -1;
}

//  May a mention of entity be what a reference to kind (of country, or
//  of any country when of_country is -1) stands for?
static bool
s_refers (const ab_extractor_t *self, int entity, int kind, int of_country)
{
    return self->entities [entity].kind_id == kind
        && (of_country < 0 || s_as_kind (self, entity, self->kind_country) == of_country);
}

static int
s_cmp_ids (const void *a, const void *b, void *arg)
{
    const ab_extractor_t *self = arg;
    return strcmp (self->entities [*(const int *) a].id, self->entities [*(const int *) b].id);
}

//  Is entity ruled out for this slot: a fixed id (first:country!US), or
//  the value of an earlier slot (first:country!=country)?
static bool
s_excluded (const s_slotctx_t *sc, const ab_xslot_t *slot, int entity)
{
    const char *id = sc->run->self->entities [entity].id;
    if (slot->exclude && strcmp (id, slot->exclude) == 0)
        return true;
    return slot->exclude_slot >= 0 && strcmp (id, sc->done [slot->exclude_slot]) == 0;
}

//  Convert one slot; writes the value(s) and returns 0, or -1 if the
//  rule must not fire.
static int
s_convert (s_slotctx_t *sc, const ab_xslot_t *slot, char *out, char *out2)
{
    s_run_t *run = sc->run;
    const ab_extractor_t *self = run->self;
    const char *text = run->doc->text;
    const s_sentence_t *sent = sc->sent;
    //  The captured text, if any (first group of that name that is set),
    //  or the part of the sentence the slot names
    bool captured = false;
    uint32_t cstart = 0, cend = 0;
    uint32_t match_start = sc->claim->match_start;
    uint32_t match_end = sc->claim->match_end;
    for (int g = 0; g < slot->group_count; g++) {
        int n = slot->groups [g];
        if ((uint32_t) n < sc->ovcount && sc->ov [2 * n] != PCRE2_UNSET) {
            s_whole_chars (text, sent->start + (uint32_t) sc->ov [2 * n],
                           sent->start + (uint32_t) sc->ov [2 * n + 1], &cstart, &cend);
            captured = true;
            break;
        }
    }
    if (slot->span != AB_SPAN_GROUP) {
        captured = true;
        cstart = slot->span == AB_SPAN_MATCH || slot->span == AB_SPAN_FROM ? match_start
               : slot->span == AB_SPAN_AFTER ? match_end : sent->start;
        cend = slot->span == AB_SPAN_MATCH || slot->span == AB_SPAN_UPTO ? match_end
             : slot->span == AB_SPAN_BEFORE ? match_start : sent->end;
    }
    const char *ctext = text + cstart;
    size_t csize = cend - cstart;
    switch (slot->conv) {
        case AB_CONV_LITERAL:
            s_copy (out, AB_X_SLOT_LEN, slot->literal);
            return 0;
        case AB_CONV_ENTITY:
        case AB_CONV_REF: {
            int entity = -1;
            int of_country = -1;    //  ref: the referent must belong to it
            if (captured && csize > 0) {
                int alias = ab_xrules_alias (self, ctext, csize, slot->kind);
                if (alias >= 0)
                    entity = s_as_kind (self, self->aliases [alias].entity, slot->kind);
                else
                if (slot->kind == self->kind_country || slot->conv == AB_CONV_REF) {
                    //  The country of whatever the words name: a person or
                    //  force stands for its country; for a reference, a
                    //  country names whose force or person it is ("the new
                    //  U.S. commander there")
                    int any = ab_xrules_alias (self, ctext, csize, -1);
                    int country = any >= 0
                                ? s_as_kind (self, self->aliases [any].entity, self->kind_country)
                                : -1;
                    if (slot->kind == self->kind_country)
                        entity = country;
                    else
                        of_country = country;
                }
            }
            if (entity < 0 && slot->conv == AB_CONV_REF) {
                //  Nearest earlier mention of the kind (and country, if
                //  one was named): in this sentence before the match,
                //  else in the article so far
                for (int i = sent->mention_count - 1; i >= 0 && entity < 0; i--)
                    if (sent->mentions [i].end <= match_start
                    &&  s_refers (self, sent->mentions [i].entity, slot->kind, of_country))
                        entity = sent->mentions [i].entity;
                if (entity < 0 && of_country < 0 && run->last_of_kind [slot->kind] >= 0)
                    entity = self->aliases [run->last_of_kind [slot->kind]].entity;
                for (int i = 0; entity < 0 && of_country >= 0 && i < run->recent_entity_count; i++)
                    if (s_refers (self, run->recent_entities [i], slot->kind, of_country))
                        entity = run->recent_entities [i];
            }
            if (entity < 0 || s_excluded (sc, slot, entity))
                return -1;
            s_copy (out, AB_X_SLOT_LEN, self->entities [entity].id);
            s_add_actor (sc->claim, entity);
            return 0;
        }
        case AB_CONV_FIRST:
        case AB_CONV_LAST:
        case AB_CONV_SET: {
            uint32_t from = captured ? cstart : sent->start;
            uint32_t to = captured ? cend : sent->end;
            int found [S_MAX_ACTORS];
            int count = 0;
            for (int i = 0; i < sent->mention_count && count < S_MAX_ACTORS; i++) {
                const s_mention_t *m = &sent->mentions [i];
                if (m->start < from || m->end > to)
                    continue;
                const ab_xentity_t *named = &self->entities [m->entity];
                if (slot->conv == AB_CONV_SET && slot->kind == self->kind_country
                &&  named->member_count > 1) {
                    //  An alliance stands for all its members
                    for (int k = 0; k < named->member_count && count < S_MAX_ACTORS; k++) {
                        bool dup = false;
                        for (int j = 0; j < count; j++)
                            dup |= found [j] == named->members [k];
                        if (!dup && !s_excluded (sc, slot, named->members [k]))
                            found [count++] = named->members [k];
                    }
                    continue;
                }
                int entity = s_as_kind (self, m->entity, slot->kind);
                if (entity < 0 && (m->kinds & (1u << slot->kind))) {
                    //  The words also name an entity of the wanted kind
                    //  ("Washington" the place, not the government)
                    int alias = ab_xrules_alias (self, text + m->start, m->end - m->start,
                                                 slot->kind);
                    if (alias >= 0)
                        entity = self->aliases [alias].entity;
                }
                if (entity < 0 || s_excluded (sc, slot, entity))
                    continue;
                if (slot->conv == AB_CONV_LAST) {
                    found [0] = entity;         //  keep overwriting: the last one stays
                    count = 1;
                    continue;
                }
                bool dup = false;
                for (int k = 0; k < count; k++)
                    dup |= found [k] == entity;
                if (!dup)
                    found [count++] = entity;
                if (slot->conv == AB_CONV_FIRST)
                    break;
            }
            if (count == 0) {
                //  Nothing named here: the subject carries over
                if (slot->conv != AB_CONV_SET) {
                    int alias = run->last_of_kind [slot->kind];
                    if (slot->kind == self->kind_country && run->recent_count > 0) {
                        for (int k = 0; k < run->recent_count && count == 0; k++)
                            if (!s_excluded (sc, slot, run->recent [k]))
                                found [count++] = run->recent [k];
                    }
                    else
                    if (alias >= 0 && !s_excluded (sc, slot, self->aliases [alias].entity))
                        found [count++] = self->aliases [alias].entity;
                }
                else
                if (slot->kind == self->kind_country)
                    for (int k = 0; k < run->recent_count && count < slot->min_count; k++)
                        found [count++] = run->recent [k];
            }
            if (count == 0 || (slot->conv == AB_CONV_SET && count < slot->min_count))
                return -1;
            qsort_r (found, (size_t) count, sizeof (int), s_cmp_ids, (void *) self);
            size_t n = 0;
            out [0] = 0;
            for (int k = 0; k < count; k++) {
                const char *id = self->entities [found [k]].id;
                size_t len = strlen (id);
                if (n + len + 2 >= AB_X_SLOT_LEN)
                    return -1;
                if (k)
                    out [n++] = '+';
                memcpy (out + n, id, len + 1);
                n += len;
                s_add_actor (sc->claim, found [k]);
            }
            return 0;
        }
        case AB_CONV_RANK:
            return ab_xvalue_rank (ctext, csize, out, AB_X_SLOT_LEN);
        case AB_CONV_COUNT:
            return ab_xvalue_count (ctext, csize, out, AB_X_SLOT_LEN);
        case AB_CONV_PERCENT:
            return ab_xvalue_percent (ctext, csize, out, AB_X_SLOT_LEN);
        case AB_CONV_KM:
            return ab_xvalue_km (ctext, csize, out, AB_X_SLOT_LEN);
        case AB_CONV_MONEY:
            return ab_xvalue_money (ctext, csize, out, AB_X_SLOT_LEN, out2, AB_X_SLOT_LEN);
        case AB_CONV_YEAR:
            return ab_xvalue_year (ctext, csize, out, AB_X_SLOT_LEN);
        case AB_CONV_WORD:
            return ab_xvalue_word (ctext, csize, out, AB_X_SLOT_LEN);
        case AB_CONV_SPEAKER: {
            //  Who is quoted: the attribution's person, else the first
            //  person named, else the last one named before
            int entity = -1;
            if (sc->attr_entity >= 0
            &&  self->entities [sc->attr_entity].kind_id == self->kind_person)
                entity = sc->attr_entity;
            for (int i = 0; i < sent->mention_count && entity < 0; i++)
                if (self->entities [sent->mentions [i].entity].kind_id == self->kind_person)
                    entity = sent->mentions [i].entity;
            if (entity < 0 && self->kind_person >= 0 && run->last_of_kind [self->kind_person] >= 0)
                entity = self->aliases [run->last_of_kind [self->kind_person]].entity;
            if (entity < 0)
                return -1;
            s_copy (out, AB_X_SLOT_LEN, self->entities [entity].id);
            s_add_actor (sc->claim, entity);
            return 0;
        }
        case AB_CONV_TENSE:
            s_copy (out, AB_X_SLOT_LEN, sc->future ? "planned" : "current");
            return 0;
        case AB_CONV_NUMBER: {
            double v;
            if (ab_xvalue_number (ctext, csize, &v, NULL) != 0)
                return -1;
            ab_xvalue_format_number (v, out, AB_X_SLOT_LEN);
            return 0;
        }
        case AB_CONV_DATE: {
            ab_xdate_t date;
            if (ab_xvalue_date (ctext, csize, &run->published, &run->anchor, sc->future, &date) == 0) {
                ab_xdate_format (&date, out, AB_X_SLOT_LEN);
                if (date.day > 0)
                    run->anchor = date;
                return 0;
            }
            //  Without a publication date a relative date stays as words
            if (run->published.year == 0)
                return ab_xvalue_word (ctext, csize, out, AB_X_SLOT_LEN);
            return -1;
        }
    }
    return -1;
}

//  --------------------------------------------------------------------------
//  Claims

static s_claim_t *
s_new_claim (s_run_t *run)
{
    if (run->claim_count == run->claim_capacity) {
        if (run->claim_capacity >= S_MAX_PENDING)
            return NULL;
        int capacity = run->claim_capacity ? run->claim_capacity * 2 : 16;
        s_claim_t *grown = realloc (run->claims, sizeof (s_claim_t) * (size_t) capacity);
        if (!grown)
            return NULL;
        run->claims = grown;
        run->claim_capacity = capacity;
    }
    return &run->claims [run->claim_count];
}

static void
s_build_key (const ab_extractor_t *self, s_claim_t *claim)
{
    const ab_xform_t *form = &self->forms [self->rules [claim->rule].form];
    char *out = claim->key;
    char *limit = claim->key + sizeof (claim->key) - 2;
    #define S_PUT(str) for (const char *p_ = (str); *p_ && out < limit; ) *out++ = *p_++
    S_PUT (form->type);
    S_PUT ("{");
    for (int k = 0; k < form->key_count; k++) {
        if (k)
            S_PUT (",");
        S_PUT (form->key_names [k]);
        S_PUT ("=");
        S_PUT (claim->keys [k]);
    }
    #undef S_PUT
    *out++ = '}';
    *out = 0;
    claim->key_hash = ab_xrules_hash (AB_X_FNV_SEED, claim->key, (size_t) (out - claim->key));
}

//  Try one rule on a sentence; on a match fill *claim and return true.
static bool
s_try_rule (s_run_t *run, s_sentence_t *sent, int sentence_index, int rule_index,
            s_claim_t *claim)
{
    const ab_extractor_t *self = run->self;
    const ab_xrule_t *rule = &self->rules [rule_index];
    const ab_xform_t *form = &self->forms [rule->form];
    int rc = rule->lead.kinds
           ? s_match_at_mentions (run, sent, &rule->lead, sent->start, sent->end, PCRE2_UNSET)
           : s_match (run, rule->code, sent->start, sent->end, 0, 0);
    if (rc < 0)
        return false;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer (run->match);
    PCRE2_SIZE saved [2 * 64];
    uint32_t ovcount = pcre2_get_ovector_count (run->match);
    if (ovcount > 64)
        ovcount = 64;
    memcpy (saved, ov, sizeof (PCRE2_SIZE) * 2 * ovcount);
    if (rule->unless_code && s_match (run, rule->unless_code, sent->start, sent->end, 0, 0) >= 0)
        return false;
    //  Opinion states no fact (claims.rules 'veto'); tried only once a rule
    //  matched, and once per sentence however many rules match it
    if (sent->vetoed < 0)
        sent->vetoed = s_cued (run, sent, &self->veto_cues, sent->start, sent->end) != 0;
    if (sent->vetoed)
        return false;
    //  (The slots read the saved ovector: cue matches reuse the match data.)

    memset (claim, 0, offsetof (s_claim_t, key));
    claim->key [0] = 0;
    claim->rule = rule_index;
    claim->sentence_start = sent->start;
    claim->sentence_end = sent->end;
    s_whole_chars (run->doc->text, sent->start + (uint32_t) saved [0],
                   sent->start + (uint32_t) saved [1], &claim->match_start, &claim->match_end);

    //  Hedge first: dates need to know whether the sentence speaks of the
    //  future.
    if (sent->cue_hedges < 0)
        sent->cue_hedges = s_cued (run, sent, &self->hedge_cues [0], sent->start, sent->end);
    int hedges = sent->cue_hedges;
    uint32_t clause_start, clause_end;
    s_clause (run->doc->text, sent, claim->match_start, claim->match_end, &clause_start, &clause_end);
    hedges |= s_cued (run, sent, &self->hedge_cues [1], clause_start, clause_end);
    uint32_t window = claim->match_start > sent->start + (uint32_t) self->near_window
                    ? claim->match_start - (uint32_t) self->near_window : sent->start;
    hedges |= s_cued (run, sent, &self->hedge_cues [2], window, claim->match_start);
    //  Who says so: a cue in the claim's own clause, where the sentence
    //  has several ("Takaichi told reporters that ...; according to Nikkei,
    //  officials are studying 3.5%": Nikkei's report, not Takaichi's);
    //  else the sentence's own, or its neighbours'
    int attr_hedge = -1, attr_entity = -1;
    bool in_clause = (clause_start > sent->start || clause_end < sent->end)
                  && s_attr_try (run, sent, AB_ATTR_SELF, clause_start, clause_end, true,
                                 claim->attribution, &attr_hedge, &attr_entity);
    if (!in_clause) {
        s_attribution (run, sent, sentence_index);
        s_copy (claim->attribution, sizeof (claim->attribution), sent->attr_label);
        attr_hedge = sent->attr_hedge;
        attr_entity = sent->attr_entity;
    }
    if (attr_hedge >= 0)
        hedges |= 1 << attr_hedge;
    claim->hedge = AB_HEDGE_ASSERTED;
    if (rule->hedge >= 0)
        claim->hedge = rule->hedge;
    else
        for (int h = 0; h < AB_HEDGE_COUNT; h++)
            if ((hedges & (1 << h)) && self->hedge_order [h] < self->hedge_order [claim->hedge])
                claim->hedge = h;

    char done [AB_X_MAX_SLOTS][AB_X_SLOT_LEN];
    s_slotctx_t sc = { run, sent, rule, saved, ovcount, (hedges & (1 << AB_HEDGE_EXPECTED)) != 0,
                       claim, done, attr_entity };
    //  Fixed slots from the form, then the rule's slots into their places
    for (int k = 0; k < form->key_count; k++)
        if (form->key_fixed [k])
            s_copy (claim->keys [k], AB_X_SLOT_LEN, form->key_fixed [k]);
    for (int k = 0; k < form->value_count; k++)
        if (form->value_fixed [k])
            s_copy (claim->values [k], AB_X_SLOT_LEN, form->value_fixed [k]);
    for (int i = 0; i < rule->slot_count; i++) {
        const ab_xslot_t *slot = &rule->slots [i];
        char value [AB_X_SLOT_LEN] = "", value2 [AB_X_SLOT_LEN] = "";
        if (s_convert (&sc, slot, value, value2) != 0)
            return false;
        s_copy (done [i], AB_X_SLOT_LEN, value);
        const char *names [2] = { slot->name, slot->name2 };
        const char *values [2] = { value, value2 };
        for (int n = 0; n < 2; n++) {
            if (!names [n])
                continue;
            for (int k = 0; k < form->key_count; k++)
                if (strcmp (form->key_names [k], names [n]) == 0)
                    s_copy (claim->keys [k], AB_X_SLOT_LEN, values [n]);
            for (int k = 0; k < form->value_count; k++)
                if (strcmp (form->value_names [k], names [n]) == 0)
                    s_copy (claim->values [k], AB_X_SLOT_LEN, values [n]);
        }
    }
    //  Actors: the slots' entities, then whoever else the claim's clause
    //  names ("Unlike South Korea, ..., while U.S. forces in Japan are led
    //  by a three-star general": South Korea is no actor of that claim)
    for (int i = 0; i < sent->mention_count; i++) {
        const s_mention_t *m = &sent->mentions [i];
        if (m->start >= clause_start && m->end <= clause_end
        &&  self->entities [m->entity].kind_id != self->kind_outlet)
            s_add_actor (claim, m->entity);
    }
    s_build_key (self, claim);
    return true;
}

//  Keep one claim per key per article: the least hedged statement wins,
//  then one with an attribution, then the first.
static void
s_keep_claim (s_run_t *run, s_claim_t *claim)
{
    const ab_extractor_t *self = run->self;
    for (int i = 0; i < run->claim_count; i++) {
        s_claim_t *old = &run->claims [i];
        if (old->key_hash != claim->key_hash || strcmp (old->key, claim->key) != 0)
            continue;
        int old_rank = self->hedge_order [old->hedge];
        int new_rank = self->hedge_order [claim->hedge];
        if (new_rank > old_rank || (new_rank == old_rank && !*old->attribution && *claim->attribution))
            *old = *claim;
        return;
    }
    if (claim == &run->claims [run->claim_count])
        run->claim_count++;
    else
        run->claims [run->claim_count++] = *claim;
}

//  Hand the pending claims to the result.  Each goes over as a draft that
//  borrows its strings (ab_result_add_claim_copy copies them once).  text
//  is this call's own copy of the article, so the evidence sentence is
//  terminated in place for the copy and the byte put back after.
static int
s_emit (s_run_t *run, char *text, ab_result_t *result)
{
    const ab_extractor_t *self = run->self;
    int emitted = 0;
    for (int i = 0; i < run->claim_count; i++) {
        s_claim_t *c = &run->claims [i];
        const ab_xrule_t *rule = &self->rules [c->rule];
        const ab_xform_t *form = &self->forms [rule->form];
        char *actors [S_MAX_ACTORS];
        ab_slot_t keys [AB_X_MAX_SLOTS], values [AB_X_MAX_SLOTS];
        for (int k = 0; k < c->actor_count; k++)
            actors [k] = self->entities [c->actors [k]].id;
        for (int k = 0; k < form->key_count; k++)
            keys [k] = (ab_slot_t) { form->key_names [k], c->keys [k] };
        for (int k = 0; k < form->value_count; k++)
            values [k] = (ab_slot_t) { form->value_names [k], c->values [k] };
        ab_claim_t draft = {
            .type = form->type,
            .rule = rule->id,
            .actors = actors,
            .actor_count = (uint32_t) c->actor_count,
            .keys = keys,
            .key_count = (uint32_t) form->key_count,
            .values = values,
            .value_count = (uint32_t) form->value_count,
            .hedge = (char *) ab_xhedge_names [c->hedge],
            .attribution = c->attribution,
            .evidence = text + c->sentence_start,
            .evidence_start = c->sentence_start,
            .evidence_end = c->sentence_end,
            .match_start = c->match_start,
            .match_end = c->match_end
        };
        char saved = text [c->sentence_end];
        text [c->sentence_end] = 0;
        ab_claim_t *claim = ab_result_add_claim_copy (result, &draft);
        text [c->sentence_end] = saved;
        if (!claim)
            return -1;
        emitted++;
    }
    return emitted;
}

int
ab_extract (const ab_extractor_t *self, const ab_doc_t *doc,
            const char *published, ab_result_t *result)
{
    assert (self);
    assert (doc);
    assert (result);
    s_run_t run;
    memset (&run, 0, sizeof (run));
    run.self = self;
    run.doc = doc;
    if (published)
        ab_xdate_parse_iso (published, &run.published);
    for (int k = 0; k < AB_X_MAX_KINDS; k++)
        run.last_of_kind [k] = -1;
    if (!doc->text || doc->size == 0)
        return 0;
    run.match = pcre2_match_data_create (self->max_groups + 1 > 64 ? self->max_groups + 1 : 64,
                                         NULL);
    if (!run.match)
        return -1;
    //  Patterns run on a copy of the text followed by zeroed padding:
    //  PCRE2's JIT may read ahead of the subject in aligned blocks, which
    //  is harmless but reads the caller's uninitialised slack (and makes
    //  valgrind complain).  The copy costs one memcpy per article.
    s_sentence_t *sent = malloc (sizeof (s_sentence_t) + doc->size + S_PADDING);
    if (!sent) {
        pcre2_match_data_free (run.match);
        return -1;
    }
    ab_doc_t copy = *doc;
    copy.text = (char *) (sent + 1);
    memcpy (copy.text, doc->text, doc->size);
    memset (copy.text + doc->size, 0, S_PADDING);
    //  A document without sentence spans is one sentence
    ab_span_t span = { 0, (uint32_t) doc->size };
    if (doc->sentence_count == 0) {
        copy.sentences = &span;
        copy.sentence_count = 1;
    }
    run.doc = doc = &copy;
    s_claim_t scratch;
    int rc = 0;
    for (uint32_t index = 0; rc == 0 && index < doc->sentence_count; index++) {
        const ab_span_t *span_i = &doc->sentences [index];
        if (span_i->end <= span_i->start || span_i->end > doc->size)
            continue;
        sent->start = span_i->start;
        sent->end = span_i->end;
        sent->cue_hedges = -1;
        sent->vetoed = -1;
        sent->separator_count = -1;
        sent->attr_done = false;
        s_scan_sentence (self, doc->text, sent, index == 0);
        if (!s_is_headline (doc->text, sent->start, sent->end)) {
            int taken = 0;
            uint32_t keys [100];    //  hashes of this sentence's claim keys
            //  Candidates: the rules that need one of the sentence's words
            uint64_t candidates [AB_X_RULE_WORDS] = { 0 };
            for (int w = 0; w < AB_X_TRIGGER_WORDS; w++)
                for (uint64_t bits = sent->triggers [w]; bits; bits &= bits - 1) {
                    int t = w * 64 + __builtin_ctzll (bits);
                    for (int k = 0; k < AB_X_RULE_WORDS; k++)
                        candidates [k] |= self->trigger_rules [t][k];
                }
            //  In rule order, visiting only the candidates' bits: most
            //  sentences have a few candidates among dozens of rules
            for (int w = 0; w < AB_X_RULE_WORDS; w++) {
                for (uint64_t bits = candidates [w];
                     bits && taken < self->max_claims_per_sentence; bits &= bits - 1) {
                    int r = w * 64 + __builtin_ctzll (bits);
                    if (!s_needs_met (&self->rules [r].needs, sent->triggers)
                    ||  !s_kinds_met (&self->rules [r].kinds, sent))
                        continue;
                    s_claim_t *claim = s_new_claim (&run);
                    if (!claim)
                        claim = &scratch;       //  pending list full: keep deduping only
                    if (!s_try_rule (&run, sent, (int) index, r, claim))
                        continue;
                    //  Several rules may state one key in one sentence
                    uint32_t hash = claim->key_hash;
                    bool dup = false;
                    for (int k = 0; k < taken; k++)
                        dup |= keys [k] == hash;
                    if (dup)
                        continue;
                    keys [taken++] = hash;
                    if (claim != &scratch)
                        s_keep_claim (&run, claim);
                }
            }
        }
        s_history_add (&run, sent);
    }
    if (rc == 0)
        rc = s_emit (&run, copy.text, result);
    free (sent);
    free (run.claims);
    pcre2_match_data_free (run.match);
    return rc;
}
