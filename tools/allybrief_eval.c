/*  =========================================================================
    allybrief-eval - score a briefing against gold claims

    Reads the sink's briefing.json and a gold file (eval/README.md gives the
    format) and prints precision, recall and F1 per claim type and overall,
    how often hedges and attributions agree on the claims found, and every
    wrong merge (one briefing item holding two gold facts) and split (one
    gold fact spread over two items).  A claim is the triple (article, key,
    value): it is found when the briefing lists that article on a side with
    that value of the item with that key, directly or as a copy.

    Exit status: 0 when precision and recall reach the thresholds, 1 when
    they do not, 2 on bad usage or unreadable input.
    =========================================================================
*/
#include "ab_file.h"
#include "ab_log.h"

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FILE    (64u * 1024u * 1024u)
#define MAX_SLOTS   16
#define FIELD_MAX   512

typedef struct {
    char fact [64];
    char article [64];
    char type [64];
    char key [FIELD_MAX];
    char value [FIELD_MAX];
    char hedge [32];
    char attribution [FIELD_MAX];   //  "" when the gold says nobody
    int line;
    bool found;
} s_gold_t;

typedef struct {
    char article [64];
    char type [64];
    char key [FIELD_MAX];
    char value [FIELD_MAX];
    char hedge [32];
    char attribution [FIELD_MAX];
    size_t item;                //  index of the briefing item
    const s_gold_t *gold;       //  the gold claim it matches exactly, or NULL
    const s_gold_t *near;       //  unmatched: the gold claim it stands for
} s_pred_t;

typedef struct {
    s_gold_t *gold;
    size_t gold_count;
    s_pred_t *pred;
    size_t pred_count;
    size_t pred_alloc;
    json_t *briefing;
} s_eval_t;

static void
s_usage (FILE *out)
{
    fprintf (out,
"Usage: allybrief-eval [OPTIONS] BRIEFING.json GOLD.tsv\n"
"Score a briefing against gold claims: precision, recall and F1 per claim\n"
"type and overall, hedge and attribution agreement, wrong merges and splits.\n"
"\n"
"  -p, --min-precision X  fail (exit 1) below this overall precision (default 0.9)\n"
"  -r, --min-recall X     fail (exit 1) below this overall recall (default 0.8)\n"
"  -v, --verbose          also list every hedge and attribution disagreement\n"
"  -h, --help             this help\n"
"\n"
"The gold format is described in eval/README.md.  Exit status 2 on bad usage\n"
"or unreadable input.\n");
}

//  Copy at most outlen-1 bytes of [start, start+len) into out
static void
s_copy (char *out, size_t outlen, const char *start, size_t len)
{
    if (len >= outlen)
        len = outlen - 1;
    memcpy (out, start, len);
    out [len] = 0;
}

static int
s_compare_strings (const void *a, const void *b)
{
    return strcmp (*(char * const *) a, *(char * const *) b);
}

//  Sort the comma-separated name=value slots of text in place, so that gold
//  lines may list slots in any order and still compare with the sink's
//  canonical form (sorted by name, then value).  Returns -1 if malformed.
static int
s_sort_slots (char *text, size_t size)
{
    if (!*text)
        return 0;
    char copy [FIELD_MAX];
    s_copy (copy, sizeof copy, text, strlen (text));
    char *slots [MAX_SLOTS];
    size_t count = 0;
    char *save = NULL;
    for (char *slot = strtok_r (copy, ",", &save); slot; slot = strtok_r (NULL, ",", &save)) {
        if (count == MAX_SLOTS || !strchr (slot, '=') || *slot == '=')
            return -1;
        slots [count++] = slot;
    }
    qsort (slots, count, sizeof slots [0], s_compare_strings);
    size_t used = 0;
    for (size_t i = 0; i < count; i++)
        used += (size_t) snprintf (text + used, size - used, "%s%s", i? ",": "", slots [i]);
    return 0;
}

//  "type{b=2,a=1}" -> "type{a=1,b=2}"; the type goes to type_out
static int
s_canonical_key (char *key, size_t size, char *type_out, size_t type_len)
{
    char *brace = strchr (key, '{');
    size_t klen = strlen (key);
    if (!brace || brace == key || key [klen - 1] != '}')
        return -1;
    s_copy (type_out, type_len, key, (size_t) (brace - key));
    char slots [FIELD_MAX];
    s_copy (slots, sizeof slots, brace + 1, klen - (size_t) (brace - key) - 2);
    if (s_sort_slots (slots, sizeof slots))
        return -1;
    size_t type_len_used = strlen (type_out), slots_len = strlen (slots);
    if (type_len_used + slots_len + 3 > size)
        return -1;
    memcpy (key, type_out, type_len_used);
    key [type_len_used] = '{';
    memcpy (key + type_len_used + 1, slots, slots_len);
    memcpy (key + type_len_used + 1 + slots_len, "}", 2);
    return 0;
}

//  --------------------------------------------------------------------------
//  Gold file: tab-separated  fact  articles  type  key  value  hedge  attribution

static int
s_load_gold (s_eval_t *self, const char *path)
{
    char err [256];
    size_t size;
    char *text = ab_file_read (path, MAX_FILE, &size, err, sizeof err);
    if (!text) {
        ab_error ("%s", err);
        return -1;
    }
    size_t alloc = 0;
    int line_no = 0;
    int rc = 0;
    char *save = NULL;
    for (char *line = strtok_r (text, "\n", &save); line && rc == 0;
         line = strtok_r (NULL, "\n", &save)) {
        line_no++;
        size_t len = strlen (line);
        if (len && line [len - 1] == '\r')
            line [--len] = 0;
        if (line [0] == '#' || len == 0)
            continue;
        char *fields [7];
        size_t nfields = 0;
        char *cursor = line;
        while (nfields < 7) {
            fields [nfields++] = cursor;
            char *tab = strchr (cursor, '\t');
            if (!tab)
                break;
            *tab = 0;
            cursor = tab + 1;
        }
        if (nfields != 7 || strchr (fields [6], '\t')) {
            ab_error ("%s:%d: expected 7 tab-separated fields", path, line_no);
            rc = -1;
            break;
        }
        char *asave = NULL;
        for (char *article = strtok_r (fields [1], ",", &asave); article;
             article = strtok_r (NULL, ",", &asave)) {
            if (self->gold_count == alloc) {
                alloc = alloc? alloc * 2: 64;
                self->gold = realloc (self->gold, alloc * sizeof (s_gold_t));
            }
            s_gold_t *gold = &self->gold [self->gold_count];
            memset (gold, 0, sizeof *gold);
            gold->line = line_no;
            s_copy (gold->fact, sizeof gold->fact, fields [0], strlen (fields [0]));
            s_copy (gold->article, sizeof gold->article, article, strlen (article));
            s_copy (gold->key, sizeof gold->key, fields [3], strlen (fields [3]));
            s_copy (gold->value, sizeof gold->value, fields [4], strlen (fields [4]));
            s_copy (gold->hedge, sizeof gold->hedge, fields [5], strlen (fields [5]));
            if (strcmp (fields [6], "-") != 0)
                s_copy (gold->attribution, sizeof gold->attribution,
                        fields [6], strlen (fields [6]));
            if (s_canonical_key (gold->key, sizeof gold->key, gold->type, sizeof gold->type)
            ||  strcmp (gold->type, fields [2]) != 0
            ||  s_sort_slots (gold->value, sizeof gold->value)) {
                ab_error ("%s:%d: malformed key or value, or type does not match the key",
                          path, line_no);
                rc = -1;
                break;
            }
            self->gold_count++;
        }
    }
    free (text);
    if (rc == 0 && self->gold_count == 0) {
        ab_error ("%s: no gold claims", path);
        rc = -1;
    }
    return rc;
}

//  --------------------------------------------------------------------------
//  Briefing: every (article, key, value) the items hold

static void
s_add_pred (s_eval_t *self, const char *article, const char *type, const char *key,
            const char *value, const char *hedge, const char *attribution, size_t item)
{
    for (size_t i = 0; i < self->pred_count; i++)
        if (strcmp (self->pred [i].article, article) == 0
        &&  strcmp (self->pred [i].key, key) == 0
        &&  strcmp (self->pred [i].value, value) == 0)
            return;
    if (self->pred_count == self->pred_alloc) {
        self->pred_alloc = self->pred_alloc? self->pred_alloc * 2: 128;
        self->pred = realloc (self->pred, self->pred_alloc * sizeof (s_pred_t));
    }
    s_pred_t *pred = &self->pred [self->pred_count++];
    memset (pred, 0, sizeof *pred);
    s_copy (pred->article, sizeof pred->article, article, strlen (article));
    s_copy (pred->type, sizeof pred->type, type, strlen (type));
    s_copy (pred->key, sizeof pred->key, key, strlen (key));
    s_copy (pred->value, sizeof pred->value, value, strlen (value));
    s_copy (pred->hedge, sizeof pred->hedge, hedge, strlen (hedge));
    s_copy (pred->attribution, sizeof pred->attribution, attribution, strlen (attribution));
    pred->item = item;
}

static const char *
s_string (json_t *object, const char *name)
{
    const char *value = json_string_value (json_object_get (object, name));
    return value? value: "";
}

static int
s_load_briefing (s_eval_t *self, const char *path)
{
    json_error_t jerr;
    self->briefing = json_load_file (path, 0, &jerr);
    if (!self->briefing) {
        ab_error ("%s:%d: %s", path, jerr.line, jerr.text);
        return -1;
    }
    if (strcmp (s_string (self->briefing, "schema"), "allybrief.briefing/1") != 0) {
        ab_error ("%s: not an allybrief.briefing/1 document", path);
        return -1;
    }
    json_t *items = json_object_get (self->briefing, "items");
    size_t index;
    json_t *item;
    json_array_foreach (items, index, item) {
        const char *type = s_string (item, "type");
        const char *key = s_string (item, "key");
        size_t side_index;
        json_t *side;
        json_array_foreach (json_object_get (item, "sides"), side_index, side) {
            const char *value = s_string (side, "value");
            if (json_integer_value (json_object_get (side, "articles_omitted")) > 0)
                ab_warn ("%s: item %s lists only part of its articles", path, key);
            size_t article_index;
            json_t *article;
            json_array_foreach (json_object_get (side, "articles"), article_index, article) {
                const char *hedge = s_string (article, "hedge");
                const char *attribution = s_string (article, "attribution");
                s_add_pred (self, s_string (article, "id"), type, key, value,
                            hedge, attribution, index);
                size_t copy_index;
                json_t *copy;
                json_array_foreach (json_object_get (article, "copies"), copy_index, copy)
                    s_add_pred (self, json_string_value (copy), type, key, value,
                                hedge, attribution, index);
            }
        }
    }
    return 0;
}

//  --------------------------------------------------------------------------
//  Matching

//  How many name=value slots two canonical slot lists share
static int
s_shared_slots (const char *a, const char *b)
{
    char left [FIELD_MAX], right [FIELD_MAX];
    s_copy (left, sizeof left, a, strlen (a));
    int shared = 0;
    char *save = NULL;
    for (char *slot = strtok_r (left, "{},", &save); slot; slot = strtok_r (NULL, "{},", &save)) {
        if (!strchr (slot, '='))
            continue;
        s_copy (right, sizeof right, b, strlen (b));
        char *save2 = NULL;
        for (char *other = strtok_r (right, "{},", &save2); other;
             other = strtok_r (NULL, "{},", &save2))
            if (strcmp (slot, other) == 0) {
                shared++;
                break;
            }
    }
    return shared;
}

static void
s_match (s_eval_t *self)
{
    for (size_t p = 0; p < self->pred_count; p++) {
        s_pred_t *pred = &self->pred [p];
        for (size_t g = 0; g < self->gold_count; g++) {
            s_gold_t *gold = &self->gold [g];
            if (!gold->found && strcmp (gold->article, pred->article) == 0
            &&  strcmp (gold->key, pred->key) == 0 && strcmp (gold->value, pred->value) == 0) {
                gold->found = true;
                pred->gold = gold;
                break;
            }
        }
    }
    //  A spurious claim stands for the missed gold claim of its article and
    //  type that it resembles most (same value counts as much as two shared
    //  key slots); that is how splits and wrong merges are told apart from
    //  plain misses.
    for (size_t p = 0; p < self->pred_count; p++) {
        s_pred_t *pred = &self->pred [p];
        if (pred->gold)
            continue;
        int best = 0;
        for (size_t g = 0; g < self->gold_count; g++) {
            s_gold_t *gold = &self->gold [g];
            if (strcmp (gold->article, pred->article) != 0 || strcmp (gold->type, pred->type) != 0)
                continue;
            int score = s_shared_slots (gold->key, pred->key) * 2
                      + (strcmp (gold->value, pred->value) == 0? 2: 0);
            if (strcmp (gold->key, pred->key) == 0)
                score += 3;
            if (score > best) {
                best = score;
                pred->near = gold;
            }
        }
    }
}

//  --------------------------------------------------------------------------
//  Report

typedef struct {
    char type [64];
    size_t tp, fp, fn;
} s_tally_t;

static s_tally_t *
s_tally_for (s_tally_t *tallies, size_t *count, const char *type)
{
    for (size_t i = 0; i < *count; i++)
        if (strcmp (tallies [i].type, type) == 0)
            return &tallies [i];
    s_tally_t *tally = &tallies [(*count)++];
    memset (tally, 0, sizeof *tally);
    s_copy (tally->type, sizeof tally->type, type, strlen (type));
    return tally;
}

static int
s_compare_tallies (const void *a, const void *b)
{
    return strcmp (((const s_tally_t *) a)->type, ((const s_tally_t *) b)->type);
}

static void
s_print_row (const char *type, size_t tp, size_t fp, size_t fn, double *p_out, double *r_out)
{
    double precision = tp + fp? (double) tp / (double) (tp + fp): 1.0;
    double recall = tp + fn? (double) tp / (double) (tp + fn): 1.0;
    double f1 = precision + recall > 0? 2 * precision * recall / (precision + recall): 0.0;
    printf ("%-24s %5zu %5zu %5zu   %6.3f %6.3f %6.3f\n",
            type, tp, fp, fn, precision, recall, f1);
    if (p_out)
        *p_out = precision;
    if (r_out)
        *r_out = recall;
}

//  The fact a prediction stands for, or NULL
static const s_gold_t *
s_fact_of (const s_pred_t *pred)
{
    return pred->gold? pred->gold: pred->near;
}

static size_t
s_report_merges_and_splits (s_eval_t *self)
{
    json_t *items = json_object_get (self->briefing, "items");
    size_t problems = 0;
    printf ("\nwrong merges (one item, two gold facts):\n");
    for (size_t i = 0; i < json_array_size (items); i++) {
        const s_gold_t *first = NULL;
        for (size_t p = 0; p < self->pred_count; p++) {
            const s_gold_t *fact = s_fact_of (&self->pred [p]);
            if (self->pred [p].item != i || !fact)
                continue;
            if (!first)
                first = fact;
            else
            if (strcmp (first->fact, fact->fact) != 0) {
                printf ("  %s holds %s (%s, %s) and %s (%s, %s)\n",
                        s_string (json_array_get (items, i), "key"),
                        first->fact, first->key, first->article,
                        fact->fact, fact->key, self->pred [p].article);
                problems++;
                break;
            }
        }
    }
    printf ("\nsplits (one gold fact in two items, or on two sides of one):\n");
    for (size_t g = 0; g < self->gold_count; g++) {
        const s_gold_t *gold = &self->gold [g];
        bool earlier = false;
        for (size_t h = 0; h < g; h++)
            if (strcmp (self->gold [h].fact, gold->fact) == 0)
                earlier = true;
        if (earlier)
            continue;
        const s_pred_t *first = NULL;
        for (size_t p = 0; p < self->pred_count; p++) {
            const s_pred_t *pred = &self->pred [p];
            const s_gold_t *fact = s_fact_of (pred);
            if (!fact || strcmp (fact->fact, gold->fact) != 0)
                continue;
            if (!first)
                first = pred;
            else
            if (pred->item != first->item || strcmp (pred->value, first->value) != 0) {
                printf ("  %s (%s) is in %s = %s (%s) and in %s = %s (%s)\n",
                        gold->fact, gold->key, first->key, first->value, first->article,
                        pred->key, pred->value, pred->article);
                problems++;
                break;
            }
        }
    }
    return problems;
}

static int
s_report (s_eval_t *self, double min_precision, double min_recall, bool verbose)
{
    s_tally_t *tallies = calloc (self->gold_count + self->pred_count + 1, sizeof (s_tally_t));
    size_t tally_count = 0;
    size_t tp = 0, fp = 0, fn = 0, hedge_ok = 0, attribution_ok = 0;
    for (size_t p = 0; p < self->pred_count; p++) {
        const s_pred_t *pred = &self->pred [p];
        s_tally_t *tally = s_tally_for (tallies, &tally_count, pred->type);
        if (!pred->gold) {
            tally->fp++;
            fp++;
            continue;
        }
        tally->tp++;
        tp++;
        if (strcmp (pred->hedge, pred->gold->hedge) == 0)
            hedge_ok++;
        else
        if (verbose)
            printf ("hedge   %s %s: %s, gold %s\n", pred->article, pred->key,
                    pred->hedge, pred->gold->hedge);
        //  The gold names whom the article cites; the worker may add a title
        if ((!*pred->gold->attribution && !*pred->attribution)
        ||  (*pred->gold->attribution && strcasestr (pred->attribution, pred->gold->attribution)))
            attribution_ok++;
        else
        if (verbose)
            printf ("attrib  %s %s: \"%s\", gold \"%s\"\n", pred->article, pred->key,
                    pred->attribution, pred->gold->attribution);
    }
    for (size_t g = 0; g < self->gold_count; g++)
        if (!self->gold [g].found) {
            s_tally_for (tallies, &tally_count, self->gold [g].type)->fn++;
            fn++;
        }
    qsort (tallies, tally_count, sizeof (s_tally_t), s_compare_tallies);

    printf ("%-24s %5s %5s %5s   %6s %6s %6s\n", "type", "tp", "fp", "fn",
            "P", "R", "F1");
    for (size_t i = 0; i < tally_count; i++)
        s_print_row (tallies [i].type, tallies [i].tp, tallies [i].fp, tallies [i].fn,
                     NULL, NULL);
    double precision, recall;
    s_print_row ("OVERALL", tp, fp, fn, &precision, &recall);
    free (tallies);
    if (tp)
        printf ("\nhedge agreement %zu/%zu, attribution agreement %zu/%zu (claims found)\n",
                hedge_ok, tp, attribution_ok, tp);

    s_report_merges_and_splits (self);

    printf ("\nmissed (gold claims not in the briefing):\n");
    for (size_t g = 0; g < self->gold_count; g++)
        if (!self->gold [g].found)
            printf ("  %-5s %-10s %s = %s\n", self->gold [g].fact, self->gold [g].article,
                    self->gold [g].key, self->gold [g].value);
    printf ("\nspurious (briefing claims not in the gold):\n");
    for (size_t p = 0; p < self->pred_count; p++)
        if (!self->pred [p].gold)
            printf ("  %-10s %s = %s\n", self->pred [p].article, self->pred [p].key,
                    self->pred [p].value);

    bool pass = precision >= min_precision && recall >= min_recall;
    printf ("\n%s: precision %.3f (min %.2f), recall %.3f (min %.2f)\n",
            pass? "PASS": "FAIL", precision, min_precision, recall, min_recall);
    return pass? 0: 1;
}

static int
s_parse_fraction (const char *text, double *out)
{
    char *end;
    double value = strtod (text, &end);
    if (end == text || *end || value < 0 || value > 1)
        return -1;
    *out = value;
    return 0;
}

int
main (int argc, char *argv [])
{
    ab_log_init ("allybrief-eval", AB_LOG_INFO);
    static const struct option options [] = {
        { "min-precision", required_argument, NULL, 'p' },
        { "min-recall", required_argument, NULL, 'r' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    double min_precision = 0.9, min_recall = 0.8;
    bool verbose = false;
    int opt;
    while ((opt = getopt_long (argc, argv, "p:r:vh", options, NULL)) != -1) {
        switch (opt) {
            case 'p':
            case 'r':
                if (s_parse_fraction (optarg, opt == 'p'? &min_precision: &min_recall)) {
                    ab_error ("--min-%s wants a number from 0 to 1, not '%s'",
                              opt == 'p'? "precision": "recall", optarg);
                    return 2;
                }
                break;
            case 'v':
                verbose = true;
                break;
            case 'h':
                s_usage (stdout);
                return 0;
            default:
                s_usage (stderr);
                return 2;
        }
    }
    if (argc - optind != 2) {
        ab_error ("expected BRIEFING.json and GOLD.tsv (see --help)");
        return 2;
    }
    s_eval_t self = { 0 };
    int rc = 2;
    if (s_load_gold (&self, argv [optind + 1]) == 0
    &&  s_load_briefing (&self, argv [optind]) == 0) {
        s_match (&self);
        rc = s_report (&self, min_precision, min_recall, verbose);
    }
    free (self.gold);
    free (self.pred);
    json_decref (self.briefing);
    return rc;
}
