/*  =========================================================================
    ab_render - the briefing for people: Markdown and one-line summaries

    Output is built in one growing buffer; every text that came from an
    article (titles, outlets, sentences, slot values) goes through the
    Markdown escaper, so a headline with "*" or "<" cannot restyle the page.
    =========================================================================
*/
#include "ab_render.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

//  ---------------------------------------------------------------------
//  Structure of our output buffer

typedef struct {
    char *data;
    size_t size;
    size_t capacity;
    bool failed;                //  a write ran out of memory
} out_t;

static void
s_reserve (out_t *out, size_t extra)
{
    if (out->failed || out->size + extra + 1 <= out->capacity)
        return;
    size_t capacity = out->capacity? out->capacity: 1024;
    while (capacity < out->size + extra + 1)
        capacity *= 2;
    char *grown = realloc (out->data, capacity);
    if (!grown) {
        out->failed = true;
        return;
    }
    out->data = grown;
    out->capacity = capacity;
}

static void
s_put (out_t *out, const char *text)
{
    size_t len = strlen (text);
    s_reserve (out, len);
    if (out->failed)
        return;
    memcpy (out->data + out->size, text, len + 1);
    out->size += len;
}

static void
s_printf (out_t *out, const char *format, ...) __attribute__ ((format (printf, 2, 3)));

static void
s_printf (out_t *out, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    int len = vsnprintf (NULL, 0, format, args);
    va_end (args);
    if (len < 0)
        return;
    s_reserve (out, (size_t) len);
    if (out->failed)
        return;
    va_start (args, format);
    vsnprintf (out->data + out->size, (size_t) len + 1, format, args);
    va_end (args);
    out->size += (size_t) len;
}

//  Inline Markdown text: punctuation that could start markup is escaped,
//  line breaks and tabs become spaces so one item stays one list entry
static void
s_put_md (out_t *out, const char *text)
{
    s_reserve (out, strlen (text) * 2);
    if (out->failed)
        return;
    for (const char *p = text; *p; p++) {
        char c = *p;
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
        else
        if (strchr ("\\`*_[]<>#|~", c))
            out->data [out->size++] = '\\';
        out->data [out->size++] = c;
    }
    out->data [out->size] = 0;
}

static char *
s_finish (out_t *out)
{
    if (out->failed) {
        free (out->data);
        return NULL;
    }
    s_reserve (out, 0);
    if (out->failed) {
        free (out->data);
        return NULL;
    }
    out->data [out->size] = 0;
    return out->data;
}

//  ---------------------------------------------------------------------
//  Reading the JSON leniently

static const char *
s_str (json_t *object, const char *field)
{
    const char *value = json_string_value (json_object_get (object, field));
    return value? value: "";
}

static long long
s_int (json_t *object, const char *field)
{
    return (long long) json_integer_value (json_object_get (object, field));
}

static const char *
s_plural (long long count, const char *one, const char *many)
{
    return count == 1? one: many;
}

const char *
ab_render_hedge_words (const char *hedge)
{
    static const char *words [][2] = {
        { "asserted", "stated" },
        { "reported", "reported, unconfirmed" },
        { "expected", "expected, not yet done" },
        { "considered", "under consideration" },
        { "hoped", "hoped for" },
        { "denied", "denied" },
    };
    for (size_t i = 0; hedge && i < sizeof words / sizeof words [0]; i++)
        if (strcmp (hedge, words [i][0]) == 0)
            return words [i][1];
    return "unverified";
}

//  Human text of a side: its label, else its canonical value
static const char *
s_side_text (json_t *side)
{
    const char *label = s_str (side, "label");
    return *label? label: s_str (side, "value");
}

//  What a line calls an item: its label, else its topic's
static const char *
s_item_name (json_t *item)
{
    const char *label = s_str (item, "label");
    if (!*label)
        label = s_str (item, "topic_label");
    return *label? label: s_str (item, "topic");
}

//  Human subject of an item: topic label plus its own label if any
static void
s_put_subject (out_t *out, json_t *item)
{
    const char *topic = s_str (item, "topic_label");
    if (!*topic)
        topic = s_str (item, "topic");
    const char *label = s_str (item, "label");
    s_put_md (out, topic);
    if (*label) {
        s_put (out, ": ");
        s_put_md (out, label);
    }
}

//  "(3 articles, reported)" or "(1 article, newest)"; hedge words only
//  where the side is not asserted, so nothing reported reads as fact
static void
s_put_side_counts (out_t *out, json_t *side, bool conflict)
{
    long long support = s_int (side, "support");
    s_printf (out, "(%lld %s", support, s_plural (support, "article", "articles"));
    const char *hedge = s_str (side, "hedge");
    if (*hedge && strcmp (hedge, "asserted"))
        s_printf (out, ", %s", hedge);
    if (conflict && json_is_true (json_object_get (side, "newest")))
        s_put (out, ", newest");
    s_put (out, ")");
}

//  ---------------------------------------------------------------------
//  One-line rendering

char *
ab_render_item_line (json_t *item)
{
    if (!json_is_object (item))
        return NULL;
    out_t out = { NULL, 0, 0, false };
    bool conflict = json_is_true (json_object_get (item, "conflict"));
    if (conflict)
        s_put (&out, "CONFLICT ");
    s_put (&out, s_str (item, "key"));
    size_t i;
    json_t *side;
    json_array_foreach (json_object_get (item, "sides"), i, side) {
        s_put (&out, i? " vs ": ": ");
        const char *value = s_str (side, "value");
        if (*value) {
            s_put (&out, value);
            s_put (&out, " ");
        }
        s_put_side_counts (&out, side, conflict);
    }
    return s_finish (&out);
}

//  ---------------------------------------------------------------------
//  Markdown

static void
s_put_hedges (out_t *out, json_t *hedges)
{
    const char *name;
    json_t *count;
    int kinds = 0, shown = 0;
    json_object_foreach (hedges, name, count)
        kinds += json_integer_value (count) > 0;
    if (kinds < 2)
        return;             //  the overall hedge already says it all
    s_put (out, " (");
    json_object_foreach (hedges, name, count) {
        if (json_integer_value (count) <= 0)
            continue;
        s_printf (out, "%s%s %lld", shown++? ", ": "", name,
                  (long long) json_integer_value (count));
    }
    s_put (out, ")");
}

static void
s_put_citations (out_t *out, json_t *side)
{
    size_t i;
    json_t *article;
    json_array_foreach (json_object_get (side, "articles"), i, article) {
        s_put (out, i? "; ": "");
        s_printf (out, "`%s`", s_str (article, "id"));
        const char *source = s_str (article, "source");
        const char *published = s_str (article, "published");
        if (*source || *published) {
            s_put (out, " (");
            s_put_md (out, *source? source: "unknown outlet");
            if (*published) {
                s_put (out, ", ");
                s_put_md (out, published);
            }
            s_put (out, ")");
        }
        const char *attribution = s_str (article, "attribution");
        if (*attribution) {
            s_put (out, " citing ");
            s_put_md (out, attribution);
        }
        size_t copies = json_array_size (json_object_get (article, "copies"));
        if (copies)
            s_printf (out, " +%zu %s", copies, copies == 1? "copy": "copies");
    }
    long long omitted = s_int (side, "articles_omitted");
    if (omitted > 0)
        s_printf (out, "; and %lld older", omitted);
}

static void
s_put_evidence (out_t *out, json_t *side, const char *indent)
{
    json_t *evidence = json_array_get (json_object_get (side, "evidence"), 0);
    const char *sentence = s_str (evidence, "sentence");
    if (!*sentence)
        return;
    s_printf (out, "%s> ", indent);
    s_put_md (out, sentence);
    s_printf (out, " (`%s`)\n", s_str (evidence, "article"));
}

//  "4-star (3 articles, reported) vs 3-star (1 article, newest)"
static void
s_put_sides_line (out_t *out, json_t *item)
{
    size_t i;
    json_t *side;
    json_array_foreach (json_object_get (item, "sides"), i, side) {
        s_put (out, i? " vs ": "");
        const char *text = s_side_text (side);
        if (*text) {
            s_put (out, "**");
            s_put_md (out, text);
            s_put (out, "** ");
        }
        s_put_side_counts (out, side, true);
    }
}

static void
s_put_list (out_t *out, const char *title, json_t *array)
{
    if (json_array_size (array) == 0)
        return;
    s_printf (out, " %s ", title);
    size_t i;
    json_t *element;
    json_array_foreach (array, i, element) {
        s_put (out, i? ", ": "");
        s_put_md (out, json_string_value (element)? json_string_value (element): "");
    }
    s_put (out, ".");
}

//  ---------------------------------------------------------------------
//  Related items: two items are about the same subject when every key
//  slot of one is among the other's, at least two of them.  The planned
//  rank of a commander and the duties some want that commander limited
//  to ("commander_rank{status=planned,unit=USFJ}" and "commander_rank{
//  aspect=duties,status=planned,unit=USFJ}") are read together.  Found
//  through an index from each "slot=value" to the items that have it, so
//  an item is compared only with the items sharing its rarest slot.

#define S_MAX_RELATED 8         //  related items listed per item
//  Slots shared by more items than this name a category, not a subject
//  ("status=planned"); an item all of whose slots are that common is
//  related to none, which bounds the work at this many checks per item
#define S_MAX_SUBJECT 1024

//  "slot=value" of one key slot into pair; false if it does not fit or
//  the value is not a string
static bool
s_pair (char *pair, size_t size, const char *slot, json_t *value)
{
    if (!json_is_string (value))
        return false;
    int length = snprintf (pair, size, "%s=%s", slot, json_string_value (value));
    return length >= 0 && (size_t) length < size;
}

//  From each "slot=value" of the items' keys to the indexes of the items
//  that have it; NULL on no memory
static json_t *
s_slot_index (json_t *items)
{
    json_t *index = json_object ();
    size_t i;
    json_t *item;
    json_array_foreach (items, i, item) {
        const char *slot;
        json_t *value;
        json_object_foreach (json_object_get (item, "keys"), slot, value) {
            char pair [512];
            if (!index || !s_pair (pair, sizeof pair, slot, value))
                continue;
            json_t *list = json_object_get (index, pair);
            if (!list && json_object_set_new (index, pair, list = json_array ()) != 0)
                list = NULL;
            if (!list || json_array_append_new (list, json_integer ((json_int_t) i)) != 0) {
                json_decref (index);
                index = NULL;
            }
        }
    }
    return index;
}

//  Does item have every key slot of subset, with the same value?
static bool
s_keys_include (json_t *item, json_t *subset)
{
    json_t *keys = json_object_get (item, "keys");
    const char *slot;
    json_t *value;
    json_object_foreach (json_object_get (subset, "keys"), slot, value)
        if (!json_is_string (value) || !json_equal (json_object_get (keys, slot), value))
            return false;
    return true;
}

//  For each item, an array of the indexes of its related items.  NULL on
//  no memory.
static json_t *
s_related (json_t *items)
{
    size_t count = json_array_size (items);
    json_t *index = s_slot_index (items);
    json_t *related = json_array ();
    for (size_t i = 0; related && i < count; i++)
        if (json_array_append_new (related, json_array ()) != 0)
            break;
    if (!index || !related || json_array_size (related) != count) {
        json_decref (index);
        json_decref (related);
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        json_t *item = json_array_get (items, i);
        json_t *keys = json_object_get (item, "keys");
        size_t size = json_object_size (keys);
        if (size < 2)
            continue;
        //  Every item whose keys include this one's is in the list of
        //  each of its slots: take the shortest
        json_t *rarest = NULL;
        const char *slot;
        json_t *value;
        json_object_foreach (keys, slot, value) {
            char pair [512];
            json_t *list = s_pair (pair, sizeof pair, slot, value) ? json_object_get (index, pair) : NULL;
            if (list && (!rarest || json_array_size (list) < json_array_size (rarest)))
                rarest = list;
        }
        if (json_array_size (rarest) > S_MAX_SUBJECT)
            continue;
        size_t k;
        json_t *number;
        json_array_foreach (rarest, k, number) {
            size_t j = (size_t) json_integer_value (number);
            size_t other_size = json_object_size (json_object_get (json_array_get (items, j), "keys"));
            //  Each pair once, seen from the item with fewer key slots
            //  (the earlier one when both have as many)
            if (j == i || other_size < size || (other_size == size && j < i)
            ||  !s_keys_include (json_array_get (items, j), item))
                continue;
            json_t *mine = json_array_get (related, i), *theirs = json_array_get (related, j);
            if (json_array_size (mine) < S_MAX_RELATED)
                json_array_append_new (mine, json_integer ((json_int_t) j));
            if (json_array_size (theirs) < S_MAX_RELATED)
                json_array_append_new (theirs, json_integer ((json_int_t) i));
        }
    }
    json_decref (index);
    return related;
}

//  "Related: **USFJ commander, planned, duties**: limited (1 article, hoped)."
static void
s_put_related (out_t *out, json_t *items, json_t *related, const char *indent)
{
    if (json_array_size (related) == 0)
        return;
    s_printf (out, "%sRelated: ", indent);
    size_t k;
    json_t *number;
    json_array_foreach (related, k, number) {
        json_t *item = json_array_get (items, (size_t) json_integer_value (number));
        json_t *sides = json_object_get (item, "sides");
        s_put (out, k? "; **": "**");
        s_put_md (out, s_item_name (item));
        s_put (out, "**: ");
        if (json_array_size (sides) > 1) {
            s_put_sides_line (out, item);
            continue;
        }
        json_t *side = json_array_get (sides, 0);
        const char *text = s_side_text (side);
        if (*text) {
            s_put_md (out, text);
            s_put (out, " ");
        }
        s_put_side_counts (out, side, false);
    }
    s_put (out, ".\n");
}

static void
s_render_conflict (out_t *out, json_t *item, json_t *items, json_t *related)
{
    s_put (out, "### ");
    s_put_subject (out, item);
    s_printf (out, "\n\n`%s`: ", s_str (item, "key"));
    s_put_sides_line (out, item);
    s_put (out, "\n\n");
    size_t i;
    json_t *side;
    json_array_foreach (json_object_get (item, "sides"), i, side) {
        const char *text = s_side_text (side);
        long long support = s_int (side, "support");
        s_put (out, "- **");
        s_put_md (out, *text? text: "(stated)");
        s_put (out, "**");
        if (json_is_true (json_object_get (side, "newest"))) {
            const char *latest = s_str (side, "latest_published");
            s_put (out, " (newest");
            if (*latest) {
                s_put (out, ", ");
                s_put_md (out, latest);
            }
            s_put (out, ")");
        }
        s_printf (out, ": %s, %lld %s", ab_render_hedge_words (s_str (side, "hedge")),
                  support, s_plural (support, "article", "articles"));
        s_put_hedges (out, json_object_get (side, "hedges"));
        s_put (out, ". Sources: ");
        s_put_citations (out, side);
        s_put (out, ".\n");
        s_put_evidence (out, side, "  ");
    }
    if (json_array_size (related)) {
        s_put (out, "\n");
        s_put_related (out, items, related, "");
    }
    s_put (out, "\n");
}

static void
s_render_item (out_t *out, json_t *item, json_t *items, json_t *related)
{
    json_t *side = json_array_get (json_object_get (item, "sides"), 0);
    const char *text = s_side_text (side);
    const char *hedge = s_str (side, "hedge");
    long long support = s_int (side, "support");
    s_put (out, "- ");
    //  The hedge leads the line when the claim is not asserted
    if (strcmp (hedge, "asserted")) {
        s_put (out, "*");
        const char *words = ab_render_hedge_words (hedge);
        s_printf (out, "%c%s", words [0] - 'a' + 'A', words + 1);
        s_put (out, ":* ");
    }
    s_put (out, "**");
    s_put_md (out, s_item_name (item));
    s_put (out, "**");
    if (*text) {
        s_put (out, ": ");
        s_put_md (out, text);
    }
    s_printf (out, " (%lld %s", support, s_plural (support, "article", "articles"));
    if (strcmp (hedge, "asserted") == 0)
        s_put (out, ", stated");
    s_put (out, ").");
    s_put_list (out, "Attributed to", json_object_get (item, "attributions"));
    s_put_list (out, "Actors:", json_object_get (item, "actors"));
    s_put (out, "\n  Sources: ");
    s_put_citations (out, side);
    s_put (out, ".\n");
    s_put_evidence (out, side, "  ");
    s_put_related (out, items, related, "  ");
}

static void
s_put_time (out_t *out, long long ms)
{
    if (ms <= 0) {
        s_put (out, "never");
        return;
    }
    time_t seconds = (time_t) (ms / 1000);
    struct tm tm;
    char text [64];
    if (gmtime_r (&seconds, &tm) && strftime (text, sizeof text, "%Y-%m-%d %H:%M UTC", &tm))
        s_put (out, text);
    else
        s_printf (out, "%lld ms", ms);
}

char *
ab_render_markdown (json_t *briefing)
{
    if (!json_is_object (briefing))
        return NULL;
    out_t out = { NULL, 0, 0, false };
    json_t *summary = json_object_get (briefing, "summary");
    json_t *items = json_object_get (briefing, "items");
    long long articles = s_int (summary, "articles");
    long long copies = s_int (summary, "copies");
    long long sources = s_int (summary, "sources");
    long long item_count = s_int (summary, "items");
    long long conflicts = s_int (summary, "conflicts");

    s_put (&out, "# Alliance briefing\n\n");
    s_printf (&out, "- Articles: %lld", articles);
    if (copies > 0)
        s_printf (&out, " (%lld independent, %lld near-duplicate %s)", articles - copies,
                  copies, s_plural (copies, "copy", "copies"));
    s_printf (&out, " from %lld %s\n", sources, s_plural (sources, "source", "sources"));
    s_printf (&out, "- Items: %lld, conflicts: %lld\n", item_count, conflicts);
    s_put (&out, "- Last update: ");
    s_put_time (&out, s_int (summary, "last_update_ms"));
    s_put (&out, "\n\n");

    if (json_array_size (items) == 0) {
        s_put (&out, "No items yet.\n");
        return s_finish (&out);
    }
    //  Items arrive sorted (conflicts first, then topic, then key), which
    //  is the order of the page; only group boundaries are found here
    json_t *related = s_related (items);
    if (!related) {
        free (out.data);
        return NULL;
    }
    size_t i;
    json_t *item;
    bool any_conflict = false;
    json_array_foreach (items, i, item) {
        if (!json_is_true (json_object_get (item, "conflict")))
            continue;
        if (!any_conflict)
            s_put (&out, "## Conflicts\n\n");
        any_conflict = true;
        s_render_conflict (&out, item, items, json_array_get (related, i));
    }
    const char *topic = NULL;
    json_array_foreach (items, i, item) {
        if (json_is_true (json_object_get (item, "conflict")))
            continue;
        const char *item_topic = s_str (item, "topic");
        if (!topic || strcmp (topic, item_topic)) {
            const char *title = s_str (item, "topic_label");
            s_put (&out, topic? "\n## ": "## ");
            s_put_md (&out, *title? title: item_topic);
            s_put (&out, "\n\n");
            topic = item_topic;
        }
        s_render_item (&out, item, items, json_array_get (related, i));
    }
    json_decref (related);
    return s_finish (&out);
}
