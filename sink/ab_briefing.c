/*  =========================================================================
    ab_briefing - the sink's consolidated state: claims merged into items

    Layout.  Three string-keyed open-addressing tables (items by key,
    articles by id, interned strings) and a near-duplicate band index.
    Items and articles are allocated once and never move, so other
    structures hold plain pointers to them.  Strings that repeat across
    claims (outlets, attributions, actors, rule ids, topic names) are
    interned once and shared; per-claim memory is the key, the value,
    one support entry and (up to a cap) the evidence sentence.

    Independence.  The first-seen article of a near-duplicate cluster is its
    representative (rep).  The rep keeps the list of (item, side, entry)
    its cluster supports.  When a copy arrives, that list is walked once to
    stamp each side with the current merge number, so "does this cluster
    already support this side?" is one comparison per claim, and the cost
    is proportional to what the cluster said, never to the briefing.
    =========================================================================
*/
#include "ab_briefing.h"
#include "ab_file.h"
#include "ab_utf8.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  ---------------------------------------------------------------------
//  Hedges, in the order used to break ties for an item's overall hedge

typedef enum {
    HEDGE_ASSERTED = 0,
    HEDGE_REPORTED,
    HEDGE_EXPECTED,
    HEDGE_CONSIDERED,
    HEDGE_HOPED,
    HEDGE_DENIED,
    HEDGE_UNKNOWN,          //  empty or unrecognized: never shown as fact
    HEDGE_COUNT
} hedge_t;

static const char *s_hedge_names [HEDGE_COUNT] = {
    "asserted", "reported", "expected", "considered", "hoped", "denied", "unknown"
};

//  ---------------------------------------------------------------------
//  Open-addressing string table.  Values are pointers to structures whose
//  key the table reads through key_of; slots keep the full hash so that
//  most mismatches and every resize skip the string compare.

typedef const char *(map_key_fn) (const void *value);

typedef struct {
    uint64_t hash;
    void *value;            //  NULL: empty slot (nothing is ever removed)
} map_slot_t;

typedef struct {
    map_slot_t *slots;
    size_t mask;            //  capacity - 1, capacity a power of two
    size_t count;
    map_key_fn *key_of;
} map_t;

//  ---------------------------------------------------------------------
//  Structures of our class

typedef struct item_s item_t;
typedef struct article_s article_t;

//  One (item, side, entry) a near-duplicate cluster supports
typedef struct {
    item_t *item;
    uint32_t side;
    uint32_t entry;
} support_ref_t;

struct article_s {
    const char *id;             //  first: the article table's key
    const char *title;          //  these five point into strings []
    const char *url;
    const char *origin;         //  where it came in (file, stdin line, feed)
    const char *published;      //  as received, "" if unknown
    const char *source;         //  interned outlet, "" if unknown
    int64_t received_ms;
    int64_t when;               //  published as Unix ms, else received_ms
    uint64_t fingerprint;
    uint32_t index;             //  arrival order, 0-based
    uint32_t band_next [4];     //  band chains: index + 1 of next rep, 0 = end
    article_t *rep;             //  representative of its cluster (maybe self)
    support_ref_t *supports;    //  rep only: what its cluster supports
    uint32_t support_count;
    uint32_t support_cap;
    char strings [];
};

//  One independent article (cluster) supporting a side
typedef struct {
    article_t *article;         //  the cluster member that first brought it
    article_t **copies;         //  other members that said it too
    uint32_t copy_count;
    uint8_t hedge;
    const char *attribution;    //  interned, NULL if none
} entry_t;

typedef struct {
    article_t *article;
    const char *rule;           //  interned
    char *sentence;             //  owned, at most AB_BRIEFING_MAX_SENTENCE
    uint32_t span_start;        //  sentence in the normalized article
    uint32_t span_end;
    int32_t match_start;        //  match relative to sentence, -1 if
    int32_t match_end;          //  invalid or cut off
} evidence_t;

typedef struct {
    char *value;                //  canonical value string, owned
    entry_t *entries;           //  one per independent article
    uint32_t entry_count;
    uint32_t entry_cap;
    uint32_t *listed;           //  beyond AB_BRIEFING_MAX_LISTED entries:
                                //  the newest ones, oldest first, so JSON
                                //  never sorts a long list; else NULL
    evidence_t *evidence;       //  best first: latest, then smallest id
    uint8_t evidence_count;
    uint8_t evidence_cap;
    uint32_t support;           //  == entry_count
    uint32_t articles;          //  entries + their copies
    uint32_t hedges [HEDGE_COUNT];
    article_t *latest;          //  supporting article with the latest date
    uint32_t stamp;             //  merge number when a cluster marked it
    uint32_t stamp_entry;       //  the cluster's entry, valid with stamp
} side_t;

struct item_s {
    side_t *sides;
    uint32_t side_count;
    uint32_t side_cap;
    const char **actors;        //  interned, distinct, capped
    const char **attributions;  //  interned, distinct, capped
    uint8_t actor_count;
    uint8_t attribution_count;
    bool dirty;                 //  changed during the current merge
    int64_t first_seen_ms;
    int64_t last_updated_ms;
    uint32_t support;           //  distinct clusters over all sides
    uint32_t newest;            //  index of the newest side
    uint32_t cluster_stamp;     //  merge number of last cluster seen
    uint32_t change_stamp;      //  merge number of last touch
    uint32_t prev_side_count;   //  state before the current merge
    uint32_t prev_newest;
    uint32_t type_len;          //  key [0 .. type_len) is the type
    char key [];                //  canonical key, the item table's key
};

typedef struct {
    char *type;                 //  first: the topic table's key
    char *title;
    char *subject_format;       //  NULL if none
    char *value_format;         //  NULL if none
} topic_t;

typedef struct {
    char *data;
    size_t size;
    size_t capacity;
} strbuf_t;

struct ab_briefing_t {
    map_t items;                //  key -> item_t
    map_t articles;             //  id -> article_t
    map_t strings;              //  interned strings (char * keys)
    map_t topics;               //  type -> topic_t, from topics.tsv
    article_t **article_list;   //  by arrival index
    size_t article_cap;
    uint32_t *bands;            //  4 x 65536 heads, index + 1; lazily made
    uint32_t merge_no;          //  stamps; 0 is never a merge number
    size_t sources;             //  distinct non-empty outlets
    size_t copies;              //  articles that are near-duplicates
    size_t conflicts;           //  items with 2+ sides
    size_t claims;              //  claims merged
    struct interned_s **types;  //  every claim type seen, sorted by name
    size_t type_count;
    size_t type_cap;
    size_t rejected;            //  claims skipped as malformed
    int64_t last_update_ms;
    //  Scratch reused across merges
    item_t **changed;
    size_t changed_cap;
    size_t changed_count;
    const ab_slot_t **slots;
    size_t slots_cap;
    strbuf_t key_buf;
    strbuf_t value_buf;
};

//  Interned strings: flag bits and a claim count live in front of the text
typedef struct interned_s {
    const char *text;           //  first: points at data []
    uint32_t flags;
    uint32_t claims;            //  claims merged of this type (types only)
    char data [];
} interned_t;

#define INTERN_IS_SOURCE 1
#define INTERN_IS_TYPE 2

static json_t *s_jstrn (const char *text, size_t len);
static json_t *s_jstr (const char *text);

//  ---------------------------------------------------------------------
//  Hash and table helpers

static uint64_t
s_hash (const char *s, size_t len)
{
    //  FNV-1a with a final avalanche so low bits (the slot index) mix well
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char) s [i];
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static int
s_map_init (map_t *map, map_key_fn *key_of, size_t capacity)
{
    map->slots = calloc (capacity, sizeof (map_slot_t));
    map->mask = capacity - 1;
    map->count = 0;
    map->key_of = key_of;
    return map->slots? 0: -1;
}

static void *
s_map_find (map_t *map, const char *key, uint64_t hash)
{
    size_t i = hash & map->mask;
    while (map->slots [i].value) {
        if (map->slots [i].hash == hash
        &&  strcmp (map->key_of (map->slots [i].value), key) == 0)
            return map->slots [i].value;
        i = (i + 1) & map->mask;
    }
    return NULL;
}

//  Insert a value whose key is known to be absent.  Returns 0 or -1.
static int
s_map_insert (map_t *map, uint64_t hash, void *value)
{
    //  Grow at 3/4 load: linear probing degrades quickly beyond that
    if ((map->count + 1) * 4 > (map->mask + 1) * 3) {
        size_t capacity = (map->mask + 1) * 2;
        map_slot_t *slots = calloc (capacity, sizeof (map_slot_t));
        if (!slots)
            return -1;
        for (size_t i = 0; i <= map->mask; i++) {
            if (!map->slots [i].value)
                continue;
            size_t j = map->slots [i].hash & (capacity - 1);
            while (slots [j].value)
                j = (j + 1) & (capacity - 1);
            slots [j] = map->slots [i];
        }
        free (map->slots);
        map->slots = slots;
        map->mask = capacity - 1;
    }
    size_t i = hash & map->mask;
    while (map->slots [i].value)
        i = (i + 1) & map->mask;
    map->slots [i].hash = hash;
    map->slots [i].value = value;
    map->count++;
    return 0;
}

static const char *
s_item_key (const void *value)
{
    return ((const item_t *) value)->key;
}

//  Articles, interned strings and topics all have their key pointer first
static const char *
s_first_key (const void *value)
{
    return *(const char * const *) value;
}

//  Grow an array to hold at least need elements.  Returns 0 or -1.
static int
s_grow (void **array, size_t *capacity, size_t need, size_t size)
{
    if (need <= *capacity)
        return 0;
    //  From 1: most items have one side, most sides one entry, and at a
    //  million items every unused slot costs megabytes
    size_t capacity_new = *capacity? *capacity * 2: 1;
    while (capacity_new < need)
        capacity_new *= 2;
    void *grown = realloc (*array, capacity_new * size);
    if (!grown)
        return -1;
    *array = grown;
    *capacity = capacity_new;
    return 0;
}

static int
s_grow32 (void **array, uint32_t *capacity, size_t need, size_t size)
{
    size_t capacity_z = *capacity;
    if (s_grow (array, &capacity_z, need, size))
        return -1;
    *capacity = (uint32_t) capacity_z;
    return 0;
}

//  ---------------------------------------------------------------------
//  String buffer for canonical keys (reused, never shrinks)

static int
s_sb_reserve (strbuf_t *sb, size_t extra)
{
    return s_grow ((void **) &sb->data, &sb->capacity, sb->size + extra + 1, 1);
}

static int
s_sb_put (strbuf_t *sb, const char *text, size_t len)
{
    if (s_sb_reserve (sb, len))
        return -1;
    memcpy (sb->data + sb->size, text, len);
    sb->size += len;
    sb->data [sb->size] = 0;
    return 0;
}

//  Append text with the canonical form's separators escaped
static int
s_sb_put_escaped (strbuf_t *sb, const char *text)
{
    size_t len = strlen (text);
    if (s_sb_reserve (sb, len * 2))
        return -1;
    for (size_t i = 0; i < len; i++) {
        char c = text [i];
        if (c == '\\' || c == ',' || c == '=' || c == '{' || c == '}')
            sb->data [sb->size++] = '\\';
        sb->data [sb->size++] = c;
    }
    sb->data [sb->size] = 0;
    return 0;
}

//  ---------------------------------------------------------------------
//  Canonical keys and values

static bool
s_type_valid (const char *type)
{
    if (!type || !*type)
        return false;
    for (const char *s = type; *s; s++)
        if (*s == '{' || *s == '}' || *s == ',' || *s == '=' || *s == '\\'
        ||  (unsigned char) *s <= ' ')
            return false;
    return true;
}

static bool
s_claim_valid (const ab_claim_t *claim)
{
    if (!s_type_valid (claim->type))
        return false;
    for (uint32_t i = 0; i < claim->key_count; i++)
        if (!claim->keys [i].name || !*claim->keys [i].name || !claim->keys [i].value)
            return false;
    for (uint32_t i = 0; i < claim->value_count; i++)
        if (!claim->values [i].name || !*claim->values [i].name || !claim->values [i].value)
            return false;
    return true;
}

static int
s_slot_compare (const void *a, const void *b)
{
    const ab_slot_t *x = *(const ab_slot_t * const *) a;
    const ab_slot_t *y = *(const ab_slot_t * const *) b;
    int rc = strcmp (x->name, y->name);
    return rc? rc: strcmp (x->value, y->value);
}

//  Write "name=value,name=value" with slots sorted by name, then value.
//  order is scratch space for count pointers.
static int
s_put_slots (strbuf_t *sb, const ab_slot_t *slots, uint32_t count,
             const ab_slot_t **order)
{
    for (uint32_t i = 0; i < count; i++)
        order [i] = &slots [i];
    //  Almost every claim has 1-3 slots: insertion sort, qsort beyond
    if (count > 8)
        qsort (order, count, sizeof order [0], s_slot_compare);
    else
        for (uint32_t i = 1; i < count; i++)
            for (uint32_t j = i; j > 0 && s_slot_compare (&order [j - 1], &order [j]) > 0; j--) {
                const ab_slot_t *swap = order [j];
                order [j] = order [j - 1];
                order [j - 1] = swap;
            }
    for (uint32_t i = 0; i < count; i++) {
        if ((i && s_sb_put (sb, ",", 1))
        ||  s_sb_put_escaped (sb, order [i]->name)
        ||  s_sb_put (sb, "=", 1)
        ||  s_sb_put_escaped (sb, order [i]->value))
            return -1;
    }
    return 0;
}

static int
s_build_key (strbuf_t *sb, const ab_claim_t *claim, const ab_slot_t **order)
{
    sb->size = 0;
    if (s_sb_put (sb, claim->type, strlen (claim->type)))
        return -1;
    if (claim->key_count == 0)
        return 0;
    if (s_sb_put (sb, "{", 1)
    ||  s_put_slots (sb, claim->keys, claim->key_count, order)
    ||  s_sb_put (sb, "}", 1))
        return -1;
    return 0;
}

static int
s_build_value (strbuf_t *sb, const ab_claim_t *claim, const ab_slot_t **order)
{
    sb->size = 0;
    if (s_sb_reserve (sb, 0))
        return -1;
    sb->data [0] = 0;
    return s_put_slots (sb, claim->values, claim->value_count, order);
}

static char *
s_claim_string (const ab_claim_t *claim, bool key)
{
    if (!claim || !s_claim_valid (claim))
        return NULL;
    uint32_t count = key? claim->key_count: claim->value_count;
    const ab_slot_t **order = malloc ((count + 1) * sizeof (*order));
    strbuf_t sb = { NULL, 0, 0 };
    int rc = order? (key? s_build_key (&sb, claim, order):
                          s_build_value (&sb, claim, order)): -1;
    free (order);
    if (rc) {
        free (sb.data);
        return NULL;
    }
    return sb.data;
}

char *
ab_briefing_claim_key (const ab_claim_t *claim)
{
    return s_claim_string (claim, true);
}

char *
ab_briefing_claim_value (const ab_claim_t *claim)
{
    return s_claim_string (claim, false);
}

//  Parse "name=value,..." (len bytes, escaped) into a JSON object.  A
//  name that occurs twice gets an array of its values.  NULL on no memory.
static json_t *
s_parse_slots (const char *text, size_t len)
{
    json_t *object = json_object ();
    char *name = malloc (len + 1);
    char *value = malloc (len + 1);
    if (!object || !name || !value)
        goto fail;
    size_t i = 0;
    while (i < len) {
        size_t n = 0, v = 0;
        while (i < len && text [i] != '=') {
            if (text [i] == '\\' && i + 1 < len)
                i++;
            name [n++] = text [i++];
        }
        name [n] = 0;
        i++;                        //  '='
        while (i < len && text [i] != ',') {
            if (text [i] == '\\' && i + 1 < len)
                i++;
            value [v++] = text [i++];
        }
        value [v] = 0;
        i++;                        //  ','
        json_t *old = json_object_get (object, name);
        json_t *string = s_jstr (value);
        if (!string)
            goto fail;
        if (!old)
            json_object_set_new (object, name, string);
        else
        if (json_is_array (old))
            json_array_append_new (old, string);
        else {
            json_t *array = json_array ();
            if (!array) {
                json_decref (string);
                goto fail;
            }
            json_array_append (array, old);
            json_array_append_new (array, string);
            json_object_set_new (object, name, array);
        }
    }
    free (name);
    free (value);
    return object;
fail:
    free (name);
    free (value);
    json_decref (object);
    return NULL;
}

//  ---------------------------------------------------------------------
//  Dates

static bool
s_digits (const char *s, int count, int *value)
{
    int v = 0;
    for (int i = 0; i < count; i++) {
        if (s [i] < '0' || s [i] > '9')
            return false;
        v = v * 10 + (s [i] - '0');
    }
    *value = v;
    return true;
}

//  Days since 1970-01-01 of a civil date (proleptic Gregorian)
static int64_t
s_days_from_civil (int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0? y: y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2? -3: 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

//  Parse "YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|+HH:MM|-HH:MM]" as Unix ms.
//  Returns false if text is not such a date.
static bool
s_parse_published (const char *text, int64_t *ms)
{
    int y, mo, d, h = 0, mi = 0, s = 0;
    if (!text || strlen (text) < 10
    ||  !s_digits (text, 4, &y) || text [4] != '-'
    ||  !s_digits (text + 5, 2, &mo) || text [7] != '-'
    ||  !s_digits (text + 8, 2, &d)
    ||  mo < 1 || mo > 12 || d < 1 || d > 31)
        return false;
    const char *p = text + 10;
    int64_t offset_min = 0;
    if (*p == 'T' || *p == ' ') {
        if (!s_digits (p + 1, 2, &h) || p [3] != ':' || !s_digits (p + 4, 2, &mi)
        ||  h > 23 || mi > 59)
            return false;
        p += 6;
        if (*p == ':') {
            if (!s_digits (p + 1, 2, &s) || s > 60)
                return false;
            p += 3;
            if (*p == '.')
                for (p++; *p >= '0' && *p <= '9'; p++)
                    ;
        }
        if (*p == 'Z')
            p++;
        else
        if (*p == '+' || *p == '-') {
            int oh, om;
            if (!s_digits (p + 1, 2, &oh) || p [3] != ':' || !s_digits (p + 4, 2, &om))
                return false;
            offset_min = (oh * 60 + om) * (*p == '+'? 1: -1);
            p += 6;
        }
    }
    if (*p)
        return false;
    int64_t seconds = s_days_from_civil (y, mo, d) * 86400
                    + h * 3600 + mi * 60 + s - offset_min * 60;
    *ms = seconds * 1000;
    return true;
}

//  ---------------------------------------------------------------------
//  Interning

static const char *
s_intern (ab_briefing_t *self, const char *text, interned_t **entry_p)
{
    size_t len = strlen (text);
    uint64_t hash = s_hash (text, len);
    interned_t *entry = s_map_find (&self->strings, text, hash);
    if (!entry) {
        entry = malloc (sizeof (interned_t) + len + 1);
        if (!entry)
            return NULL;
        memcpy (entry->data, text, len + 1);
        entry->text = entry->data;
        entry->flags = 0;
        entry->claims = 0;
        if (s_map_insert (&self->strings, hash, entry)) {
            free (entry);
            return NULL;
        }
    }
    if (entry_p)
        *entry_p = entry;
    return entry->text;
}

//  One more claim of this type; the first of a type joins self->types
static int
s_count_type (ab_briefing_t *self, const char *type)
{
    interned_t *entry;
    if (!s_intern (self, type, &entry))
        return -1;
    if (!(entry->flags & INTERN_IS_TYPE)) {
        if (self->type_count == self->type_cap) {
            size_t cap = self->type_cap? self->type_cap * 2: 16;
            interned_t **types = realloc (self->types, cap * sizeof *types);
            if (!types)
                return -1;
            self->types = types;
            self->type_cap = cap;
        }
        //  Kept sorted as types arrive (rarely: a few dozen ever), so the
        //  summary, built for every batch, lists them without sorting
        size_t at = self->type_count;
        while (at > 0 && strcmp (self->types [at - 1]->text, entry->text) > 0) {
            self->types [at] = self->types [at - 1];
            at--;
        }
        self->types [at] = entry;
        self->type_count++;
        entry->flags |= INTERN_IS_TYPE;
    }
    entry->claims++;
    return 0;
}

static hedge_t
s_hedge_parse (const char *text)
{
    if (text)
        for (int i = 0; i < HEDGE_UNKNOWN; i++)
            if (strcmp (text, s_hedge_names [i]) == 0)
                return (hedge_t) i;
    return HEDGE_UNKNOWN;
}

//  ---------------------------------------------------------------------
//  Constructor and destructor

ab_briefing_t *
ab_briefing_new (void)
{
    ab_briefing_t *self = calloc (1, sizeof (ab_briefing_t));
    if (!self)
        return NULL;
    if (s_map_init (&self->items, s_item_key, 256)
    ||  s_map_init (&self->articles, s_first_key, 64)
    ||  s_map_init (&self->strings, s_first_key, 64)
    ||  s_map_init (&self->topics, s_first_key, 32)) {
        ab_briefing_destroy (&self);
        return NULL;
    }
    return self;
}

static void
s_topic_destroy (topic_t *topic)
{
    if (!topic)
        return;
    free (topic->type);
    free (topic->title);
    free (topic->subject_format);
    free (topic->value_format);
    free (topic);
}

static void
s_topics_clear (map_t *topics)
{
    for (size_t i = 0; topics->slots && i <= topics->mask; i++)
        s_topic_destroy (topics->slots [i].value);
    free (topics->slots);
    topics->slots = NULL;
}

static void
s_item_destroy (item_t *item)
{
    for (uint32_t i = 0; i < item->side_count; i++) {
        side_t *side = &item->sides [i];
        for (uint32_t j = 0; j < side->entry_count; j++)
            free (side->entries [j].copies);
        for (uint32_t j = 0; j < side->evidence_count; j++)
            free (side->evidence [j].sentence);
        free (side->entries);
        free (side->listed);
        free (side->evidence);
        free (side->value);
    }
    free (item->sides);
    free (item->actors);
    free (item->attributions);
    free (item);
}

void
ab_briefing_destroy (ab_briefing_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ab_briefing_t *self = *self_p;
    for (size_t i = 0; self->items.slots && i <= self->items.mask; i++)
        if (self->items.slots [i].value)
            s_item_destroy (self->items.slots [i].value);
    size_t article_count = self->articles.count;
    for (size_t i = 0; i < article_count; i++) {
        free (self->article_list [i]->supports);
        free (self->article_list [i]);
    }
    for (size_t i = 0; self->strings.slots && i <= self->strings.mask; i++)
        free (self->strings.slots [i].value);
    s_topics_clear (&self->topics);
    free (self->items.slots);
    free (self->articles.slots);
    free (self->strings.slots);
    free (self->article_list);
    free (self->types);
    free (self->bands);
    free (self->changed);
    free (self->slots);
    free (self->key_buf.data);
    free (self->value_buf.data);
    free (self);
    *self_p = NULL;
}

//  ---------------------------------------------------------------------
//  Topic labels

//  A format is valid if every '{' closes with a non-empty name
static bool
s_format_valid (const char *format)
{
    for (const char *p = format; *p; p++) {
        if (*p == '}')
            return false;
        if (*p == '{') {
            const char *end = strchr (p + 1, '}');
            if (!end || end == p + 1 || memchr (p + 1, '{', (size_t) (end - p - 1))
            ||  memchr (p + 1, '|', (size_t) (end - p - 1)))
                return false;
            p = end;
        }
    }
    return true;
}

int
ab_briefing_load_topics (ab_briefing_t *self, const char *path,
                         char *errbuf, size_t errlen)
{
    assert (self);
    assert (path);
    size_t size;
    char *text = ab_file_read (path, 1024 * 1024, &size, errbuf, errlen);
    if (!text)
        return -1;
    map_t topics;
    if (s_map_init (&topics, s_first_key, 32)) {
        free (text);
        snprintf (errbuf, errlen, "out of memory");
        return -1;
    }
    int line_no = 0;
    char *line = text;
    while (line && *line) {
        line_no++;
        char *next = strchr (line, '\n');
        if (next)
            *next++ = 0;
        size_t len = strlen (line);
        if (len && line [len - 1] == '\r')
            line [--len] = 0;
        if (len == 0 || line [0] == '#') {
            line = next;
            continue;
        }
        char *field [5] = { NULL };
        int fields = 0;
        for (char *p = line; p && fields < 5; fields++) {
            field [fields] = p;
            p = strchr (p, '\t');
            if (p)
                *p++ = 0;
        }
        const char *reason = NULL;
        if (fields < 2 || fields > 4)
            reason = "expected 2 to 4 tab-separated fields: type, title, "
                     "subject format, value format";
        else
        if (!s_type_valid (field [0]))
            reason = "invalid claim type";
        else
        if (!*field [1])
            reason = "empty title";
        else
        if (s_map_find (&topics, field [0], s_hash (field [0], strlen (field [0]))))
            reason = "type listed twice";
        else
        for (int i = 2; i < fields; i++)
            if (!s_format_valid (field [i]))
                reason = "bad format: every {slot} needs a name and a closing }";
        if (reason) {
            snprintf (errbuf, errlen, "%s:%d: %s", path, line_no, reason);
            s_topics_clear (&topics);
            free (text);
            return -1;
        }
        topic_t *topic = calloc (1, sizeof (topic_t));
        if (topic) {
            topic->type = strdup (field [0]);
            topic->title = strdup (field [1]);
            if (fields > 2 && *field [2] && strcmp (field [2], "-"))
                topic->subject_format = strdup (field [2]);
            if (fields > 3 && *field [3] && strcmp (field [3], "-"))
                topic->value_format = strdup (field [3]);
        }
        if (!topic || !topic->type || !topic->title
        ||  (fields > 2 && *field [2] && strcmp (field [2], "-") && !topic->subject_format)
        ||  (fields > 3 && *field [3] && strcmp (field [3], "-") && !topic->value_format)
        ||  s_map_insert (&topics, s_hash (field [0], strlen (field [0])), topic)) {
            s_topic_destroy (topic);
            s_topics_clear (&topics);
            free (text);
            snprintf (errbuf, errlen, "out of memory");
            return -1;
        }
        line = next;
    }
    free (text);
    s_topics_clear (&self->topics);
    self->topics = topics;
    return 0;
}

//  ---------------------------------------------------------------------
//  Near-duplicate index

#define BAND(fp, b) ((uint32_t) (((fp) >> (16 * (b))) & 0xffff))

//  The representative within AB_BRIEFING_NEAR_BITS of fingerprint, closest
//  first, then earliest; NULL if none.
static article_t *
s_find_rep (ab_briefing_t *self, uint64_t fingerprint)
{
    if (!self->bands || fingerprint == 0)
        return NULL;
    article_t *best = NULL;
    int best_distance = AB_BRIEFING_NEAR_BITS + 1;
    for (int b = 0; b < 4; b++) {
        uint32_t index = self->bands [b * 65536 + BAND (fingerprint, b)];
        while (index) {
            article_t *candidate = self->article_list [index - 1];
            int distance = __builtin_popcountll (candidate->fingerprint ^ fingerprint);
            if (distance < best_distance
            || (distance == best_distance && best && candidate->index < best->index)) {
                best = candidate;
                best_distance = distance;
            }
            index = candidate->band_next [b];
        }
    }
    return best;
}

static int
s_index_rep (ab_briefing_t *self, article_t *article)
{
    if (article->fingerprint == 0)
        return 0;
    if (!self->bands) {
        //  1 MB of heads, zero pages until touched; a hash table per band
        //  would save it for tiny briefings but cost more per lookup
        self->bands = calloc (4 * 65536, sizeof (uint32_t));
        if (!self->bands)
            return -1;
    }
    for (int b = 0; b < 4; b++) {
        uint32_t *head = &self->bands [b * 65536 + BAND (article->fingerprint, b)];
        article->band_next [b] = *head;
        *head = article->index + 1;
    }
    return 0;
}

//  ---------------------------------------------------------------------
//  Articles

static article_t *
s_article_new (ab_briefing_t *self, const ab_result_t *result)
{
    const char *title = result->title? result->title: "";
    const char *url = result->url? result->url: "";
    const char *origin = result->origin? result->origin: "";
    const char *published = result->published? result->published: "";
    size_t id_len = strlen (result->article_id);
    size_t title_len = strlen (title);
    size_t url_len = strlen (url);
    size_t origin_len = strlen (origin);
    size_t published_len = strlen (published);
    article_t *article = calloc (1, sizeof (article_t) + id_len + title_len
                                    + url_len + origin_len + published_len + 5);
    if (!article)
        return NULL;
    char *p = article->strings;
    article->id = memcpy (p, result->article_id, id_len + 1);
    p += id_len + 1;
    article->title = memcpy (p, title, title_len + 1);
    p += title_len + 1;
    article->url = memcpy (p, url, url_len + 1);
    p += url_len + 1;
    article->origin = memcpy (p, origin, origin_len + 1);
    p += origin_len + 1;
    article->published = memcpy (p, published, published_len + 1);

    interned_t *source = NULL;
    article->source = s_intern (self, result->source? result->source: "", &source);
    if (!article->source) {
        free (article);
        return NULL;
    }
    if (*article->source && !(source->flags & INTERN_IS_SOURCE)) {
        source->flags |= INTERN_IS_SOURCE;
        self->sources++;
    }
    article->received_ms = result->received_ms;
    if (!s_parse_published (published, &article->when))
        article->when = result->received_ms;
    article->fingerprint = result->fingerprint;
    article->rep = article;
    return article;
}

//  Which article is newer: date, then arrival; 0 if both are the same
static int
s_article_time_cmp (const article_t *a, const article_t *b)
{
    if (a->when != b->when)
        return a->when > b->when? 1: -1;
    if (a->received_ms != b->received_ms)
        return a->received_ms > b->received_ms? 1: -1;
    return 0;
}

//  Chronological order, ties by id, so that equal stamps still give one
//  answer whatever the merge order
static int
s_article_order (const article_t *a, const article_t *b)
{
    int rc = s_article_time_cmp (a, b);
    return rc? rc: strcmp (a->id, b->id);
}

//  ---------------------------------------------------------------------
//  Items

static item_t *
s_item_new (const char *key, size_t key_len, size_t type_len)
{
    item_t *item = calloc (1, sizeof (item_t) + key_len + 1);
    if (!item)
        return NULL;
    memcpy (item->key, key, key_len + 1);
    item->type_len = (uint32_t) type_len;
    return item;
}

//  Newest side: latest article first; ties to the smaller value string
static uint32_t
s_item_newest (const item_t *item)
{
    uint32_t best = 0;
    for (uint32_t i = 1; i < item->side_count; i++) {
        int rc = s_article_time_cmp (item->sides [i].latest, item->sides [best].latest);
        if (rc > 0 || (rc == 0 && strcmp (item->sides [i].value, item->sides [best].value) < 0))
            best = i;
    }
    return best;
}

static int
s_item_add_unique (const char ***array, uint8_t *count, int cap, const char *text)
{
    for (uint8_t i = 0; i < *count; i++)
        if ((*array) [i] == text)       //  interned: pointer equality
            return 0;
    if (*count >= cap)
        return 0;
    const char **grown = realloc (*array, (*count + 1) * sizeof (char *));
    if (!grown)
        return -1;
    grown [(*count)++] = text;
    *array = grown;
    return 1;
}

//  Evidence is ordered best first: latest article, then smaller id.
//  Keeps the best AB_BRIEFING_MAX_EVIDENCE; the set kept is the same
//  whatever order the articles arrive in.
static int
s_side_add_evidence (side_t *side, article_t *article, const ab_claim_t *claim,
                     const char *rule)
{
    uint32_t at = side->evidence_count;
    while (at > 0) {
        const article_t *other = side->evidence [at - 1].article;
        int rc = s_article_time_cmp (article, other);
        if (rc < 0 || (rc == 0 && strcmp (article->id, other->id) > 0))
            break;
        at--;
    }
    if (at >= AB_BRIEFING_MAX_EVIDENCE)
        return 0;
    if (side->evidence_count == side->evidence_cap
    &&  side->evidence_cap < AB_BRIEFING_MAX_EVIDENCE) {
        uint8_t cap = side->evidence_cap? side->evidence_cap * 2: 1;
        evidence_t *grown = realloc (side->evidence, cap * sizeof (evidence_t));
        if (!grown)
            return -1;
        side->evidence = grown;
        side->evidence_cap = cap;
    }
    const char *text = claim->evidence? claim->evidence: "";
    size_t len = strlen (text);
    if (len > AB_BRIEFING_MAX_SENTENCE) {
        len = ab_utf8_floor (text, AB_BRIEFING_MAX_SENTENCE);
    }
    char *sentence = malloc (len + 1);
    if (!sentence)
        return -1;
    memcpy (sentence, text, len);
    sentence [len] = 0;
    if (side->evidence_count == AB_BRIEFING_MAX_EVIDENCE) {
        side->evidence_count--;
        free (side->evidence [side->evidence_count].sentence);
    }
    memmove (&side->evidence [at + 1], &side->evidence [at],
             (side->evidence_count - at) * sizeof (evidence_t));
    evidence_t *evidence = &side->evidence [at];
    evidence->article = article;
    evidence->rule = rule;
    evidence->sentence = sentence;
    evidence->span_start = claim->evidence_start;
    evidence->span_end = claim->evidence_end;
    evidence->match_start = evidence->match_end = -1;
    if (claim->match_start >= claim->evidence_start
    &&  claim->match_end >= claim->match_start
    &&  claim->match_end <= claim->evidence_end
    &&  claim->match_end - claim->evidence_start <= len) {
        evidence->match_start = (int32_t) (claim->match_start - claim->evidence_start);
        evidence->match_end = (int32_t) (claim->match_end - claim->evidence_start);
    }
    side->evidence_count++;
    return 0;
}

static int s_entry_compare (const void *a, const void *b);

//  Keep side->listed, the newest AB_BRIEFING_MAX_LISTED entries, once a
//  side has more: built once by sorting, then one insertion per entry.
//  Returns 0 or -1 on no memory.
static int
s_side_list (side_t *side)
{
    uint32_t added = side->entry_count - 1;
    if (side->entry_count <= AB_BRIEFING_MAX_LISTED)
        return 0;
    if (!side->listed) {
        side->listed = malloc (AB_BRIEFING_MAX_LISTED * sizeof (uint32_t));
        const entry_t **sorted = malloc (side->entry_count * sizeof (entry_t *));
        if (!side->listed || !sorted) {
            free (side->listed);
            side->listed = NULL;
            free (sorted);
            return -1;
        }
        for (uint32_t i = 0; i < side->entry_count; i++)
            sorted [i] = &side->entries [i];
        qsort (sorted, side->entry_count, sizeof (entry_t *), s_entry_compare);
        uint32_t first = side->entry_count - AB_BRIEFING_MAX_LISTED;
        for (uint32_t i = 0; i < AB_BRIEFING_MAX_LISTED; i++)
            side->listed [i] = (uint32_t) (sorted [first + i] - side->entries);
        free (sorted);
        return 0;
    }
    const article_t *article = side->entries [added].article;
    if (s_article_order (article, side->entries [side->listed [0]].article) < 0)
        return 0;               //  older than everything listed
    uint32_t at = 0;            //  drop listed [0], shift down to the slot
    while (at + 1 < AB_BRIEFING_MAX_LISTED
       &&  s_article_order (article, side->entries [side->listed [at + 1]].article) > 0) {
        side->listed [at] = side->listed [at + 1];
        at++;
    }
    side->listed [at] = added;
    return 0;
}

//  A slot value that is a date: YYYY, YYYY-MM or YYYY-MM-DD; its length
//  (4, 7 or 10) or 0
static size_t
s_date_length (const char *text, size_t len)
{
    static const char shape [] = "dddd-dd-dd";
    if (len != 4 && len != 7 && len != 10)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (shape [i] == 'd'? !isdigit ((unsigned char) text [i]): text [i] != '-')
            return 0;
    return len;
}

//  End of the slot starting at text: the next unescaped comma or the end
static const char *
s_slot_end (const char *text)
{
    while (*text && *text != ',') {
        if (*text == '\\' && text [1])
            text++;
        text++;
    }
    return text;
}

//  Do two canonical values state the same thing?  They do when every slot
//  has the same name and either the same value or dates of which one
//  refines the other ("2024-03" and "2024-03-07": "in March 2024" and
//  "on March 7, 2024" corroborate).  *finer_p is set when value is the more
//  precise one somewhere.
static bool
s_value_agrees (const char *side_value, const char *value, bool *finer_p)
{
    *finer_p = false;
    const char *a = side_value, *b = value;
    while (*a && *b) {
        const char *a_end = s_slot_end (a), *b_end = s_slot_end (b);
        const char *a_eq = memchr (a, '=', (size_t) (a_end - a));
        const char *b_eq = memchr (b, '=', (size_t) (b_end - b));
        if (!a_eq || !b_eq || a_eq - a != b_eq - b || memcmp (a, b, (size_t) (a_eq - a)))
            return false;
        size_t a_len = (size_t) (a_end - a_eq - 1), b_len = (size_t) (b_end - b_eq - 1);
        if (a_len != b_len || memcmp (a_eq + 1, b_eq + 1, a_len)) {
            size_t a_date = s_date_length (a_eq + 1, a_len);
            size_t b_date = s_date_length (b_eq + 1, b_len);
            size_t shorter = a_date < b_date? a_date: b_date;
            if (!a_date || !b_date || memcmp (a_eq + 1, b_eq + 1, shorter))
                return false;
            if (b_date > a_date)
                *finer_p = true;
        }
        a = *a_end? a_end + 1: a_end;
        b = *b_end? b_end + 1: b_end;
    }
    return !*a && !*b;
}

//  Apply one valid claim.  Returns 0 or -1 on no memory.

//  The person or outlet an attribution names, without the extractor's
//  spelling note (`Name (Title; written "Variant")`, PROTOCOL.md): the
//  item lists one person once, whichever spelling each article used,
//  while each article's own entry keeps the note.
static const char *
s_attribution_name (const char *attribution, char *buffer, size_t size)
{
    const char *note = strstr (attribution, "; written \"");
    const char *closing = ")";
    if (!note) {
        note = strstr (attribution, " (written \"");
        closing = "";
    }
    if (!note || (size_t) (note - attribution) + 2 > size)
        return attribution;
    snprintf (buffer, size, "%.*s%s", (int) (note - attribution), attribution, closing);
    return buffer;
}
static int
s_merge_claim (ab_briefing_t *self, article_t *article, const ab_claim_t *claim,
               int64_t received_ms)
{
    if (s_grow ((void **) &self->slots, &self->slots_cap,
                (claim->key_count > claim->value_count? claim->key_count: claim->value_count) + 1,
                sizeof (ab_slot_t *))
    ||  s_build_key (&self->key_buf, claim, self->slots)
    ||  s_build_value (&self->value_buf, claim, self->slots))
        return -1;

    const char *key = self->key_buf.data;
    uint64_t hash = s_hash (key, self->key_buf.size);
    item_t *item = s_map_find (&self->items, key, hash);
    if (!item) {
        item = s_item_new (key, self->key_buf.size, strlen (claim->type));
        if (!item)
            return -1;
        if (s_map_insert (&self->items, hash, item)) {
            free (item);
            return -1;
        }
        item->first_seen_ms = item->last_updated_ms = received_ms;
    }
    //  First touch in this merge: remember the state to compare against
    if (item->change_stamp != self->merge_no) {
        if (s_grow ((void **) &self->changed, &self->changed_cap,
                    self->changed_count + 1, sizeof (item_t *)))
            return -1;
        self->changed [self->changed_count++] = item;
        item->change_stamp = self->merge_no;
        item->prev_side_count = item->side_count;
        item->prev_newest = item->newest;
    }
    //  Sides are few (distinct values of one subject): a linear scan
    const char *value = self->value_buf.data;
    uint32_t index = 0;
    while (index < item->side_count && strcmp (item->sides [index].value, value))
        index++;
    //  No side with this very value: one whose dates it refines or that
    //  refines its dates is the same statement; the side keeps the finest
    //  value, so the result does not depend on the order of arrival
    for (uint32_t other = 0; index == item->side_count && other < item->side_count; other++) {
        bool finer;
        if (!s_value_agrees (item->sides [other].value, value, &finer))
            continue;
        index = other;
        if (finer) {
            char *refined = strdup (value);
            if (!refined)
                return -1;
            free (item->sides [other].value);
            item->sides [other].value = refined;
            item->dirty = true;
        }
    }
    if (index == item->side_count) {
        if (s_grow32 ((void **) &item->sides, &item->side_cap, index + 1, sizeof (side_t)))
            return -1;
        side_t *side = &item->sides [index];
        memset (side, 0, sizeof (side_t));
        side->value = strdup (value);
        if (!side->value)
            return -1;
        item->side_count++;
        item->dirty = true;
    }
    side_t *side = &item->sides [index];
    article_t *rep = article->rep;
    hedge_t hedge = s_hedge_parse (claim->hedge);

    if (side->stamp == self->merge_no) {
        //  This cluster already supports the side: count nothing, but a
        //  copy saying it too is listed beside the entry
        entry_t *entry = &side->entries [side->stamp_entry];
        //  Copies join in this merge only from this article, at the end
        bool known = entry->article == article
                  || (entry->copy_count && entry->copies [entry->copy_count - 1] == article);
        if (!known) {
            article_t **grown = realloc (entry->copies,
                                         (entry->copy_count + 1) * sizeof (article_t *));
            if (!grown)
                return -1;
            grown [entry->copy_count++] = article;
            entry->copies = grown;
            side->articles++;
            if (s_article_order (article, side->latest) > 0)
                side->latest = article;
            item->dirty = true;
        }
    }
    else {
        if (s_grow32 ((void **) &side->entries, &side->entry_cap,
                      side->entry_count + 1, sizeof (entry_t))
        ||  s_grow32 ((void **) &rep->supports, &rep->support_cap,
                      rep->support_count + 1, sizeof (support_ref_t)))
            return -1;
        const char *attribution = NULL;
        if (claim->attribution && *claim->attribution) {
            attribution = s_intern (self, claim->attribution, NULL);
            if (!attribution)
                return -1;
        }
        const char *rule = s_intern (self, claim->rule? claim->rule: "", NULL);
        if (!rule || s_side_add_evidence (side, article, claim, rule))
            return -1;
        entry_t *entry = &side->entries [side->entry_count];
        entry->article = article;
        entry->copies = NULL;
        entry->copy_count = 0;
        entry->hedge = (uint8_t) hedge;
        entry->attribution = attribution;
        rep->supports [rep->support_count++] = (support_ref_t) {
            item, index, side->entry_count
        };
        side->stamp = self->merge_no;
        side->stamp_entry = side->entry_count++;
        if (s_side_list (side))
            return -1;
        side->support++;
        side->articles++;
        side->hedges [hedge]++;
        if (!side->latest || s_article_order (article, side->latest) > 0)
            side->latest = article;
        if (item->cluster_stamp != self->merge_no) {
            item->cluster_stamp = self->merge_no;
            item->support++;
        }
        item->dirty = true;
    }
    //  Actors and attributions: union over every claim, capped
    for (uint32_t i = 0; i < claim->actor_count; i++) {
        if (!claim->actors [i] || !*claim->actors [i])
            continue;
        const char *actor = s_intern (self, claim->actors [i], NULL);
        int rc = actor? s_item_add_unique (&item->actors, &item->actor_count,
                                           AB_BRIEFING_MAX_ACTORS, actor): -1;
        if (rc < 0)
            return -1;
        if (rc > 0)
            item->dirty = true;
    }
    if (claim->attribution && *claim->attribution) {
        char name [256];
        const char *attribution = s_intern (self, s_attribution_name (claim->attribution, name, sizeof name),
                                            NULL);
        int rc = attribution? s_item_add_unique (&item->attributions, &item->attribution_count,
                                                 AB_BRIEFING_MAX_ATTRIBUTIONS, attribution): -1;
        if (rc < 0)
            return -1;
        if (rc > 0)
            item->dirty = true;
    }
    return 0;
}

static json_t *s_item_json (ab_briefing_t *self, item_t *item);

int
ab_briefing_merge (ab_briefing_t *self, const ab_result_t *result,
                   ab_briefing_change_fn *change, void *arg, bool *duplicate)
{
    assert (self);
    assert (result);
    if (duplicate)
        *duplicate = false;
    if (!result->article_id || !*result->article_id)
        return -1;
    uint64_t hash = s_hash (result->article_id, strlen (result->article_id));
    if (s_map_find (&self->articles, result->article_id, hash)) {
        if (duplicate)
            *duplicate = true;
        return 0;
    }
    if (s_grow ((void **) &self->article_list, &self->article_cap,
                self->articles.count + 1, sizeof (article_t *)))
        return -1;
    article_t *article = s_article_new (self, result);
    if (!article)
        return -1;
    article->index = (uint32_t) self->articles.count;
    if (s_map_insert (&self->articles, hash, article)) {
        free (article);
        return -1;
    }
    self->article_list [article->index] = article;
    article_t *rep = s_find_rep (self, article->fingerprint);
    if (rep) {
        article->rep = rep;
        self->copies++;
    }
    else
    if (s_index_rep (self, article))
        return -1;

    self->merge_no++;
    if (self->merge_no == 0)
        self->merge_no++;       //  0 marks "never stamped"
    self->changed_count = 0;
    //  Stamp what the cluster already supports (see the file header)
    for (uint32_t i = 0; rep && i < rep->support_count; i++) {
        support_ref_t *ref = &rep->supports [i];
        ref->item->sides [ref->side].stamp = self->merge_no;
        ref->item->sides [ref->side].stamp_entry = ref->entry;
        ref->item->cluster_stamp = self->merge_no;
    }
    for (uint32_t i = 0; i < result->claim_count; i++) {
        const ab_claim_t *claim = &result->claims [i];
        if (!s_claim_valid (claim)) {
            self->rejected++;
            continue;
        }
        if (s_merge_claim (self, article, claim, result->received_ms)
        ||  s_count_type (self, claim->type))
            return -1;
        self->claims++;
    }
    if (result->received_ms > self->last_update_ms)
        self->last_update_ms = result->received_ms;

    //  Settle every touched item, then report: callbacks see final state
    int changes = 0;
    for (size_t i = 0; i < self->changed_count; i++) {
        item_t *item = self->changed [i];
        if (!item->dirty)
            continue;
        item->newest = s_item_newest (item);
        if (item->prev_side_count < 2 && item->side_count >= 2)
            self->conflicts++;
        if (result->received_ms < item->first_seen_ms)
            item->first_seen_ms = result->received_ms;
        if (result->received_ms > item->last_updated_ms)
            item->last_updated_ms = result->received_ms;
    }
    for (size_t i = 0; i < self->changed_count; i++) {
        item_t *item = self->changed [i];
        if (!item->dirty)
            continue;
        item->dirty = false;
        changes++;
        if (!change)
            continue;
        const char *op = AB_OP_SUPPORT_CHANGED;
        if (item->prev_side_count == 0)
            op = AB_OP_ITEM_ADDED;
        else
        if (item->prev_side_count == 1 && item->side_count >= 2)
            op = AB_OP_CONFLICT_OPENED;
        else
        if (item->side_count >= 2 && item->newest != item->prev_newest)
            op = AB_OP_VALUE_SUPERSEDED;
        json_t *json = s_item_json (self, item);
        if (!json)
            return -1;
        char topic [256];
        const char *topic_p = topic;
        char *topic_heap = NULL;
        if (item->type_len < sizeof topic) {
            memcpy (topic, item->key, item->type_len);
            topic [item->type_len] = 0;
        }
        else {
            topic_heap = strndup (item->key, item->type_len);
            if (!topic_heap) {
                json_decref (json);
                return -1;
            }
            topic_p = topic_heap;
        }
        change (arg, op, topic_p, item->key, json);
        free (topic_heap);
        json_decref (json);
    }
    self->changed_count = 0;
    return changes;
}

//  ---------------------------------------------------------------------
//  JSON

//  A JSON string from text that may not be valid UTF-8 (titles and outlet
//  names come from feeds as they are): jansson refuses invalid UTF-8, so
//  repair it, each bad byte becoming U+FFFD, rather than drop the field.
static json_t *
s_jstrn (const char *text, size_t len)
{
    json_t *string = json_stringn (text, len);
    if (string)
        return string;
    char *fixed = malloc (len * 3 + 1);
    if (!fixed)
        return NULL;
    size_t out = 0;
    for (size_t i = 0; i < len; ) {
        unsigned char c = (unsigned char) text [i];
        size_t need = c < 0x80? 1: (c >> 5) == 6? 2: (c >> 4) == 14? 3: (c >> 3) == 30? 4: 0;
        bool ok = need > 0 && i + need <= len && c != 0;
        uint32_t cp = need == 1? c: need == 2? c & 0x1F: need == 3? c & 0x0F: c & 0x07;
        for (size_t k = 1; ok && k < need; k++) {
            ok = ((unsigned char) text [i + k] & 0xC0) == 0x80;
            cp = (cp << 6) | ((unsigned char) text [i + k] & 0x3F);
        }
        if (ok && ((need == 2 && cp < 0x80) || (need == 3 && cp < 0x800)
               ||  (need == 4 && (cp < 0x10000 || cp > 0x10FFFF))
               ||  (cp >= 0xD800 && cp <= 0xDFFF)))
            ok = false;
        if (ok) {
            memcpy (fixed + out, text + i, need);
            out += need;
            i += need;
        }
        else {
            memcpy (fixed + out, "\xEF\xBF\xBD", 3);
            out += 3;
            i++;
        }
    }
    string = json_stringn (fixed, out);
    free (fixed);
    return string;
}

static json_t *
s_jstr (const char *text)
{
    return s_jstrn (text, strlen (text));
}

//  Slot values in labels read as words: "joint_headquarters" becomes
//  "joint headquarters" (canonical values use '_' for spaces), and a whole
//  number of five digits or more is grouped by thousands ("54000" becomes
//  "54,000", "3200000000" "3,200,000,000"); years and small numbers stay
//  as written
static int
s_sb_put_words (strbuf_t *sb, const char *text, size_t len)
{
    size_t digits = 0;
    while (digits < len && text [digits] >= '0' && text [digits] <= '9')
        digits++;
    bool grouped = digits == len && len >= 5;
    if (s_sb_reserve (sb, len + (grouped ? len / 3 : 0)))
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (grouped && i > 0 && (len - i) % 3 == 0)
            sb->data [sb->size++] = ',';
        sb->data [sb->size++] = text [i] == '_'? ' ': text [i];
    }
    sb->data [sb->size] = 0;
    return 0;
}

#define FORMAT_SLOTS 32

//  Apply one format alternative (len bytes) to a slots object.  Slots it
//  does not name are appended in parentheses so no part of a claim is
//  hidden.  Returns a new string, or NULL if the format names an absent
//  slot (or on no memory).
static char *
s_format_one (const char *format, size_t format_len, json_t *slots)
{
    const char *names [FORMAT_SLOTS];
    json_t *values [FORMAT_SLOTS];
    bool used [FORMAT_SLOTS] = { false };
    size_t count = 0;
    const char *name;
    json_t *value;
    //  jansson objects iterate in insertion order: slots were parsed from
    //  the canonical string, hence sorted
    json_object_foreach (slots, name, value) {
        if (count == FORMAT_SLOTS)
            break;
        names [count] = name;
        values [count++] = value;
    }
    strbuf_t sb = { NULL, 0, 0 };
    if (s_sb_reserve (&sb, 0))
        return NULL;
    sb.data [0] = 0;
    const char *limit = format + format_len;
    for (const char *p = format; p < limit; ) {
        if (*p != '{') {
            const char *brace = memchr (p, '{', (size_t) (limit - p));
            size_t len = brace? (size_t) (brace - p): (size_t) (limit - p);
            if (s_sb_put (&sb, p, len))
                goto fail;
            p += len;
            continue;
        }
        const char *end = memchr (p, '}', (size_t) (limit - p));
        if (!end)
            goto fail;
        size_t len = (size_t) (end - p - 1), index = 0;
        while (index < count
           && (strlen (names [index]) != len || memcmp (names [index], p + 1, len)))
            index++;
        if (index == count)
            goto fail;
        used [index] = true;
        value = values [index];
        if (json_is_string (value)) {
            if (s_sb_put_words (&sb, json_string_value (value), json_string_length (value)))
                goto fail;
        }
        else {
            size_t i;
            json_t *element;
            json_array_foreach (value, i, element)
                if ((i && s_sb_put (&sb, "/", 1))
                ||  s_sb_put_words (&sb, json_string_value (element), json_string_length (element)))
                    goto fail;
        }
        p = end + 1;
    }
    int extra = 0;
    for (size_t i = 0; i < count; i++) {
        if (used [i] || !json_is_string (values [i]))
            continue;
        if (s_sb_put (&sb, extra++? ", ": " (", 2)
        ||  s_sb_put (&sb, names [i], strlen (names [i]))
        ||  s_sb_put (&sb, "=", 1)
        ||  s_sb_put (&sb, json_string_value (values [i]), json_string_length (values [i])))
            goto fail;
    }
    if (extra && s_sb_put (&sb, ")", 1))
        goto fail;
    return sb.data;
fail:
    free (sb.data);
    return NULL;
}

//  A format is alternatives separated by '|': the first whose slots are
//  all present wins (one type may have several claim shapes).  Returns
//  a new string, or NULL if none applies.
static char *
s_format (const char *format, json_t *slots)
{
    for (const char *p = format; ; ) {
        const char *bar = strchr (p, '|');
        size_t len = bar? (size_t) (bar - p): strlen (p);
        char *label = s_format_one (p, len, slots);
        if (label || !bar)
            return label;
        p = bar + 1;
    }
}

//  Set a label: the format applied, else the canonical text
static int
s_set_label (json_t *object, const char *field, const char *format,
             json_t *slots, const char *canonical, size_t canonical_len)
{
    char *label = format? s_format (format, slots): NULL;
    json_t *string = label? s_jstr (label):
                            s_jstrn (canonical, canonical_len);
    free (label);
    return json_object_set_new (object, field, string);
}

static json_t *
s_hedges_json (const uint32_t *hedges, const char **overall)
{
    json_t *object = json_object ();
    if (!object)
        return NULL;
    //  "asserted" always (its 0 is the point), others only when present:
    //  every member is an allocation, and items go out in every delta
    for (int i = 0; i < HEDGE_COUNT; i++)
        if (i == HEDGE_ASSERTED || hedges [i])
            json_object_set_new (object, s_hedge_names [i], json_integer (hedges [i]));
    //  Asserted only if an independent article asserts it; else the most
    //  frequent hedge, ties to the earlier (weaker-claim) one in the list
    int best = HEDGE_UNKNOWN;
    if (hedges [HEDGE_ASSERTED])
        best = HEDGE_ASSERTED;
    else
        for (int i = HEDGE_REPORTED; i < HEDGE_COUNT; i++)
            if (hedges [i] > (best == HEDGE_UNKNOWN? 0: hedges [best]) && i != HEDGE_UNKNOWN)
                best = i;
    *overall = s_hedge_names [best];
    return object;
}

static int
s_string_compare (const void *a, const void *b)
{
    return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static json_t *
s_sorted_strings (const char **strings, size_t count)
{
    json_t *array = json_array ();
    const char **sorted = malloc ((count + 1) * sizeof (char *));
    if (!array || !sorted) {
        json_decref (array);
        free (sorted);
        return NULL;
    }
    if (count)
        memcpy (sorted, strings, count * sizeof (char *));
    qsort (sorted, count, sizeof (char *), s_string_compare);
    for (size_t i = 0; i < count; i++)
        json_array_append_new (array, s_jstr (sorted [i]));
    free (sorted);
    return array;
}

static int
s_entry_compare (const void *a, const void *b)
{
    const entry_t *x = *(const entry_t * const *) a;
    const entry_t *y = *(const entry_t * const *) b;
    return s_article_order (x->article, y->article);
}

static int
s_article_id_compare (const void *a, const void *b)
{
    return strcmp ((*(const article_t * const *) a)->id,
                   (*(const article_t * const *) b)->id);
}

static json_t *
s_entry_json (const entry_t *entry)
{
    const article_t *article = entry->article;
    json_t *object = json_object ();
    json_t *copies = json_array ();
    if (!object || !copies) {
        json_decref (object);
        json_decref (copies);
        return NULL;
    }
    if (entry->copy_count) {
        article_t **sorted = malloc (entry->copy_count * sizeof (article_t *));
        if (!sorted) {
            json_decref (object);
            json_decref (copies);
            return NULL;
        }
        memcpy (sorted, entry->copies, entry->copy_count * sizeof (article_t *));
        qsort (sorted, entry->copy_count, sizeof (article_t *), s_article_id_compare);
        for (uint32_t i = 0; i < entry->copy_count; i++)
            json_array_append_new (copies, s_jstr (sorted [i]->id));
        free (sorted);
    }
    json_object_set_new (object, "id", s_jstr (article->id));
    json_object_set_new (object, "source", s_jstr (article->source));
    json_object_set_new (object, "title", s_jstr (article->title));
    json_object_set_new (object, "url", s_jstr (article->url));
    json_object_set_new (object, "origin", s_jstr (article->origin));
    json_object_set_new (object, "published", s_jstr (article->published));
    json_object_set_new (object, "received_ms", json_integer (article->received_ms));
    json_object_set_new (object, "hedge", s_jstr (s_hedge_names [entry->hedge]));
    json_object_set_new (object, "attribution",
                         s_jstr (entry->attribution? entry->attribution: ""));
    json_object_set_new (object, "copies", copies);
    return object;
}

//  [a, b]; json_pack would parse a format string for every evidence entry
static json_t *
s_pair (int64_t a, int64_t b)
{
    json_t *array = json_array ();
    if (array) {
        json_array_append_new (array, json_integer (a));
        json_array_append_new (array, json_integer (b));
    }
    return array;
}

static json_t *
s_side_json (const side_t *side, const topic_t *topic, bool newest)
{
    json_t *object = json_object ();
    json_t *values = s_parse_slots (side->value, strlen (side->value));
    json_t *articles = json_array ();
    json_t *evidence = json_array ();
    const entry_t **sorted = malloc ((AB_BRIEFING_MAX_LISTED + 1) * sizeof (entry_t *));
    const char *overall;
    json_t *hedges = s_hedges_json (side->hedges, &overall);
    if (!object || !values || !articles || !evidence || !sorted || !hedges)
        goto fail;
    json_object_set_new (object, "value", s_jstr (side->value));
    json_object_set (object, "values", values);
    if (s_set_label (object, "label", topic? topic->value_format: NULL,
                     values, side->value, strlen (side->value)))
        goto fail;
    json_object_set_new (object, "support", json_integer (side->support));
    json_object_set_new (object, "articles_total", json_integer (side->articles));
    json_object_set_new (object, "newest", json_boolean (newest));
    json_object_set_new (object, "latest_published", s_jstr (side->latest->published));
    json_object_set_new (object, "latest_ms", json_integer (side->latest->when));
    json_object_set_new (object, "hedges", hedges);
    hedges = NULL;
    json_object_set_new (object, "hedge", s_jstr (overall));

    //  Oldest to newest; a side with very many articles lists its newest
    uint32_t listed = side->listed? AB_BRIEFING_MAX_LISTED: side->entry_count;
    uint32_t omitted = side->entry_count - listed;
    for (uint32_t i = 0; i < listed; i++)
        sorted [i] = &side->entries [side->listed? side->listed [i]: i];
    if (!side->listed)
        qsort (sorted, listed, sizeof (entry_t *), s_entry_compare);
    for (uint32_t i = 0; i < listed; i++) {
        json_t *entry = s_entry_json (sorted [i]);
        if (!entry || json_array_append_new (articles, entry))
            goto fail;
    }
    json_object_set (object, "articles", articles);
    json_object_set_new (object, "articles_omitted", json_integer (omitted));
    for (uint32_t i = 0; i < side->evidence_count; i++) {
        const evidence_t *source = &side->evidence [i];
        json_t *entry = json_object ();
        if (!entry || json_array_append_new (evidence, entry))
            goto fail;
        json_object_set_new (entry, "article", s_jstr (source->article->id));
        json_object_set_new (entry, "sentence", s_jstr (source->sentence));
        json_object_set_new (entry, "span", s_pair (source->span_start, source->span_end));
        if (source->match_start >= 0)
            json_object_set_new (entry, "match", s_pair (source->match_start, source->match_end));
        else
            json_object_set_new (entry, "match", json_null ());
        json_object_set_new (entry, "rule", s_jstr (source->rule));
    }
    json_object_set (object, "evidence", evidence);
    json_decref (values);
    json_decref (articles);
    json_decref (evidence);
    free (sorted);
    return object;
fail:
    json_decref (object);
    json_decref (values);
    json_decref (articles);
    json_decref (evidence);
    json_decref (hedges);
    free (sorted);
    return NULL;
}

typedef struct {
    const side_t *side;
    uint32_t index;
} side_ref_t;

//  Sides in output order: most support first, then value
static int
s_side_compare (const void *a, const void *b)
{
    const side_t *x = ((const side_ref_t *) a)->side;
    const side_t *y = ((const side_ref_t *) b)->side;
    if (x->support != y->support)
        return x->support > y->support? -1: 1;
    return strcmp (x->value, y->value);
}

static const topic_t *
s_topic_of (ab_briefing_t *self, const item_t *item)
{
    char type [256];
    if (item->type_len >= sizeof type || self->topics.count == 0)
        return NULL;
    memcpy (type, item->key, item->type_len);
    type [item->type_len] = 0;
    return s_map_find (&self->topics, type, s_hash (type, item->type_len));
}

static json_t *
s_item_json (ab_briefing_t *self, item_t *item)
{
    const topic_t *topic = s_topic_of (self, item);
    size_t key_len = strlen (item->key);
    //  Key slots sit between the braces after the type, if any
    const char *slots_text = item->key + item->type_len;
    size_t slots_len = 0;
    if (*slots_text == '{') {
        slots_text++;
        slots_len = key_len - item->type_len - 2;
    }
    json_t *object = json_object ();
    json_t *keys = s_parse_slots (slots_text, slots_len);
    json_t *sides = json_array ();
    side_ref_t *order = malloc (item->side_count * sizeof (side_ref_t));
    uint32_t hedges [HEDGE_COUNT] = { 0 };
    if (!object || !keys || !sides || !order)
        goto fail;
    json_object_set_new (object, "key", s_jstr (item->key));
    json_object_set_new (object, "type", s_jstrn (item->key, item->type_len));
    json_object_set_new (object, "topic", s_jstrn (item->key, item->type_len));
    if (topic)
        json_object_set_new (object, "topic_label", s_jstr (topic->title));
    else
        json_object_set_new (object, "topic_label", s_jstrn (item->key, item->type_len));
    json_object_set (object, "keys", keys);
    if (s_set_label (object, "label", topic? topic->subject_format: NULL,
                     keys, slots_text, slots_len))
        goto fail;
    for (uint32_t i = 0; i < item->side_count; i++) {
        order [i].side = &item->sides [i];
        order [i].index = i;
        for (int h = 0; h < HEDGE_COUNT; h++)
            hedges [h] += item->sides [i].hedges [h];
    }
    qsort (order, item->side_count, sizeof (side_ref_t), s_side_compare);
    for (uint32_t i = 0; i < item->side_count; i++) {
        json_t *side = s_side_json (order [i].side, topic, order [i].index == item->newest);
        if (!side || json_array_append_new (sides, side))
            goto fail;
    }
    json_object_set (object, "sides", sides);
    json_object_set_new (object, "conflict", json_boolean (item->side_count > 1));
    json_object_set_new (object, "newest", s_jstr (item->sides [item->newest].value));
    json_object_set_new (object, "support", json_integer (item->support));
    const char *overall;
    json_t *hedge_object = s_hedges_json (hedges, &overall);
    if (!hedge_object)
        goto fail;
    json_object_set_new (object, "hedges", hedge_object);
    json_object_set_new (object, "hedge", s_jstr (overall));
    json_t *attributions = s_sorted_strings (item->attributions, item->attribution_count);
    json_t *actors = s_sorted_strings (item->actors, item->actor_count);
    if (!attributions || !actors) {
        json_decref (attributions);
        json_decref (actors);
        goto fail;
    }
    json_object_set_new (object, "attributions", attributions);
    json_object_set_new (object, "actors", actors);
    json_object_set_new (object, "first_seen_ms", json_integer (item->first_seen_ms));
    json_object_set_new (object, "last_updated_ms", json_integer (item->last_updated_ms));
    json_decref (keys);
    json_decref (sides);
    free (order);
    return object;
fail:
    json_decref (object);
    json_decref (keys);
    json_decref (sides);
    free (order);
    return NULL;
}

json_t *
ab_briefing_item_json (ab_briefing_t *self, const char *key)
{
    assert (self);
    assert (key);
    item_t *item = s_map_find (&self->items, key, s_hash (key, strlen (key)));
    return item? s_item_json (self, item): NULL;
}

//  Output order: conflicts first, then topic, then key
static int
s_item_compare (const void *a, const void *b)
{
    const item_t *x = *(const item_t * const *) a;
    const item_t *y = *(const item_t * const *) b;
    bool x_conflict = x->side_count > 1, y_conflict = y->side_count > 1;
    if (x_conflict != y_conflict)
        return x_conflict? -1: 1;
    size_t len = x->type_len < y->type_len? x->type_len: y->type_len;
    int rc = memcmp (x->key, y->key, len);
    if (rc == 0 && x->type_len != y->type_len)
        rc = x->type_len < y->type_len? -1: 1;
    return rc? rc: strcmp (x->key, y->key);
}

//  Sorted array of items whose type starts with prefix; sets *count.
static item_t **
s_sorted_items (ab_briefing_t *self, const char *prefix, size_t *count)
{
    if (!prefix)
        prefix = "";
    size_t prefix_len = strlen (prefix);
    item_t **items = malloc ((self->items.count + 1) * sizeof (item_t *));
    if (!items)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i <= self->items.mask; i++) {
        item_t *item = self->items.slots [i].value;
        if (item && item->side_count
        &&  prefix_len <= item->type_len && memcmp (item->key, prefix, prefix_len) == 0)
            items [n++] = item;
    }
    qsort (items, n, sizeof (item_t *), s_item_compare);
    *count = n;
    return items;
}

json_t *
ab_briefing_items_json (ab_briefing_t *self, const char *topic_prefix)
{
    assert (self);
    size_t count;
    item_t **items = s_sorted_items (self, topic_prefix, &count);
    json_t *array = json_array ();
    if (!items || !array)
        goto fail;
    for (size_t i = 0; i < count; i++) {
        json_t *item = s_item_json (self, items [i]);
        if (!item || json_array_append_new (array, item))
            goto fail;
    }
    free (items);
    return array;
fail:
    free (items);
    json_decref (array);
    return NULL;
}

json_t *
ab_briefing_summary_json (ab_briefing_t *self)
{
    assert (self);
    json_t *by_type = json_object ();
    for (size_t i = 0; by_type && i < self->type_count; i++)
        json_object_set_new (by_type, self->types [i]->text, json_integer (self->types [i]->claims));
    return json_pack ("{sI sI sI sI sI sI sI so* sI sI}",
                      "articles", (json_int_t) self->articles.count,
                      "independent_articles", (json_int_t) (self->articles.count - self->copies),
                      "copies", (json_int_t) self->copies,
                      "sources", (json_int_t) self->sources,
                      "items", (json_int_t) self->items.count,
                      "conflicts", (json_int_t) self->conflicts,
                      "claims", (json_int_t) self->claims,
                      "claims_by_type", by_type,
                      "rejected_claims", (json_int_t) self->rejected,
                      "last_update_ms", (json_int_t) self->last_update_ms);
}

json_t *
ab_briefing_to_json (ab_briefing_t *self)
{
    assert (self);
    json_t *summary = ab_briefing_summary_json (self);
    json_t *items = ab_briefing_items_json (self, NULL);
    json_t *conflicts = json_array ();
    if (!summary || !items || !conflicts) {
        json_decref (summary);
        json_decref (items);
        json_decref (conflicts);
        return NULL;
    }
    size_t i;
    json_t *item;
    json_array_foreach (items, i, item)
        if (json_is_true (json_object_get (item, "conflict")))
            json_array_append (conflicts, json_object_get (item, "key"));
    return json_pack ("{ss so so so}", "schema", AB_BRIEFING_SCHEMA,
                      "summary", summary, "conflicts", conflicts, "items", items);
}

size_t
ab_briefing_item_count (ab_briefing_t *self)
{
    assert (self);
    return self->items.count;
}

size_t
ab_briefing_article_count (ab_briefing_t *self)
{
    assert (self);
    return self->articles.count;
}

size_t
ab_briefing_conflict_count (ab_briefing_t *self)
{
    assert (self);
    return self->conflicts;
}

bool
ab_briefing_has_article (ab_briefing_t *self, const char *id)
{
    assert (self);
    if (!id)
        return false;
    return s_map_find (&self->articles, id, s_hash (id, strlen (id))) != NULL;
}
