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

    Hedge and attribution come from cue files: hedge cues in the sentence
    (and negations just before the match), attribution in the sentence, in
    a previous sentence that introduces a quote with ':', or in the next
    sentence ("This comes from the Financial Times", or "Hayashi said" after
    a quotation).  Claims are buffered per article so that one key is
    emitted once, keeping its least hedged statement.
    =========================================================================
*/
#include "ab_extract.h"
#include "ab_xrules.h"
#include "ab_xvalue.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_MENTIONS  128         //  entity mentions kept per sentence
#define S_MAX_TOKENS    1024        //  words scanned per sentence
#define S_MAX_TOKEN_LEN 64          //  longer words are never triggers or aliases
#define S_MAX_ACTORS    16
#define S_MAX_RECENT    8           //  countries remembered for "the two countries"
#define S_MAX_PENDING   1024        //  claims per article, before dedupe
#define S_LABEL_LEN     200

//  One entity mention in the normalized text
typedef struct {
    uint32_t start;
    uint32_t end;
    int alias;
    int entity;
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
} s_claim_t;

//  Per-sentence facts, computed lazily where they cost a regex
typedef struct {
    uint32_t start;
    uint32_t end;
    uint64_t triggers [AB_X_TRIGGER_WORDS];
    s_mention_t mentions [S_MAX_MENTIONS];
    int mention_count;
    bool has_quote;
    int cue_hedges;         //  bit set of hedges cued in the sentence, -1 unknown
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
} s_token_t;

static void
s_scan_sentence (const ab_extractor_t *self, const char *text, s_sentence_t *sent)
{
    s_token_t tokens [S_MAX_TOKENS];
    int ntokens = 0;
    memset (sent->triggers, 0, sizeof (sent->triggers));
    sent->mention_count = 0;
    sent->has_quote = false;
    uint32_t pos = sent->start;
    size_t end = sent->end;
    //  Cut into words; look each up as a trigger word
    while (pos < end && ntokens < S_MAX_TOKENS) {
        bool is_token;
        size_t len = ab_xrules_char (text, end, pos, &is_token);
        if (!is_token) {
            unsigned char c = (unsigned char) text [pos];
            if (c == '"' || (len == 3 && c == 0xE2 && (unsigned char) text [pos + 1] == 0x80
                          && ((unsigned char) text [pos + 2] == 0x9C
                          ||  (unsigned char) text [pos + 2] == 0x9D)))
                sent->has_quote = true;
            pos += (uint32_t) len;
            continue;
        }
        uint32_t start = pos;
        while (pos < end) {
            len = ab_xrules_char (text, end, pos, &is_token);
            if (!is_token)
                break;
            pos += (uint32_t) len;
        }
        tokens [ntokens].start = start;
        tokens [ntokens].end = pos;
        ntokens++;
        if (pos - start <= S_MAX_TOKEN_LEN) {
            char key [S_MAX_TOKEN_LEN + 1];
            for (uint32_t i = start; i < pos; i++) {
                char c = text [i];
                key [i - start] = (c >= 'A' && c <= 'Z') ? (char) (c + 32) : c;
            }
            const ab_xentry_t *entry = ab_xrules_lookup (self, key, pos - start,
                ab_xrules_hash (AB_X_FNV_SEED, key, pos - start));
            if (entry && entry->trigger >= 0)
                sent->triggers [entry->trigger / 64] |= 1ull << (entry->trigger % 64);
        }
    }
    //  Longest alias starting at each word, words run together
    for (int i = 0; i < ntokens && sent->mention_count < S_MAX_MENTIONS; ) {
        char key [AB_X_MAX_ALIAS_TOKENS * S_MAX_TOKEN_LEN + 1];
        char cased [AB_X_MAX_ALIAS_TOKENS * S_MAX_TOKEN_LEN + 1];
        size_t n = 0;
        uint32_t hash = AB_X_FNV_SEED;
        int best_alias = -1, best_end = i;
        for (int j = i; j < ntokens && j < i + AB_X_MAX_ALIAS_TOKENS; j++) {
            uint32_t len = tokens [j].end - tokens [j].start;
            if (len > S_MAX_TOKEN_LEN)
                break;
            const char *t = text + tokens [j].start;
            for (uint32_t k = 0; k < len; k++) {
                cased [n] = t [k];
                key [n++] = (t [k] >= 'A' && t [k] <= 'Z') ? (char) (t [k] + 32) : t [k];
            }
            cased [n] = 0;
            hash = ab_xrules_hash (hash, t, len);
            const ab_xentry_t *entry = ab_xrules_lookup (self, key, n, hash);
            if (!entry)
                break;
            for (int a = 0; a < entry->alias_count; a++) {
                const ab_xalias_t *alias = &self->aliases [entry->aliases [a]];
                if (alias->exact_case && strcmp (alias->cased, cased) != 0)
                    continue;
                best_alias = entry->aliases [a];
                best_end = j;
                break;
            }
            if (!entry->prefix)
                break;
        }
        if (best_alias >= 0) {
            s_mention_t *m = &sent->mentions [sent->mention_count++];
            m->start = tokens [i].start;
            m->end = tokens [best_end].end;
            m->alias = best_alias;
            m->entity = self->aliases [best_alias].entity;
            i = best_end + 1;
        }
        else
            i++;
    }
}

//  A title-case line without closing punctuation is a headline, a
//  caption or a "Related Stories" link, not a sentence with a claim.
static bool
s_is_headline (const char *text, uint32_t start, uint32_t end)
{
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

static void
s_history_add (s_run_t *run, const s_sentence_t *sent)
{
    const ab_extractor_t *self = run->self;
    for (int i = 0; i < sent->mention_count; i++) {
        const s_mention_t *m = &sent->mentions [i];
        const ab_xentity_t *entity = &self->entities [m->entity];
        run->last_of_kind [entity->kind_id] = m->alias;
        int country = entity->kind_id == self->kind_country ? m->entity : entity->country_entity;
        if (country < 0)
            continue;
        int at = 0;
        while (at < run->recent_count && run->recent [at] != country)
            at++;
        if (at == run->recent_count && run->recent_count < S_MAX_RECENT)
            run->recent_count++;
        if (at == S_MAX_RECENT)
            at = S_MAX_RECENT - 1;
        memmove (run->recent + 1, run->recent, sizeof (int) * (size_t) at);
        run->recent [0] = country;
    }
}

//  --------------------------------------------------------------------------
//  Hedges and attributions

static int
s_cue_hedges (const s_run_t *run, const pcre2_code *code, uint32_t start, uint32_t end)
{
    int set = 0;
    if (!code)
        return 0;
    const char *text = run->doc->text;
    PCRE2_SIZE offset = 0;
    PCRE2_SIZE length = end - start;
    while (offset < length) {
        int rc = pcre2_match (code, (PCRE2_SPTR) (text + start), length, offset, 0,
                              run->match, NULL);
        if (rc < 0)
            break;
        PCRE2_SPTR mark = pcre2_get_mark (run->match);
        if (mark)
            set |= 1 << atoi ((const char *) mark);
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer (run->match);
        offset = ov [1] > ov [0] ? ov [1] : ov [0] + 1;
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
//  'he' is neither of them.)
static int
s_last_person (const s_run_t *run, const s_sentence_t *sent, uint32_t before)
{
    const ab_extractor_t *self = run->self;
    if (self->kind_person < 0)
        return -1;
    for (int i = sent->mention_count - 1; i >= 0; i--)
        if (sent->mentions [i].end <= before
        &&  self->entities [sent->mentions [i].entity].kind_id == self->kind_person)
            return sent->mentions [i].alias;
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

//  Try the attribution cues of one place on the span; on a match fill
//  label and hedge and return true.
static bool
s_attr_try (const s_run_t *run, const s_sentence_t *sent, ab_xwhere_t where,
            uint32_t start, uint32_t end, char *label, int *hedge, int *entity)
{
    const ab_extractor_t *self = run->self;
    const pcre2_code *code = self->attr_code [where];
    if (!code || end <= start)
        return false;
    const char *text = run->doc->text;
    PCRE2_SIZE offset = 0;
    while (offset < end - start) {
        int rc = pcre2_match (code, (PCRE2_SPTR) (text + start), end - start, offset, 0,
                              run->match, NULL);
        if (rc < 0)
            return false;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer (run->match);
        PCRE2_SPTR mark = pcre2_get_mark (run->match);
        int index = mark ? atoi ((const char *) mark) : -1;
        offset = ov [1] > ov [0] ? ov [1] : ov [0] + 1;
        if (index < 0 || index >= self->attr_count)
            continue;
        const ab_xattr_t *attr = &self->attrs [index];
        if (strcmp (attr->label, "$") != 0) {
            snprintf (label, S_LABEL_LEN, "%s", attr->label);
            *hedge = attr->hedge;
            return true;
        }
        //  $: the src group, resolved through the gazetteer
        for (int g = 0; g < self->attr_src_count [where]; g++) {
            int number = self->attr_src [where][g];
            if ((uint32_t) number >= pcre2_get_ovector_count (run->match)
            ||  ov [2 * number] == PCRE2_UNSET)
                continue;
            size_t size = ov [2 * number + 1] - ov [2 * number];
            const char *src = s_trim (text + start + ov [2 * number], &size);
            int alias = -1;
            if (s_is_pronoun (src, size))
                alias = start + ov [2 * number] >= sent->start
                            && start + ov [2 * number] <= sent->end
                      ? s_last_person (run, sent, start + (uint32_t) ov [2 * number])
                      : s_last_person (run, sent, sent->end);
            else
                alias = ab_xrules_alias (self, src, size, -1);
            if (alias >= 0) {
                s_alias_label (self, alias, label, S_LABEL_LEN);
                *entity = self->aliases [alias].entity;
            }
            else
            if (!s_is_pronoun (src, size) && size > 0)
                snprintf (label, S_LABEL_LEN, "%.*s", (int) size, src);
            else
                break;      //  an unresolved pronoun names nobody
            *hedge = attr->hedge;
            return true;
        }
    }
    return false;
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
    if (s_attr_try (run, sent, AB_ATTR_SELF, sent->start, sent->end,
                    sent->attr_label, &sent->attr_hedge, &sent->attr_entity))
        return;
    //  "One official said:" introduces the quotation that follows
    if (index > 0) {
        const ab_span_t *prev = &doc->sentences [index - 1];
        if (s_ends_with_colon (doc->text, prev->start, prev->end)
        &&  s_attr_try (run, sent, AB_ATTR_SELF, prev->start, prev->end,
                        sent->attr_label, &sent->attr_hedge, &sent->attr_entity))
            return;
    }
    if ((uint32_t) index + 1 < doc->sentence_count) {
        const ab_span_t *next = &doc->sentences [index + 1];
        if (s_attr_try (run, sent, AB_ATTR_NEXT, next->start, next->end,
                        sent->attr_label, &sent->attr_hedge, &sent->attr_entity))
            return;
        if (sent->has_quote
        &&  s_attr_try (run, sent, AB_ATTR_NEXT_QUOTE, next->start, next->end,
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
    if (kind == self->kind_country && e->country_entity >= 0)
        return e->country_entity;
    return -1;
}

static int
s_cmp_ids (const void *a, const void *b, void *arg)
{
    const ab_extractor_t *self = arg;
    return strcmp (self->entities [*(const int *) a].id, self->entities [*(const int *) b].id);
}

static bool
s_excluded (const ab_extractor_t *self, const ab_xslot_t *slot, int entity)
{
    return slot->exclude && strcmp (self->entities [entity].id, slot->exclude) == 0;
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
    //  The captured text, if any (first group of that name that is set)
    bool captured = false;
    uint32_t cstart = 0, cend = 0;
    for (int g = 0; g < slot->group_count; g++) {
        int n = slot->groups [g];
        if ((uint32_t) n < sc->ovcount && sc->ov [2 * n] != PCRE2_UNSET) {
            cstart = sent->start + (uint32_t) sc->ov [2 * n];
            cend = sent->start + (uint32_t) sc->ov [2 * n + 1];
            captured = true;
            break;
        }
    }
    const char *ctext = text + cstart;
    size_t csize = cend - cstart;
    uint32_t match_start = sent->start + (uint32_t) sc->ov [0];
    switch (slot->conv) {
        case AB_CONV_LITERAL:
            snprintf (out, AB_X_SLOT_LEN, "%s", slot->literal);
            return 0;
        case AB_CONV_ENTITY:
        case AB_CONV_REF: {
            int entity = -1;
            if (captured && csize > 0) {
                int alias = ab_xrules_alias (self, ctext, csize, slot->kind);
                if (alias < 0 && slot->kind == self->kind_country) {
                    //  a person or force stands for its country
                    alias = ab_xrules_alias (self, ctext, csize, -1);
                    if (alias >= 0 && s_as_kind (self, self->aliases [alias].entity, slot->kind) < 0)
                        alias = -1;
                }
                if (alias >= 0)
                    entity = s_as_kind (self, self->aliases [alias].entity, slot->kind);
            }
            if (entity < 0 && slot->conv == AB_CONV_REF) {
                //  Nearest earlier mention of the kind: in this sentence
                //  before the match, else in the article so far
                for (int i = sent->mention_count - 1; i >= 0 && entity < 0; i--)
                    if (sent->mentions [i].end <= match_start
                    &&  self->entities [sent->mentions [i].entity].kind_id == slot->kind)
                        entity = sent->mentions [i].entity;
                if (entity < 0 && run->last_of_kind [slot->kind] >= 0)
                    entity = self->aliases [run->last_of_kind [slot->kind]].entity;
            }
            if (entity < 0 || s_excluded (self, slot, entity))
                return -1;
            snprintf (out, AB_X_SLOT_LEN, "%s", self->entities [entity].id);
            s_add_actor (sc->claim, entity);
            return 0;
        }
        case AB_CONV_FIRST:
        case AB_CONV_SET: {
            uint32_t from = captured ? cstart : sent->start;
            uint32_t to = captured ? cend : sent->end;
            int found [S_MAX_ACTORS];
            int count = 0;
            for (int i = 0; i < sent->mention_count && count < S_MAX_ACTORS; i++) {
                const s_mention_t *m = &sent->mentions [i];
                if (m->start < from || m->end > to)
                    continue;
                int entity = s_as_kind (self, m->entity, slot->kind);
                if (entity < 0 || s_excluded (self, slot, entity))
                    continue;
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
                if (slot->conv == AB_CONV_FIRST) {
                    int alias = run->last_of_kind [slot->kind];
                    if (slot->kind == self->kind_country && run->recent_count > 0) {
                        for (int k = 0; k < run->recent_count && count == 0; k++)
                            if (!s_excluded (self, slot, run->recent [k]))
                                found [count++] = run->recent [k];
                    }
                    else
                    if (alias >= 0 && !s_excluded (self, slot, self->aliases [alias].entity))
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
                if (n + strlen (id) + 2 >= AB_X_SLOT_LEN)
                    return -1;
                n += (size_t) snprintf (out + n, AB_X_SLOT_LEN - n, "%s%s", k ? "+" : "", id);
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
            if (sent->attr_entity >= 0
            &&  self->entities [sent->attr_entity].kind_id == self->kind_person)
                entity = sent->attr_entity;
            for (int i = 0; i < sent->mention_count && entity < 0; i++)
                if (self->entities [sent->mentions [i].entity].kind_id == self->kind_person)
                    entity = sent->mentions [i].entity;
            if (entity < 0 && self->kind_person >= 0 && run->last_of_kind [self->kind_person] >= 0)
                entity = self->aliases [run->last_of_kind [self->kind_person]].entity;
            if (entity < 0)
                return -1;
            snprintf (out, AB_X_SLOT_LEN, "%s", self->entities [entity].id);
            s_add_actor (sc->claim, entity);
            return 0;
        }
        case AB_CONV_TENSE:
            snprintf (out, AB_X_SLOT_LEN, "%s", sc->future ? "planned" : "current");
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
    size_t n = (size_t) snprintf (claim->key, sizeof (claim->key), "%s{", form->type);
    for (int k = 0; k < form->key_count && n < sizeof (claim->key); k++)
        n += (size_t) snprintf (claim->key + n, sizeof (claim->key) - n, "%s%s=%s",
                                k ? "," : "", form->key_names [k], claim->keys [k]);
    if (n < sizeof (claim->key))
        snprintf (claim->key + n, sizeof (claim->key) - n, "}");
}

//  Try one rule on a sentence; on a match fill *claim and return true.
static bool
s_try_rule (s_run_t *run, s_sentence_t *sent, int sentence_index, int rule_index,
            s_claim_t *claim)
{
    const ab_extractor_t *self = run->self;
    const ab_xrule_t *rule = &self->rules [rule_index];
    const ab_xform_t *form = &self->forms [rule->form];
    const char *text = run->doc->text;
    int rc = pcre2_match (rule->code, (PCRE2_SPTR) (text + sent->start), sent->end - sent->start,
                          0, 0, run->match, NULL);
    if (rc < 0)
        return false;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer (run->match);
    PCRE2_SIZE saved [2 * 64];
    uint32_t ovcount = pcre2_get_ovector_count (run->match);
    if (ovcount > 64)
        ovcount = 64;
    memcpy (saved, ov, sizeof (PCRE2_SIZE) * 2 * ovcount);
    if (rule->unless_code
    &&  pcre2_match (rule->unless_code, (PCRE2_SPTR) (text + sent->start),
                     sent->end - sent->start, 0, 0, run->match, NULL) >= 0)
        return false;
    //  (The slots read the saved ovector: cue matches reuse the match data.)

    memset (claim, 0, offsetof (s_claim_t, key));
    claim->key [0] = 0;
    claim->rule = rule_index;
    claim->sentence_start = sent->start;
    claim->sentence_end = sent->end;
    claim->match_start = sent->start + (uint32_t) saved [0];
    claim->match_end = sent->start + (uint32_t) saved [1];

    //  Hedge first: dates need to know whether the sentence speaks of the
    //  future.
    if (sent->cue_hedges < 0)
        sent->cue_hedges = s_cue_hedges (run, self->hedge_sentence, sent->start, sent->end);
    int hedges = sent->cue_hedges;
    uint32_t window = claim->match_start > sent->start + (uint32_t) self->near_window
                    ? claim->match_start - (uint32_t) self->near_window : sent->start;
    hedges |= s_cue_hedges (run, self->hedge_near, window, claim->match_start);
    s_attribution (run, sent, sentence_index);
    snprintf (claim->attribution, sizeof (claim->attribution), "%s", sent->attr_label);
    if (sent->attr_hedge >= 0)
        hedges |= 1 << sent->attr_hedge;
    claim->hedge = AB_HEDGE_ASSERTED;
    if (rule->hedge >= 0)
        claim->hedge = rule->hedge;
    else
        for (int h = 0; h < AB_HEDGE_COUNT; h++)
            if ((hedges & (1 << h)) && self->hedge_order [h] < self->hedge_order [claim->hedge])
                claim->hedge = h;

    s_slotctx_t sc = { run, sent, rule, saved, ovcount, (hedges & (1 << AB_HEDGE_EXPECTED)) != 0,
                       claim };
    //  Fixed slots from the form, then the rule's slots into their places
    for (int k = 0; k < form->key_count; k++)
        if (form->key_fixed [k])
            snprintf (claim->keys [k], AB_X_SLOT_LEN, "%s", form->key_fixed [k]);
    for (int k = 0; k < form->value_count; k++)
        if (form->value_fixed [k])
            snprintf (claim->values [k], AB_X_SLOT_LEN, "%s", form->value_fixed [k]);
    for (int i = 0; i < rule->slot_count; i++) {
        const ab_xslot_t *slot = &rule->slots [i];
        char value [AB_X_SLOT_LEN] = "", value2 [AB_X_SLOT_LEN] = "";
        if (s_convert (&sc, slot, value, value2) != 0)
            return false;
        const char *names [2] = { slot->name, slot->name2 };
        const char *values [2] = { value, value2 };
        for (int n = 0; n < 2; n++) {
            if (!names [n])
                continue;
            for (int k = 0; k < form->key_count; k++)
                if (strcmp (form->key_names [k], names [n]) == 0)
                    snprintf (claim->keys [k], AB_X_SLOT_LEN, "%s", values [n]);
            for (int k = 0; k < form->value_count; k++)
                if (strcmp (form->value_names [k], names [n]) == 0)
                    snprintf (claim->values [k], AB_X_SLOT_LEN, "%s", values [n]);
        }
    }
    //  Actors: the slots' entities, then whoever else the sentence names
    for (int i = 0; i < sent->mention_count; i++) {
        const ab_xentity_t *entity = &self->entities [sent->mentions [i].entity];
        if (entity->kind_id != self->kind_outlet)
            s_add_actor (claim, sent->mentions [i].entity);
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
        if (strcmp (old->key, claim->key) != 0)
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

static int
s_emit (s_run_t *run, ab_result_t *result)
{
    const ab_extractor_t *self = run->self;
    const char *text = run->doc->text;
    int emitted = 0;
    for (int i = 0; i < run->claim_count; i++) {
        const s_claim_t *c = &run->claims [i];
        const ab_xrule_t *rule = &self->rules [c->rule];
        const ab_xform_t *form = &self->forms [rule->form];
        ab_claim_t *claim = ab_result_add_claim (result);
        if (!claim)
            return -1;
        //  The evidence is the sentence: copy it through a bounded buffer
        //  because doc->text is not terminated at the sentence's end.
        char *evidence = strndup (text + c->sentence_start, c->sentence_end - c->sentence_start);
        int rc = evidence ? 0 : -1;
        rc = rc ? rc : ab_article_set (&claim->type, form->type);
        rc = rc ? rc : ab_article_set (&claim->rule, rule->id);
        rc = rc ? rc : ab_article_set (&claim->hedge, ab_xhedge_names [c->hedge]);
        rc = rc ? rc : ab_article_set (&claim->attribution, c->attribution);
        rc = rc ? rc : ab_article_set (&claim->evidence, evidence);
        free (evidence);
        if (rc)
            return -1;
        claim->evidence_start = c->sentence_start;
        claim->evidence_end = c->sentence_end;
        claim->match_start = c->match_start;
        claim->match_end = c->match_end;
        for (int k = 0; k < c->actor_count; k++)
            if (ab_claim_add_actor (claim, self->entities [c->actors [k]].id))
                return -1;
        for (int k = 0; k < form->key_count; k++)
            if (ab_claim_add_key (claim, form->key_names [k], c->keys [k]))
                return -1;
        for (int k = 0; k < form->value_count; k++)
            if (ab_claim_add_value (claim, form->value_names [k], c->values [k]))
                return -1;
        emitted++;
    }
    return emitted;
}

static bool
s_needs_met (const ab_xrule_t *rule, const uint64_t *triggers)
{
    for (int n = 0; n < rule->need_count; n++) {
        uint64_t any = 0;
        for (int w = 0; w < AB_X_TRIGGER_WORDS; w++)
            any |= rule->need [n][w] & triggers [w];
        if (!any)
            return false;
    }
    return true;
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
    //  A document without sentence spans is one sentence
    ab_doc_t whole;
    ab_span_t span = { 0, (uint32_t) doc->size };
    if (doc->sentence_count == 0) {
        whole = *doc;
        whole.sentences = &span;
        whole.sentence_count = 1;
        run.doc = doc = &whole;
    }
    s_sentence_t *sent = malloc (sizeof (s_sentence_t));
    s_claim_t scratch;
    int rc = 0;
    if (!sent)
        rc = -1;
    for (uint32_t index = 0; rc == 0 && index < doc->sentence_count; index++) {
        const ab_span_t *span_i = &doc->sentences [index];
        if (span_i->end <= span_i->start || span_i->end > doc->size)
            continue;
        sent->start = span_i->start;
        sent->end = span_i->end;
        sent->cue_hedges = -1;
        sent->attr_done = false;
        s_scan_sentence (self, doc->text, sent);
        if (!s_is_headline (doc->text, sent->start, sent->end)) {
            int taken = 0;
            uint32_t keys [100];    //  hashes of this sentence's claim keys
            for (int r = 0; r < self->rule_count && taken < self->max_claims_per_sentence; r++) {
                if (!s_needs_met (&self->rules [r], sent->triggers))
                    continue;
                s_claim_t *claim = s_new_claim (&run);
                if (!claim)
                    claim = &scratch;       //  pending list full: keep deduping only
                if (!s_try_rule (&run, sent, (int) index, r, claim))
                    continue;
                //  Several rules may state one key in one sentence
                uint32_t hash = ab_xrules_hash (AB_X_FNV_SEED, claim->key, strlen (claim->key));
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
        s_history_add (&run, sent);
    }
    if (rc == 0)
        rc = s_emit (&run, result);
    free (sent);
    free (run.claims);
    pcre2_match_data_free (run.match);
    return rc;
}
