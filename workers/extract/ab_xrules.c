/*  =========================================================================
    ab_xrules - load, validate and compile the extractor's rule files

    Every problem in a rule file is reported as "file:line: reason" and
    stops the load: a worker that silently ran with half its rules would
    produce a briefing that is wrong without saying so.  The checks go
    beyond syntax where a mistake would corrupt the sink's merge: a rule
    must fill exactly the slots of its claim form (so that two articles
    stating the same fact produce identical keys and values), and two
    forms of one claim type may not share a key shape (so that they never
    collide and show a false conflict).
    =========================================================================
*/
#include "ab_xrules.h"
#include "ab_file.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ab_xhedge_names [AB_HEDGE_COUNT] = {
    "asserted", "reported", "expected", "considered", "denied", "hoped"
};

#define S_MAX_FILE  (4u * 1024 * 1024)
//  Patterns match the bytes of the UTF-8 text, not its characters: in UTF
//  mode every '.' and class step decodes a character, and the claim rules
//  ran 12% slower (README-extract.md, "Patterns match bytes")
#define S_COMPILE_OPTIONS (PCRE2_CASELESS | PCRE2_DUPNAMES)

//  Loader state: where we are, for error messages
typedef struct {
    const char *file;
    int line;
    char *errbuf;
    size_t errlen;
    void *state;            //  the file parser's own state
} s_ctx_t;

static int
s_fail (s_ctx_t *ctx, const char *format, ...)
{
    char reason [512];
    va_list args;
    va_start (args, format);
    vsnprintf (reason, sizeof (reason), format, args);
    va_end (args);
    if (ctx->line > 0)
        snprintf (ctx->errbuf, ctx->errlen, "%s:%d: %s", ctx->file, ctx->line, reason);
    else
        snprintf (ctx->errbuf, ctx->errlen, "%s: %s", ctx->file, reason);
    return -1;
}

static char *
s_strndup (const char *s, size_t n)
{
    char *copy = malloc (n + 1);
    if (copy) {
        memcpy (copy, s, n);
        copy [n] = 0;
    }
    return copy;
}

//  Grow a dynamic array by one element; returns the new element (zeroed)
//  or NULL on no memory.
static void *
s_push (void **array, int *count, size_t elem)
{
    if ((*count & (*count - 1)) == 0) {     //  0, 1, 2, 4, ...: double
        size_t capacity = *count ? (size_t) *count * 2 : 4;
        void *grown = realloc (*array, capacity * elem);
        if (!grown)
            return NULL;
        *array = grown;
    }
    char *item = (char *) *array + (size_t) (*count) * elem;
    memset (item, 0, elem);
    (*count)++;
    return item;
}

//  --------------------------------------------------------------------------
//  Characters, tokens and the hash

size_t
ab_xrules_char (const char *text, size_t size, size_t pos, bool *is_token)
{
    unsigned char c = (unsigned char) text [pos];
    if (c < 0x80) {
        *is_token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        return 1;
    }
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (n == 1 || pos + n > size) {
        *is_token = false;
        return 1;
    }
    uint32_t cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
    for (size_t i = 1; i < n; i++) {
        unsigned char cc = (unsigned char) text [pos + i];
        if ((cc & 0xC0) != 0x80) {
            *is_token = false;
            return 1;
        }
        cp = (cp << 6) | (cc & 0x3F);
    }
    //  Latin-1 punctuation and signs (NBSP, guillemets, currency),
    //  general punctuation (curly quotes, dashes, thin spaces), currency
    //  symbols, CJK punctuation, BOM: all separate words.
    *is_token = !((cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7
               || (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x20A0 && cp <= 0x20CF)
               || (cp >= 0x3000 && cp <= 0x303F) || cp == 0xFEFF);
    return n;
}

uint32_t
ab_xrules_hash (uint32_t hash, const char *token, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char) token [i];
        if (c >= 'A' && c <= 'Z')
            c += 32;
        hash ^= c;
        hash *= 16777619u;
    }
    return hash;
}

//  Fold text into the key alphabet: its tokens lowercased and run
//  together.  Also writes the letters in original case into cased (if
//  not NULL) and counts the tokens.  Returns the key length.
static size_t
s_fold (const char *text, size_t size, char *key, size_t keylen,
        char *cased, int *tokens_p)
{
    size_t n = 0;
    int tokens = 0;
    bool in_token = false;
    for (size_t pos = 0; pos < size; ) {
        bool is_token;
        size_t len = ab_xrules_char (text, size, pos, &is_token);
        if (is_token) {
            if (!in_token)
                tokens++;
            for (size_t i = 0; i < len && n + 1 < keylen; i++) {
                char c = text [pos + i];
                if (cased)
                    cased [n] = c;
                key [n++] = (c >= 'A' && c <= 'Z') ? (char) (c + 32) : c;
            }
        }
        in_token = is_token;
        pos += len;
    }
    key [n] = 0;
    if (cased)
        cased [n] = 0;
    if (tokens_p)
        *tokens_p = tokens;
    return n;
}

const ab_xentry_t *
ab_xrules_lookup (const ab_extractor_t *self, const char *key, size_t size, uint32_t hash)
{
    if (!self->table)
        return NULL;
    uint32_t mark = hash | 1;
    for (uint32_t i = hash & self->table_mask; ; i = (i + 1) & self->table_mask) {
        uint32_t stored_hash = self->table_hashes [i];
        if (stored_hash == 0)
            return NULL;
        if (stored_hash != mark)
            continue;
        const ab_xentry_t *entry = &self->table [i];
        const char *stored = self->key_pool + entry->key;
        if (strncmp (stored, key, size) == 0 && stored [size] == 0)
            return entry;
    }
}

//  The table while it is built: fat slots, compacted by s_build_table
typedef struct {
    char *key;
    uint32_t hash;
    int trigger;
    int flags;
    int *aliases;
    int alias_count;
    uint32_t kinds;
    uint32_t start_kinds;
    uint64_t extends;
} s_slot_t;

//  The slot holding key, else the empty slot where it would go
static s_slot_t *
s_probe (s_slot_t *table, uint32_t mask, const char *key, uint32_t hash)
{
    uint32_t i = hash & mask;
    while (table [i].key && !(table [i].hash == hash && strcmp (table [i].key, key) == 0))
        i = (i + 1) & mask;
    return &table [i];
}

//  Find or add the slot for key.  NULL on no memory.
static s_slot_t *
s_entry (s_slot_t *table, uint32_t mask, const char *key)
{
    size_t size = strlen (key);
    uint32_t hash = ab_xrules_key_hash (key, size);
    s_slot_t *slot = s_probe (table, mask, key, hash);
    if (!slot->key) {
        slot->key = s_strndup (key, size);
        if (!slot->key)
            return NULL;
        slot->hash = hash;
        slot->trigger = -1;
    }
    return slot;
}

//  The slot for key, or NULL if it has none
static s_slot_t *
s_find (s_slot_t *table, uint32_t mask, const char *key)
{
    s_slot_t *slot = s_probe (table, mask, key, ab_xrules_key_hash (key, strlen (key)));
    return slot->key ? slot : NULL;
}

int
ab_xrules_alias (const ab_extractor_t *self, const char *text, size_t size, int kind)
{
    char key [256], cased [256];
    size_t n = s_fold (text, size, key, sizeof (key), cased, NULL);
    if (n == 0)
        return -1;
    const ab_xentry_t *entry = ab_xrules_lookup (self, key, n,
                                                 ab_xrules_key_hash (key, n));
    if (!entry)
        return -1;
    for (int i = 0; i < entry->alias_count; i++) {
        int index = self->alias_pool [entry->aliases + (uint32_t) i];
        const ab_xalias_t *alias = &self->aliases [index];
        if (alias->exact_case && strcmp (alias->cased, cased) != 0)
            continue;
        if (kind >= 0 && self->entities [alias->entity].kind_id != kind)
            continue;
        return index;
    }
    return -1;
}

//  --------------------------------------------------------------------------
//  Lines and fields

//  Split buffer into lines in place; calls fn for each with its number.
typedef int (s_line_fn) (ab_extractor_t *self, s_ctx_t *ctx, char *line);

static int
s_each_line (ab_extractor_t *self, s_ctx_t *ctx, char *data, s_line_fn *fn)
{
    char *line = data;
    ctx->line = 0;
    while (line && *line) {
        char *next = strchr (line, '\n');
        if (next)
            *next++ = 0;
        ctx->line++;
        size_t n = strlen (line);
        if (n > 0 && line [n - 1] == '\r')
            line [--n] = 0;
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p && *p != '#')
            if (fn (self, ctx, line))
                return -1;
        line = next;
    }
    return 0;
}

static int
s_read (const char *dir, const char *name, s_ctx_t *ctx, char **data_p)
{
    char path [1024];
    snprintf (path, sizeof (path), "%s/%s", dir, name);
    char err [300] = "";
    size_t size;
    *data_p = ab_file_read (path, S_MAX_FILE, &size, err, sizeof (err));
    if (!*data_p) {
        ctx->line = 0;
        return s_fail (ctx, "%s", err);
    }
    return 0;
}

//  Split line at tabs into at most max fields; returns the count.
static int
s_tabs (char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        fields [n++] = p;
        char *tab = strchr (p, '\t');
        if (!tab)
            break;
        if (n == max) {
            //  The last field takes the rest (patterns may hold tabs)
            break;
        }
        *tab = 0;
        p = tab + 1;
    }
    //  Trim surrounding spaces of each field
    for (int i = 0; i < n; i++) {
        while (*fields [i] == ' ')
            fields [i]++;
        size_t len = strlen (fields [i]);
        while (len > 0 && fields [i][len - 1] == ' ')
            fields [i][--len] = 0;
    }
    return n;
}

//  Next whitespace-separated word of *p, NUL-terminated in place; NULL at end.
static char *
s_word (char **p)
{
    char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return NULL;
    char *e = s;
    while (*e && *e != ' ' && *e != '\t')
        e++;
    if (*e)
        *e++ = 0;
    *p = e;
    return s;
}

static char *
s_rest (char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strlen (p);
    while (n > 0 && (p [n - 1] == ' ' || p [n - 1] == '\t'))
        p [--n] = 0;
    return p;
}

static bool
s_is_ident (const char *s, bool upper)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        char c = *s;
        bool ok = (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'
               || (upper ? (c >= 'A' && c <= 'Z') : (c >= 'a' && c <= 'z'));
        if (!ok)
            return false;
    }
    return true;
}

//  Fixed slot values are vocabulary words: lowercase letters, digits and
//  _ . + -, so that nothing free-form can leak into a merge key.
static bool
s_is_vocab (const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        ||    c == '_' || c == '.' || c == '+' || c == '-'))
            return false;
    }
    return true;
}

//  --------------------------------------------------------------------------
//  entities.tsv

static int
s_kind_id (const ab_extractor_t *self, const char *kind)
{
    for (int i = 0; i < self->kind_count; i++)
        if (strcmp (self->kinds [i], kind) == 0)
            return i;
    return -1;
}

static int
s_entity_line (ab_extractor_t *self, s_ctx_t *ctx, char *line)
{
    char *f [6];
    int n = s_tabs (line, f, 6);
    if (n != 6)
        return s_fail (ctx, "expected 6 tab-separated fields (id, kind, name, title, "
                            "country, aliases), found %d", n);
    if (!s_is_ident (f [0], true))
        return s_fail (ctx, "entity id '%s' must be uppercase letters, digits, _ . -", f [0]);
    if (!s_is_ident (f [1], false))
        return s_fail (ctx, "kind '%s' must be lowercase letters, digits, _", f [1]);
    for (int i = 0; i < self->entity_count; i++)
        if (strcmp (self->entities [i].id, f [0]) == 0)
            return s_fail (ctx, "entity '%s' is defined twice", f [0]);
    int kind = s_kind_id (self, f [1]);
    if (kind < 0) {
        if (self->kind_count == AB_X_MAX_KINDS)
            return s_fail (ctx, "more than %d entity kinds", AB_X_MAX_KINDS);
        kind = self->kind_count;
        self->kinds [kind] = strdup (f [1]);
        if (!self->kinds [kind])
            return s_fail (ctx, "out of memory");
        self->kind_count++;
    }
    ab_xentity_t *entity = s_push ((void **) &self->entities, &self->entity_count,
                                   sizeof (ab_xentity_t));
    if (!entity)
        return s_fail (ctx, "out of memory");
    int index = self->entity_count - 1;
    entity->id = strdup (f [0]);
    entity->kind = strdup (f [1]);
    entity->kind_id = kind;
    entity->name = strdup (strcmp (f [2], "-") ? f [2] : f [0]);
    entity->title = strdup (strcmp (f [3], "-") ? f [3] : "");
    entity->country = strdup (strcmp (f [4], "-") ? f [4] : "");
    entity->country_entity = -1;
    entity->line = ctx->line;
    if (!entity->id || !entity->kind || !entity->name || !entity->title || !entity->country)
        return s_fail (ctx, "out of memory");
    //  Aliases: '|'-separated, '=' exact case, '~' reported variant
    char *p = f [5];
    int aliases = 0;
    while (p) {
        char *bar = strchr (p, '|');
        if (bar)
            *bar = 0;
        while (*p == ' ')
            p++;
        bool exact = false, variant = false;
        while (*p == '=' || *p == '~') {
            if (*p == '=')
                exact = true;
            else
                variant = true;
            p++;
        }
        size_t len = strlen (p);
        while (len > 0 && p [len - 1] == ' ')
            p [--len] = 0;
        char key [256], cased [256];
        int tokens;
        if (len >= sizeof (key))
            return s_fail (ctx, "alias '%s' is too long", p);
        if (s_fold (p, len, key, sizeof (key), cased, &tokens) == 0)
            return s_fail (ctx, "alias '%s' has no letters or digits", p);
        if (tokens > AB_X_MAX_ALIAS_TOKENS)
            return s_fail (ctx, "alias '%s' has more than %d words", p, AB_X_MAX_ALIAS_TOKENS);
        //  The same alias for two entities of one kind cannot be resolved
        for (int i = 0; i < self->alias_count; i++) {
            ab_xalias_t *other = &self->aliases [i];
            char okey [256];
            s_fold (other->text, strlen (other->text), okey, sizeof (okey), NULL, NULL);
            if (strcmp (okey, key) == 0 && other->entity != index
            &&  other->exact_case == exact
            &&  (!exact || strcmp (other->cased, cased) == 0)
            &&  self->entities [other->entity].kind_id == kind)
                return s_fail (ctx, "alias '%s' already names %s", p,
                               self->entities [other->entity].id);
        }
        ab_xalias_t *alias = s_push ((void **) &self->aliases, &self->alias_count,
                                     sizeof (ab_xalias_t));
        if (!alias)
            return s_fail (ctx, "out of memory");
        alias->text = strdup (p);
        alias->cased = strdup (cased);
        alias->entity = index;
        alias->exact_case = exact;
        alias->variant = variant;
        if (!alias->text || !alias->cased)
            return s_fail (ctx, "out of memory");
        aliases++;
        p = bar ? bar + 1 : NULL;
    }
    if (aliases == 0)
        return s_fail (ctx, "entity '%s' has no aliases", f [0]);
    return 0;
}

static int
s_load_entities (ab_extractor_t *self, const char *dir, s_ctx_t *ctx)
{
    char *data;
    ctx->file = "entities.tsv";
    if (s_read (dir, ctx->file, ctx, &data))
        return -1;
    int rc = s_each_line (self, ctx, data, s_entity_line);
    free (data);
    if (rc)
        return -1;
    ctx->line = 0;
    if (self->entity_count == 0)
        return s_fail (ctx, "no entities");
    for (int i = 0; i < self->entity_count; i++) {
        ab_xentity_t *entity = &self->entities [i];
        char list [256];
        snprintf (list, sizeof (list), "%s", entity->country);
        for (char *save = NULL, *id = strtok_r (list, "+", &save); id;
             id = strtok_r (NULL, "+", &save)) {
            int found = -1;
            for (int j = 0; j < self->entity_count; j++)
                if (strcmp (self->entities [j].id, id) == 0
                &&  self->entities [j].kind_id == s_kind_id (self, "country"))
                    found = j;
            ctx->line = entity->line;
            if (found < 0)
                return s_fail (ctx, "entity %s: country '%s' is not an entity of kind country",
                               entity->id, id);
            if (entity->member_count == 16)
                return s_fail (ctx, "entity %s: more than 16 countries", entity->id);
            entity->members [entity->member_count++] = found;
            if (entity->country_entity < 0)
                entity->country_entity = found;
        }
    }
    self->kind_person = s_kind_id (self, "person");
    self->kind_country = s_kind_id (self, "country");
    self->kind_outlet = s_kind_id (self, "outlet");
    return 0;
}

//  --------------------------------------------------------------------------
//  Patterns: macro expansion and compilation

typedef struct {
    char *data;
    size_t size;
    size_t capacity;
    bool failed;
} s_buf_t;

static void
s_buf_add (s_buf_t *buf, const char *text, size_t size)
{
    if (buf->failed)
        return;
    if (buf->size + size + 1 > buf->capacity) {
        size_t capacity = buf->capacity ? buf->capacity * 2 : 256;
        while (capacity < buf->size + size + 1)
            capacity *= 2;
        char *grown = realloc (buf->data, capacity);
        if (!grown) {
            buf->failed = true;
            return;
        }
        buf->data = grown;
        buf->capacity = capacity;
    }
    memcpy (buf->data + buf->size, text, size);
    buf->size += size;
    buf->data [buf->size] = 0;
}

static void
s_buf_str (s_buf_t *buf, const char *text)
{
    s_buf_add (buf, text, strlen (text));
}

//  Regex for one alias: its words joined by optional spaces, dots or
//  hyphens, so "Self-Defense Forces" also finds "Self Defense Forces" and
//  "U.S." also finds "US"; a trailing dot is optional.  With after_first
//  the alias's first byte (an ASCII letter or digit) was matched already,
//  maybe in another case: the alias checks it again by looking back, in
//  its own case mode, unless check_first says the opener did it.
static void
s_alias_regex (s_buf_t *buf, const ab_xalias_t *alias, bool after_first, bool check_first)
{
    const char *text = alias->text;
    size_t size = strlen (text);
    if (alias->exact_case)
        s_buf_str (buf, "(?-i:");
    if (after_first && (check_first || alias->exact_case)) {
        s_buf_str (buf, "(?<=");
        s_buf_add (buf, text, 1);
        s_buf_str (buf, ")");
    }
    bool in_token = false, started = false;
    for (size_t pos = 0; pos < size; ) {
        bool is_token;
        size_t len = ab_xrules_char (text, size, pos, &is_token);
        if (is_token) {
            if (!in_token && started)
                s_buf_str (buf, "[\\s.\\-]*");
            if (pos > 0 || !after_first)
                s_buf_add (buf, text + pos, len);
            started = true;
        }
        in_token = is_token;
        pos += len;
    }
    if (size > 0 && text [size - 1] == '.')
        s_buf_str (buf, "\\.?");
    if (alias->exact_case)
        s_buf_str (buf, ")");
}

//  The byte an alias's alternatives are grouped under: its first byte
//  folded to lowercase when that is an ASCII letter or digit, else 0
static unsigned char
s_alias_group (const ab_xalias_t *alias)
{
    unsigned char c = (unsigned char) alias->text [0];
    if (c >= 'A' && c <= 'Z')
        return (unsigned char) (c + 32);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return c;
    return 0;
}

static int
s_alias_cmp_len (const void *a, const void *b, void *arg)
{
    const ab_extractor_t *self = arg;
    size_t la = strlen (self->aliases [*(const int *) a].text);
    size_t lb = strlen (self->aliases [*(const int *) b].text);
    return la < lb ? 1 : la > lb ? -1 : 0;
}

//  {entity:KIND[,KIND...]}: every alias of those kinds, longest first.
//  PCRE2 tries an alternation's branches one by one, and a kind has up to
//  a few hundred aliases, tried at every place a pattern looks for one.
//  So the branches are grouped by their first letter, which each group
//  matches once: "U(?:nited\sStates|S|...)".  Two aliases with
//  different first letters never match at the same place, so within a
//  group longest first still decides, as in one flat alternation.
static int
s_expand_entities (ab_extractor_t *self, s_ctx_t *ctx, const char *kinds, s_buf_t *buf)
{
    bool want [AB_X_MAX_KINDS] = { false };
    char list [128];
    snprintf (list, sizeof (list), "%s", kinds);
    for (char *save = NULL, *k = strtok_r (list, ",", &save); k; k = strtok_r (NULL, ",", &save)) {
        int id = s_kind_id (self, k);
        if (id < 0)
            return s_fail (ctx, "no entity of kind '%s' in entities.tsv", k);
        want [id] = true;
    }
    int *order = malloc (sizeof (int) * (size_t) (self->alias_count + 1));
    if (!order)
        return s_fail (ctx, "out of memory");
    int n = 0;
    for (int i = 0; i < self->alias_count; i++)
        if (want [self->entities [self->aliases [i].entity].kind_id])
            order [n++] = i;
    qsort_r (order, (size_t) n, sizeof (int), s_alias_cmp_len, self);
    s_buf_str (buf, "(?<![A-Za-z0-9])(?:");
    bool done [256] = { false };
    bool first_group = true;
    for (int i = 0; i < n; i++) {
        unsigned char group = s_alias_group (&self->aliases [order [i]]);
        if (done [group])
            continue;
        done [group] = true;
        if (!first_group)
            s_buf_str (buf, "|");
        first_group = false;
        //  The opener is the letter as written, so that it takes the case
        //  mode of the pattern around it; a group whose aliases write
        //  it in both cases opens with both, and each alias checks its own
        bool mixed = false;
        for (int j = i + 1; j < n; j++) {
            const ab_xalias_t *alias = &self->aliases [order [j]];
            if (s_alias_group (alias) == group && alias->text [0] != self->aliases [order [i]].text [0])
                mixed = true;
        }
        if (group) {
            char opener [8];
            if (mixed)
                snprintf (opener, sizeof opener, "[%c%c]", group, group - 32);
            else
                snprintf (opener, sizeof opener, "%c", self->aliases [order [i]].text [0]);
            s_buf_str (buf, opener);
        }
        s_buf_str (buf, "(?:");
        for (int j = i, members = 0; j < n; j++) {
            const ab_xalias_t *alias = &self->aliases [order [j]];
            if (s_alias_group (alias) != group)
                continue;
            if (members++)
                s_buf_str (buf, "|");
            s_alias_regex (buf, alias, group != 0, mixed);
        }
        s_buf_str (buf, ")");
    }
    s_buf_str (buf, ")(?![A-Za-z0-9])");
    free (order);
    return 0;
}

static const ab_xdefine_t *
s_define (const ab_extractor_t *self, const char *name, size_t size)
{
    for (int i = 0; i < self->define_count; i++)
        if (strlen (self->defines [i].name) == size
        &&  memcmp (self->defines [i].name, name, size) == 0)
            return &self->defines [i];
    return NULL;
}

//  Expand {NAME} and {entity:KIND} macros; {2,3} quantifiers (digits)
//  and escaped \{ pass through.
static int
s_expand (ab_extractor_t *self, s_ctx_t *ctx, const char *text, s_buf_t *buf, int depth)
{
    if (depth > 8)
        return s_fail (ctx, "defines nest more than 8 deep (a define uses itself?)");
    for (const char *p = text; *p; p++) {
        if (*p == '\\' && p [1]) {
            s_buf_add (buf, p, 2);
            p++;
            continue;
        }
        if (*p == '{' && ((p [1] >= 'A' && p [1] <= 'Z') || (p [1] >= 'a' && p [1] <= 'z'))) {
            const char *close = strchr (p, '}');
            if (!close)
                return s_fail (ctx, "unclosed macro '{' in pattern");
            const char *name = p + 1;
            size_t size = (size_t) (close - name);
            if (size > 7 && memcmp (name, "entity:", 7) == 0) {
                char kinds [128];
                snprintf (kinds, sizeof (kinds), "%.*s", (int) (size - 7), name + 7);
                if (s_expand_entities (self, ctx, kinds, buf))
                    return -1;
            }
            else {
                const ab_xdefine_t *define = s_define (self, name, size);
                if (!define)
                    return s_fail (ctx, "unknown macro {%.*s}", (int) size, name);
                s_buf_str (buf, "(?:");
                if (s_expand (self, ctx, define->text, buf, depth + 1))
                    return -1;
                s_buf_str (buf, ")");
            }
            p = close;
            continue;
        }
        s_buf_add (buf, p, 1);
    }
    if (buf->failed)
        return s_fail (ctx, "out of memory");
    return 0;
}

//  --------------------------------------------------------------------------
//  Entity kinds a pattern needs (ab_xkinds_t), read off its text before
//  expansion.  The reader only has to find where a macro stands: escapes,
//  classes and group headers are skipped, every group is read as a level
//  of alternatives, and a level with '|' or an item that may be absent
//  ('?', '*', {0,n}, a lookaround, a conditional) drops what it found.
//  Whatever it cannot read it treats as optional, so it can only find too
//  few needs, never one the pattern does not have.

static const char *s_kinds_level (const ab_extractor_t *self, const char *p,
                                  ab_xkinds_t *kinds, int depth);

//  Past one escape sequence at p ('\\')
static const char *
s_skip_escape (const char *p)
{
    p++;
    if (!*p)
        return p;
    if (*p == 'Q') {                        //  \Q...\E quotes literally
        const char *e = strstr (p, "\\E");
        return e ? e + 2 : p + strlen (p);
    }
    char c = *p++;
    if (strchr ("xopPNgk", c) && (*p == '{' || *p == '<' || *p == '\'')) {
        char close = *p == '{' ? '}' : *p == '<' ? '>' : '\'';
        const char *e = strchr (p + 1, close);
        return e ? e + 1 : p + strlen (p);
    }
    return p;
}

//  Past a character class at p ('[')
static const char *
s_skip_class (const char *p)
{
    p++;
    if (*p == '^')
        p++;
    if (*p == ']')
        p++;                                //  a leading ']' is literal
    while (*p && *p != ']') {
        if (*p == '\\')
            p = s_skip_escape (p);
        else
        if (*p == '[' && p [1] == ':') {    //  [:alpha:]
            const char *e = strstr (p + 2, ":]");
            p = e ? e + 2 : p + 1;
        }
        else
            p++;
    }
    return *p ? p + 1 : p;
}

static void
s_kinds_add (ab_xkinds_t *kinds, uint32_t set)
{
    for (int i = 0; i < kinds->count; i++)
        if (kinds->sets [i] == set)
            return;
    if (set && kinds->count < AB_X_MAX_NEED_KINDS)
        kinds->sets [kinds->count++] = set;
}

//  One macro at p ('{' and a letter): {entity:...} adds its kinds, a
//  define adds what its own text needs.  Returns past the '}'.
static const char *
s_kinds_macro (const ab_extractor_t *self, const char *p, ab_xkinds_t *kinds, int depth)
{
    const char *close = strchr (p, '}');
    if (!close)
        return p + strlen (p);
    const char *name = p + 1;
    size_t size = (size_t) (close - name);
    if (size > 7 && memcmp (name, "entity:", 7) == 0) {
        uint32_t set = 0;
        char list [128];
        snprintf (list, sizeof (list), "%.*s", (int) (size - 7), name + 7);
        for (char *save = NULL, *k = strtok_r (list, ",", &save); k; k = strtok_r (NULL, ",", &save)) {
            int id = s_kind_id (self, k);
            if (id < 0)
                return close + 1;           //  (s_expand reports it)
            set |= 1u << id;
        }
        s_kinds_add (kinds, set);
    }
    else {
        const ab_xdefine_t *define = s_define (self, name, size);
        if (define && depth < 8) {
            //  A define is inserted as (?:...): read as a group of its own
            int before = kinds->count;
            const char *end = s_kinds_level (self, define->text, kinds, depth + 1);
            if (*end)
                kinds->count = before;      //  unbalanced: trust nothing in it
        }
    }
    return close + 1;
}

//  One group's header after '(' at p: returns where its content starts
//  and sets *optional for content that need not match (lookarounds,
//  conditionals, and what this reader does not know).
static const char *
s_kinds_header (const char *p, bool *optional)
{
    *optional = false;
    if (*p == '*') {                        //  (*VERB): no content
        const char *e = strchr (p, ')');
        return e ? e : p + strlen (p);
    }
    if (*p != '?')
        return p;                           //  a numbered group
    p++;
    if (*p == ':' || *p == '>' || *p == '|')
        return p + 1;
    if (*p == '=' || *p == '!') {
        *optional = true;
        return p + 1;
    }
    if (*p == '<' && (p [1] == '=' || p [1] == '!')) {
        *optional = true;
        return p + 2;
    }
    if (*p == '<' || *p == '\'' || (*p == 'P' && p [1] == '<')) {
        char close = *p == '\'' ? '\'' : '>';
        const char *e = strchr (p + 1, close);
        return e ? e + 1 : p + strlen (p);
    }
    if (*p == '#') {                        //  a comment
        const char *e = strchr (p, ')');
        return e ? e : p + strlen (p);
    }
    const char *q = p;
    while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '-' || *q == '^')
        q++;
    if (q > p && *q == ':')
        return q + 1;                       //  (?i:...), (?-i:...)
    if (q > p && *q == ')')
        return q;                           //  (?i): options, no content
    *optional = true;                       //  (?(cond)...), (?R), (?&name), callouts
    return p;
}

//  One level of alternatives from p to its ')' or the end; returns there.
static const char *
s_kinds_level (const ab_extractor_t *self, const char *p, ab_xkinds_t *kinds, int depth)
{
    int first = kinds->count;
    bool alternatives = false;
    while (*p && *p != ')') {
        if (*p == '|') {
            alternatives = true;
            p++;
            continue;
        }
        int before = kinds->count;
        bool optional = false;
        if (*p == '\\')
            p = s_skip_escape (p);
        else
        if (*p == '[')
            p = s_skip_class (p);
        else
        if (*p == '(') {
            p = s_kinds_header (p + 1, &optional);
            p = s_kinds_level (self, p, kinds, depth);
            if (*p == ')')
                p++;
        }
        else
        if (*p == '{' && ((p [1] >= 'A' && p [1] <= 'Z') || (p [1] >= 'a' && p [1] <= 'z')))
            p = s_kinds_macro (self, p, kinds, depth);
        else
            p++;
        //  The item's quantifier: may it match zero times?
        bool quantified = true;
        if (*p == '?' || *p == '*') {
            optional = true;
            p++;
        }
        else
        if (*p == '+')
            p++;
        else
        if (*p == '{' && ((p [1] >= '0' && p [1] <= '9') || p [1] == ',')) {
            char *end;
            long min = strtol (p + 1, &end, 10);
            if (end == p + 1 || min == 0)
                optional = true;
            const char *close = strchr (p, '}');
            p = close ? close + 1 : p + strlen (p);
        }
        else
            quantified = false;
        if (quantified && (*p == '?' || *p == '+'))
            p++;                            //  lazy or possessive
        if (optional)
            kinds->count = before;
    }
    if (alternatives)
        kinds->count = first;
    return p;
}

//  The kinds pattern (claims.rules or cue text, macros unexpanded) needs
static void
s_pattern_kinds (const ab_extractor_t *self, const char *pattern, ab_xkinds_t *kinds)
{
    memset (kinds, 0, sizeof (*kinds));
    const char *end = s_kinds_level (self, pattern, kinds, 0);
    if (*end)
        kinds->count = 0;                   //  a stray ')': trust nothing
}

//  Offset of the first byte above 0x7F inside a [...] class of pattern,
//  or -1.  In byte mode such a class holds the character's bytes one by
//  one, which is never what the writer meant.  (\Q...\E is not followed.)
static long
s_class_byte_offset (const char *pattern)
{
    bool in_class = false;
    for (const char *p = pattern; *p; p++) {
        if (*p == '\\' && p [1]) {
            p++;
            continue;
        }
        if (!in_class) {
            if (*p == '[') {
                in_class = true;
                if (p [1] == '^')
                    p++;
                if (p [1] == ']')
                    p++;        //  a ']' first in a class is a literal
            }
            continue;
        }
        if (*p == '[' && p [1] == ':') {
            const char *close = strstr (p + 2, ":]");
            if (close)
                p = close + 1;
        }
        else
        if (*p == ']')
            in_class = false;
        else
        if ((unsigned char) *p >= 0x80)
            return (long) (p - pattern);
    }
    return -1;
}

static pcre2_code *
s_compile (s_ctx_t *ctx, const char *pattern)
{
    long inside = s_class_byte_offset (pattern);
    if (inside >= 0) {
        long from = inside > 30 ? inside - 30 : 0;
        s_fail (ctx, "a character above \\x7F inside [...] near '%.*s' (after expansion): "
                "patterns match bytes, so write it as an alternative, (?:[-]|—)",
                (int) (inside - from + 10), pattern + from);
        return NULL;
    }
    int error;
    PCRE2_SIZE offset;
    pcre2_code *code = pcre2_compile ((PCRE2_SPTR) pattern, PCRE2_ZERO_TERMINATED,
                                      S_COMPILE_OPTIONS, &error, &offset, NULL);
    if (!code) {
        PCRE2_UCHAR message [256];
        pcre2_get_error_message (error, message, sizeof (message));
        size_t from = offset > 30 ? offset - 30 : 0;
        s_fail (ctx, "pattern does not compile: %s, near '%.*s' (after expansion)%s",
                (char *) message, (int) (offset - from + 10), pattern + from,
                error == PCRE2_ERROR_CODE_POINT_TOO_BIG
                ? "; patterns match bytes: write a character above \\x7F as itself"
                  " (\"“\") or as its UTF-8 bytes (\\xE2\\x80\\x9C), outside [...] classes"
                : "");
        return NULL;
    }
    //  JIT is an optimization: where it is unavailable, the interpreter
    //  gives the same answers, so a failure here is not an error.
    pcre2_jit_compile (code, PCRE2_JIT_COMPLETE);
    return code;
}

static bool
s_has_jit (const pcre2_code *code)
{
    size_t size = 0;
    pcre2_pattern_info (code, PCRE2_INFO_JITSIZE, &size);
    return size > 0;
}

//  A pattern a line may leave out (NULL) or that has JIT code
static bool
s_jit_or_none (const pcre2_code *code)
{
    return !code || s_has_jit (code);
}

//  Has every pattern of these cue lines JIT code?  (A line of trigger
//  words alone has none to run.)
static bool
s_cues_jit (const ab_xcues_t *cues)
{
    bool jit = true;
    for (int i = 0; i < cues->count; i++)
        jit &= s_jit_or_none (cues->cues [i].code)
            && s_jit_or_none (cues->cues [i].lead.rest)
            && s_jit_or_none (cues->cues [i].lead.anchored);
    return jit;
}

static uint32_t
s_capture_count (const pcre2_code *code)
{
    uint32_t count = 0;
    pcre2_pattern_info (code, PCRE2_INFO_CAPTURECOUNT, &count);
    return count;
}

//  Numbers of every group called name in code; returns how many (0 if
//  none).
static int
s_group_numbers (const pcre2_code *code, const char *name, int *numbers, int max)
{
    PCRE2_SPTR first, last;
    int rc = pcre2_substring_nametable_scan (code, (PCRE2_SPTR) name, &first, &last);
    if (rc < 0)
        return 0;
    uint32_t entry_size;
    pcre2_pattern_info (code, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
    int n = 0;
    for (PCRE2_SPTR e = first; e <= last && n < max; e += entry_size)
        numbers [n++] = (e [0] << 8) | e [1];
    return n;
}

//  Group names and numbers of a compiled pattern, in name table order
//  (sorted by name, duplicates by number).  Returns how many.
static int
s_names (const pcre2_code *code, const char **names, int *numbers, int max)
{
    uint32_t count = 0, size = 0;
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info (code, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info (code, PCRE2_INFO_NAMEENTRYSIZE, &size);
    pcre2_pattern_info (code, PCRE2_INFO_NAMETABLE, &table);
    int n = 0;
    for (uint32_t i = 0; i < count && n < max; i++) {
        PCRE2_SPTR entry = table + i * size;
        numbers [n] = (entry [0] << 8) | entry [1];
        names [n] = (const char *) entry + 2;
        n++;
    }
    return n;
}

//  If the pattern starts with an entity macro (after an optional \b, alone
//  or as the whole of a named group) and not as one alternative, it can
//  only match where the scanner found a mention: fill lead with the
//  macro's kinds and, where the entity is the whole of its group, the rest
//  of the pattern compiled on its own.  Returns 0, or -1 with a message.
static int
s_lead (ab_extractor_t *self, s_ctx_t *ctx, const char *pattern, const pcre2_code *full,
        ab_xlead_t *lead)
{
    memset (lead, 0, sizeof (*lead));
    const char *p = pattern;
    if (strncmp (p, "\\b", 2) == 0)
        p += 2;
    char name [64] = "";
    if (strncmp (p, "(?<", 3) == 0) {
        const char *close = strchr (p, '>');
        if (!close || close - p - 3 >= (long) sizeof (name))
            return 0;
        snprintf (name, sizeof (name), "%.*s", (int) (close - p - 3), p + 3);
        p = close + 1;
    }
    if (strncmp (p, "{entity:", 8) != 0)
        return 0;
    const char *close = strchr (p, '}');
    if (!close || close [1] == '|')
        return 0;
    char list [128];
    snprintf (list, sizeof (list), "%.*s", (int) (close - p - 8), p + 8);
    for (char *save = NULL, *k = strtok_r (list, ",", &save); k; k = strtok_r (NULL, ",", &save)) {
        int id = s_kind_id (self, k);
        if (id >= 0)
            lead->kinds |= 1u << id;
    }
    //  The whole pattern, anchored, for mentions of other kinds
    s_buf_t expanded = { 0 };
    if (s_expand (self, ctx, pattern, &expanded, 0)) {
        free (expanded.data);
        return -1;
    }
    int error;
    PCRE2_SIZE offset;
    lead->anchored = pcre2_compile ((PCRE2_SPTR) expanded.data, PCRE2_ZERO_TERMINATED,
                                    S_COMPILE_OPTIONS | PCRE2_ANCHORED, &error, &offset, NULL);
    free (expanded.data);
    if (!lead->anchored)
        return s_fail (ctx, "pattern does not compile anchored");
    pcre2_jit_compile (lead->anchored, PCRE2_JIT_COMPLETE);
    const char *rest = close + 1;
    if (*name) {
        if (*rest != ')')
            return 0;           //  the group holds more than the entity
        rest++;
    }
    lead->groups = (int) s_capture_count (full) + 1;
    if (!*rest || lead->groups > AB_X_MAX_GROUPS)
        return 0;
    memset (&expanded, 0, sizeof (expanded));
    if (s_expand (self, ctx, rest, &expanded, 0)) {
        free (expanded.data);
        return -1;
    }
    lead->rest = pcre2_compile ((PCRE2_SPTR) expanded.data, PCRE2_ZERO_TERMINATED,
                                S_COMPILE_OPTIONS | PCRE2_ANCHORED, &error, &offset, NULL);
    free (expanded.data);
    if (!lead->rest)
        return 0;               //  not a pattern alone (a group spans the cut): match whole
    pcre2_jit_compile (lead->rest, PCRE2_JIT_COMPLETE);
    //  Pair the full pattern's named groups with the rest's, name by name
    //  and in order among duplicates; the entity's own group is -1
    const char *full_names [AB_X_MAX_GROUPS], *rest_names [AB_X_MAX_GROUPS];
    int full_numbers [AB_X_MAX_GROUPS], rest_numbers [AB_X_MAX_GROUPS];
    int nfull = s_names (full, full_names, full_numbers, AB_X_MAX_GROUPS);
    int nrest = s_names (lead->rest, rest_names, rest_numbers, AB_X_MAX_GROUPS);
    for (int g = 0; g < AB_X_MAX_GROUPS; g++)
        lead->map [g] = -2;
    int used [AB_X_MAX_GROUPS] = { 0 };
    for (int i = 0; i < nfull; i++) {
        int g = full_numbers [i];
        if (g >= AB_X_MAX_GROUPS)
            continue;
        if (*name && strcmp (full_names [i], name) == 0 && lead->map [g] == -2) {
            bool first = true;
            for (int j = 0; j < i; j++)
                if (strcmp (full_names [j], name) == 0)
                    first = false;
            if (first) {
                lead->map [g] = -1;
                continue;
            }
        }
        for (int j = 0; j < nrest; j++)
            if (!used [j] && strcmp (rest_names [j], full_names [i]) == 0) {
                used [j] = 1;
                lead->map [g] = rest_numbers [j];
                break;
            }
    }
    uint32_t groups = s_capture_count (lead->rest);
    if (groups > self->max_groups)
        self->max_groups = groups;
    return 0;
}

//  --------------------------------------------------------------------------
//  claims.rules

typedef struct {
    int kind;               //  0 none, 1 form, 2 rule
    s_buf_t match;          //  rule: match lines joined
    int match_line;
    s_buf_t unless;         //  rule: unless lines joined with |
    int unless_line;
} s_block_t;

static int
s_trigger (ab_extractor_t *self, s_ctx_t *ctx, const char *word)
{
    for (int i = 0; i < self->trigger_count; i++)
        if (strcmp (self->triggers [i], word) == 0)
            return i;
    if (self->trigger_count == AB_X_MAX_TRIGGERS)
        return s_fail (ctx, "more than %d distinct need words", AB_X_MAX_TRIGGERS), -1;
    char *copy = strdup (word);
    if (!copy)
        return s_fail (ctx, "out of memory"), -1;
    self->triggers [self->trigger_count] = copy;
    return self->trigger_count++;
}

//  Add a need or trigger word (noun says which, for the message) to set;
//  returns its trigger id, or -1
static int
s_need_word (ab_extractor_t *self, s_ctx_t *ctx, const char *noun, const char *word, uint64_t *set)
{
    for (const char *c = word; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
            return s_fail (ctx, "%s '%s' must be one lowercase word of letters and digits",
                           noun, word), -1;
    int id = s_trigger (self, ctx, word);
    if (id >= 0)
        set [id / 64] |= 1ull << (id % 64);
    return id;
}

static int
s_form_index (const ab_extractor_t *self, const char *name)
{
    for (int i = 0; i < self->form_count; i++)
        if (strcmp (self->forms [i].name, name) == 0)
            return i;
    return -1;
}

//  Finish the rule being read: compile its pattern, bind its slots to
//  groups and check them against its form.
static int
s_finish_rule (ab_extractor_t *self, s_ctx_t *ctx, s_block_t *block)
{
    ab_xrule_t *rule = &self->rules [self->rule_count - 1];
    int saved = ctx->line;
    ctx->line = rule->line;
    if (rule->form < 0)
        return s_fail (ctx, "rule %s has no 'form' line", rule->id);
    if (rule->needs.count == 0)
        return s_fail (ctx, "rule %s has no 'need' line (every rule needs a trigger word, "
                            "so that sentences without one are skipped cheaply)", rule->id);
    if (!block->match.data)
        return s_fail (ctx, "rule %s has no 'match' line", rule->id);
    ctx->line = block->match_line;
    s_buf_t expanded = { 0 };
    if (s_expand (self, ctx, block->match.data, &expanded, 0)) {
        free (expanded.data);
        return -1;
    }
    rule->pattern = expanded.data;
    rule->code = s_compile (ctx, rule->pattern);
    if (!rule->code)
        return -1;
    if (s_lead (self, ctx, block->match.data, rule->code, &rule->lead))
        return -1;
    s_pattern_kinds (self, block->match.data, &rule->kinds);
    uint32_t groups = s_capture_count (rule->code);
    if (groups > self->max_groups)
        self->max_groups = groups;
    if (block->unless.data) {
        ctx->line = block->unless_line;
        s_buf_t veto = { 0 };
        if (s_expand (self, ctx, block->unless.data, &veto, 0)) {
            free (veto.data);
            return -1;
        }
        rule->unless = veto.data;
        rule->unless_code = s_compile (ctx, rule->unless);
        if (!rule->unless_code)
            return -1;
    }
    ctx->line = rule->line;
    const ab_xform_t *form = &self->forms [rule->form];
    //  Every slot the form leaves open must be filled exactly once
    for (int i = 0; i < rule->slot_count; i++) {
        ab_xslot_t *slot = &rule->slots [i];
        if (slot->group && slot->span == AB_SPAN_GROUP) {
            slot->group_count = s_group_numbers (rule->code, slot->group, slot->groups, 4);
            if (slot->group_count == 0)
                return s_fail (ctx, "rule %s: slot %s uses group '%s', which its pattern "
                                    "does not have", rule->id, slot->name, slot->group);
        }
        const char *names [2] = { slot->name, slot->name2 };
        for (int n = 0; n < 2; n++) {
            if (!names [n])
                continue;
            bool found = false;
            for (int k = 0; k < form->key_count; k++)
                if (strcmp (form->key_names [k], names [n]) == 0) {
                    if (form->key_fixed [k])
                        return s_fail (ctx, "rule %s: slot %s is fixed by form %s",
                                       rule->id, names [n], form->name);
                    found = true;
                }
            for (int k = 0; k < form->value_count; k++)
                if (strcmp (form->value_names [k], names [n]) == 0) {
                    if (form->value_fixed [k])
                        return s_fail (ctx, "rule %s: slot %s is fixed by form %s",
                                       rule->id, names [n], form->name);
                    found = true;
                }
            if (!found)
                return s_fail (ctx, "rule %s: form %s has no slot '%s'",
                               rule->id, form->name, names [n]);
            for (int j = 0; j < i; j++)
                if (strcmp (rule->slots [j].name, names [n]) == 0
                || (rule->slots [j].name2 && strcmp (rule->slots [j].name2, names [n]) == 0))
                    return s_fail (ctx, "rule %s: slot %s is filled twice", rule->id, names [n]);
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        int count = pass ? form->value_count : form->key_count;
        for (int k = 0; k < count; k++) {
            const char *name = pass ? form->value_names [k] : form->key_names [k];
            if ((pass ? form->value_fixed [k] : form->key_fixed [k]))
                continue;
            bool found = false;
            for (int i = 0; i < rule->slot_count; i++)
                if (strcmp (rule->slots [i].name, name) == 0
                || (rule->slots [i].name2 && strcmp (rule->slots [i].name2, name) == 0))
                    found = true;
            if (!found)
                return s_fail (ctx, "rule %s leaves slot '%s' of form %s empty "
                                    "(every claim of a form must have the same slots)",
                               rule->id, name, form->name);
        }
    }
    ctx->line = saved;
    return 0;
}

static int
s_finish_form (ab_extractor_t *self, s_ctx_t *ctx)
{
    ab_xform_t *form = &self->forms [self->form_count - 1];
    int saved = ctx->line;
    ctx->line = form->line;
    if (!form->type)
        return s_fail (ctx, "form %s has no 'type' line", form->name);
    if (form->key_count == 0)
        return s_fail (ctx, "form %s has no key slots", form->name);
    if (form->value_count == 0)
        return s_fail (ctx, "form %s has no value slots", form->name);
    //  Two forms of one type with the same key slot names must differ in
    //  a fixed key value, or their claims could share a key by accident.
    for (int i = 0; i < self->form_count - 1; i++) {
        const ab_xform_t *other = &self->forms [i];
        if (strcmp (other->type, form->type) != 0 || other->key_count != form->key_count)
            continue;
        bool same_names = true, differ = false;
        for (int k = 0; k < form->key_count; k++) {
            if (strcmp (other->key_names [k], form->key_names [k]) != 0)
                same_names = false;
            else
            if (other->key_fixed [k] && form->key_fixed [k]
            &&  strcmp (other->key_fixed [k], form->key_fixed [k]) != 0)
                differ = true;
        }
        if (same_names && !differ)
            return s_fail (ctx, "form %s has the same key as form %s (line %d); give one "
                                "a fixed key slot with a different value",
                           form->name, other->name, other->line);
    }
    ctx->line = saved;
    return 0;
}

static int
s_finish_block (ab_extractor_t *self, s_ctx_t *ctx, s_block_t *block)
{
    int rc = 0;
    if (block->kind == 1)
        rc = s_finish_form (self, ctx);
    else
    if (block->kind == 2)
        rc = s_finish_rule (self, ctx, block);
    free (block->match.data);
    memset (&block->match, 0, sizeof (block->match));
    free (block->unless.data);
    memset (&block->unless, 0, sizeof (block->unless));
    block->kind = 0;
    return rc;
}

//  "name name=fixed ..." into a form's slot list
static int
s_form_slots (s_ctx_t *ctx, char *rest, char **names, char **fixed, int *count)
{
    char *word;
    while ((word = s_word (&rest))) {
        if (*count == AB_X_MAX_SLOTS)
            return s_fail (ctx, "more than %d slots", AB_X_MAX_SLOTS);
        char *eq = strchr (word, '=');
        if (eq)
            *eq = 0;
        if (!s_is_ident (word, false))
            return s_fail (ctx, "slot name '%s' must be lowercase letters, digits, _", word);
        if (eq && !s_is_vocab (eq + 1))
            return s_fail (ctx, "fixed value '%s' must be letters, digits, _ . + -", eq + 1);
        names [*count] = strdup (word);
        fixed [*count] = eq ? strdup (eq + 1) : NULL;
        if (!names [*count] || (eq && !fixed [*count]))
            return s_fail (ctx, "out of memory");
        (*count)++;
    }
    return 0;
}

static int
s_slot_line (ab_extractor_t *self, s_ctx_t *ctx, ab_xrule_t *rule, char *rest)
{
    char *names = s_word (&rest);
    char *conv = s_word (&rest);
    char *group = s_word (&rest);
    if (!names || !conv)
        return s_fail (ctx, "slot needs a name and a converter: slot NAME CONVERTER [GROUP]");
    if (s_word (&rest))
        return s_fail (ctx, "slot has more than NAME CONVERTER GROUP");
    if (rule->slot_count == AB_X_MAX_SLOTS)
        return s_fail (ctx, "more than %d slots", AB_X_MAX_SLOTS);
    ab_xslot_t *slot = &rule->slots [rule->slot_count++];
    slot->kind = -1;
    slot->exclude_slot = -1;
    char *comma = strchr (names, ',');
    if (comma) {
        *comma = 0;
        slot->name2 = strdup (comma + 1);
        if (!slot->name2)
            return s_fail (ctx, "out of memory");
        if (!s_is_ident (slot->name2, false))
            return s_fail (ctx, "slot name '%s' must be lowercase letters, digits, _", slot->name2);
    }
    if (!s_is_ident (names, false))
        return s_fail (ctx, "slot name '%s' must be lowercase letters, digits, _", names);
    slot->name = strdup (names);
    if (group)
        slot->group = strdup (group);
    if (!slot->name || (group && !slot->group))
        return s_fail (ctx, "out of memory");
    if (group && group [0] == '@') {
        static const char *spans [] = {
            "", "@sentence", "@match", "@before", "@upto", "@from", "@after", NULL
        };
        for (int i = 1; spans [i]; i++)
            if (strcmp (group, spans [i]) == 0)
                slot->span = i;
        if (slot->span == AB_SPAN_GROUP)
            return s_fail (ctx, "unknown span '%s' (@sentence @match @before @upto @from @after)",
                           group);
    }
    if (conv [0] == '=') {
        if (!s_is_vocab (conv + 1))
            return s_fail (ctx, "literal '%s' must be letters, digits, _ . + -", conv + 1);
        slot->conv = AB_CONV_LITERAL;
        slot->literal = strdup (conv + 1);
        if (!slot->literal)
            return s_fail (ctx, "out of memory");
        if (group)
            return s_fail (ctx, "a literal slot takes no group");
    }
    else {
        static const struct { const char *name; ab_xconv_t conv; bool entity; bool group; } convs [] = {
            { "entity", AB_CONV_ENTITY, true, true }, { "ref", AB_CONV_REF, true, false },
            { "first", AB_CONV_FIRST, true, false }, { "last", AB_CONV_LAST, true, false },
            { "set", AB_CONV_SET, true, false },
            { "rank", AB_CONV_RANK, false, true }, { "count", AB_CONV_COUNT, false, true },
            { "percent", AB_CONV_PERCENT, false, true }, { "km", AB_CONV_KM, false, true },
            { "money", AB_CONV_MONEY, false, true }, { "date", AB_CONV_DATE, false, true },
            { "year", AB_CONV_YEAR, false, true }, { "word", AB_CONV_WORD, false, true },
            { "number", AB_CONV_NUMBER, false, true }, { "tense", AB_CONV_TENSE, false, false },
            { "speaker", AB_CONV_SPEAKER, false, false },
            { NULL, 0, false, false }
        };
        char *arg = strchr (conv, ':');
        if (arg)
            *arg++ = 0;
        int i;
        for (i = 0; convs [i].name; i++)
            if (strcmp (convs [i].name, conv) == 0)
                break;
        if (!convs [i].name)
            return s_fail (ctx, "unknown converter '%s' (entity ref first last set rank count "
                                "percent km money date year word number tense speaker, or =literal)", conv);
        slot->conv = convs [i].conv;
        if (convs [i].entity) {
            if (!arg || !*arg)
                return s_fail (ctx, "converter %s needs a kind: %s:KIND", conv, conv);
            char *bang = strchr (arg, '!');
            if (bang && bang [1] == '=') {
                //  !=NAME: not the value of an earlier slot of this rule
                *bang = 0;
                for (int k = 0; k < rule->slot_count - 1; k++)
                    if (strcmp (rule->slots [k].name, bang + 2) == 0)
                        slot->exclude_slot = k;
                if (slot->exclude_slot < 0)
                    return s_fail (ctx, "'%s' is not a slot filled before this one", bang + 2);
            }
            else
            if (bang) {
                *bang = 0;
                slot->exclude = strdup (bang + 1);
                if (!slot->exclude)
                    return s_fail (ctx, "out of memory");
                bool known = false;
                for (int e = 0; e < self->entity_count; e++)
                    if (strcmp (self->entities [e].id, slot->exclude) == 0)
                        known = true;
                if (!known)
                    return s_fail (ctx, "'%s' is not an entity id", slot->exclude);
            }
            slot->kind = s_kind_id (self, arg);
            if (slot->kind < 0)
                return s_fail (ctx, "no entity of kind '%s' in entities.tsv", arg);
            slot->min_count = 2;
        }
        else
        if (arg)
            return s_fail (ctx, "converter %s takes no argument", conv);
        if (convs [i].group && !group)
            return s_fail (ctx, "converter %s needs a capture group name", conv);
        if ((slot->conv == AB_CONV_MONEY) != (slot->name2 != NULL))
            return s_fail (ctx, slot->name2 ? "only the money converter fills two slots"
                                            : "money fills two slots: slot AMOUNT,CURRENCY money GROUP");
    }
    return 0;
}

//  An indented line: an attribute of the form or rule being read
static int
s_block_line (ab_extractor_t *self, s_ctx_t *ctx, s_block_t *block, char *keyword, char *rest)
{
    if (block->kind == 1) {
        ab_xform_t *form = &self->forms [self->form_count - 1];
        if (strcmp (keyword, "type") == 0) {
            char *type = s_word (&rest);
            if (!type || s_word (&rest) || !s_is_ident (type, false))
                return s_fail (ctx, "type needs one lowercase name");
            if (form->type)
                return s_fail (ctx, "form %s has two types", form->name);
            if (!(form->type = strdup (type)))
                return s_fail (ctx, "out of memory");
            return 0;
        }
        if (strcmp (keyword, "key") == 0)
            return s_form_slots (ctx, rest, form->key_names, form->key_fixed, &form->key_count);
        if (strcmp (keyword, "value") == 0)
            return s_form_slots (ctx, rest, form->value_names, form->value_fixed, &form->value_count);
        return s_fail (ctx, "unknown form line '%s' (type, key, value)", keyword);
    }
    if (block->kind == 2) {
        ab_xrule_t *rule = &self->rules [self->rule_count - 1];
        if (strcmp (keyword, "form") == 0) {
            char *name = s_word (&rest);
            if (!name || s_word (&rest))
                return s_fail (ctx, "form needs one name");
            rule->form = s_form_index (self, name);
            if (rule->form < 0)
                return s_fail (ctx, "unknown form '%s' (forms must come before their rules)", name);
            return 0;
        }
        if (strcmp (keyword, "need") == 0) {
            if (rule->needs.count == AB_X_MAX_NEEDS)
                return s_fail (ctx, "more than %d need lines", AB_X_MAX_NEEDS);
            uint64_t *set = rule->needs.sets [rule->needs.count++];
            char *word;
            int words = 0;
            while ((word = s_word (&rest))) {
                for (char *w = word; *w; ) {
                    char *bar = strchr (w, '|');
                    if (bar)
                        *bar = 0;
                    if (*w) {
                        int id = s_need_word (self, ctx, "need word", w, set);
                        if (id < 0)
                            return -1;
                        int r = self->rule_count - 1;
                        self->trigger_rules [id][r / 64] |= 1ull << (r % 64);
                        words++;
                    }
                    if (!bar)
                        break;
                    w = bar + 1;
                }
            }
            if (words == 0)
                return s_fail (ctx, "need line without words");
            return 0;
        }
        if (strcmp (keyword, "match") == 0) {
            char *text = s_rest (rest);
            if (!*text)
                return s_fail (ctx, "empty match line");
            if (!block->match.data)
                block->match_line = ctx->line;
            s_buf_str (&block->match, text);
            if (block->match.failed)
                return s_fail (ctx, "out of memory");
            return 0;
        }
        if (strcmp (keyword, "unless") == 0) {
            char *text = s_rest (rest);
            if (!*text)
                return s_fail (ctx, "empty unless line");
            if (!block->unless.data)
                block->unless_line = ctx->line;
            else
                s_buf_str (&block->unless, "|");
            s_buf_str (&block->unless, "(?:");
            s_buf_str (&block->unless, text);
            s_buf_str (&block->unless, ")");
            if (block->unless.failed)
                return s_fail (ctx, "out of memory");
            return 0;
        }
        if (strcmp (keyword, "slot") == 0)
            return s_slot_line (self, ctx, rule, rest);
        if (strcmp (keyword, "hedge") == 0) {
            char *name = s_word (&rest);
            if (!name || s_word (&rest))
                return s_fail (ctx, "hedge needs one name");
            for (int h = 0; h < AB_HEDGE_COUNT; h++)
                if (strcmp (ab_xhedge_names [h], name) == 0)
                    rule->hedge = h;
            if (rule->hedge < 0)
                return s_fail (ctx, "unknown hedge '%s'", name);
            return 0;
        }
        return s_fail (ctx, "unknown rule line '%s' (form, need, match, unless, slot, hedge)", keyword);
    }
    return s_fail (ctx, "'%s' outside a form or rule block", keyword);
}
static int s_add_cue (ab_extractor_t *self, s_ctx_t *ctx, ab_xcues_t *cues, int tag,
                      char *words, const char *pattern);

static int
s_claims_line (ab_extractor_t *self, s_ctx_t *ctx, char *line)
{
    s_block_t *block = ctx->state;
    //  Directives start at column 0; indented lines belong to the block
    bool indented = line [0] == ' ' || line [0] == '\t';
    char *rest = line;
    char *keyword = s_word (&rest);
    if (!indented) {
        if (strcmp (keyword, "option") != 0 && strcmp (keyword, "define") != 0
        &&  strcmp (keyword, "form") != 0 && strcmp (keyword, "rule") != 0
        &&  strcmp (keyword, "veto") != 0)
            return s_fail (ctx, "unknown directive '%s' (option, define, veto, form, rule; "
                                "the lines of a block are indented)", keyword);
        if (s_finish_block (self, ctx, block))
            return -1;
    }
    else
    if (block->kind == 0)
        return s_fail (ctx, "indented line '%s' outside a form or rule block", keyword);
    if (indented)
        return s_block_line (self, ctx, block, keyword, rest);
    if (strcmp (keyword, "option") == 0) {
        char *name = s_word (&rest);
        char *value = s_word (&rest);
        if (!name || !value || s_word (&rest))
            return s_fail (ctx, "option needs a name and a value");
        if (strcmp (name, "max_claims_per_sentence") == 0) {
            char *end;
            long v = strtol (value, &end, 10);
            if (*end || v < 1 || v > 100)
                return s_fail (ctx, "max_claims_per_sentence must be 1..100");
            self->max_claims_per_sentence = (int) v;
        }
        else
            return s_fail (ctx, "unknown option '%s'", name);
        return 0;
    }
    if (strcmp (keyword, "veto") == 0) {
        //  "veto WORDS PATTERN"; the older "veto PATTERN" has no trigger
        //  words, so it is tried on every sentence that has a claim
        char always [] = "-";
        char *words = s_word (&rest);
        char *text = s_rest (rest);
        if (!words)
            return s_fail (ctx, "veto needs trigger words and a pattern "
                                "(veto WORDS PATTERN, WORDS - for every sentence)");
        if (!*text) {
            text = words;
            words = always;
        }
        return s_add_cue (self, ctx, &self->veto_cues, 0, words, text);
    }
    if (strcmp (keyword, "define") == 0) {
        char *name = s_word (&rest);
        char *text = s_rest (rest);
        if (!name || !*text)
            return s_fail (ctx, "define needs a NAME and a pattern");
        for (const char *c = name; *c; c++)
            if (!isalnum ((unsigned char) *c) && *c != '_')
                return s_fail (ctx, "define name '%s' must be letters, digits, _", name);
        if (!isalpha ((unsigned char) name [0]) || strncmp (name, "entity", 6) == 0)
            return s_fail (ctx, "define name '%s' must start with a letter and not be 'entity'", name);
        if (s_define (self, name, strlen (name)))
            return s_fail (ctx, "define %s is defined twice", name);
        ab_xdefine_t *define = s_push ((void **) &self->defines, &self->define_count,
                                       sizeof (ab_xdefine_t));
        if (!define)
            return s_fail (ctx, "out of memory");
        define->name = strdup (name);
        define->text = strdup (text);
        if (!define->name || !define->text)
            return s_fail (ctx, "out of memory");
        //  Check it now, so the error points at the define, not its user
        s_buf_t check = { 0 };
        int rc = s_expand (self, ctx, text, &check, 0);
        if (rc == 0) {
            pcre2_code *code = s_compile (ctx, check.data);
            if (!code)
                rc = -1;
            pcre2_code_free (code);
        }
        free (check.data);
        return rc;
    }
    if (strcmp (keyword, "form") == 0) {
        char *name = s_word (&rest);
        if (!name || s_word (&rest))
            return s_fail (ctx, "form needs one name");
        if (s_form_index (self, name) >= 0)
            return s_fail (ctx, "form %s is defined twice", name);
        ab_xform_t *form = s_push ((void **) &self->forms, &self->form_count, sizeof (ab_xform_t));
        if (!form || !(form->name = strdup (name)))
            return s_fail (ctx, "out of memory");
        form->line = ctx->line;
        block->kind = 1;
        return 0;
    }
    if (strcmp (keyword, "rule") == 0) {
        char *name = s_word (&rest);
        if (!name || s_word (&rest))
            return s_fail (ctx, "rule needs one id");
        for (int i = 0; i < self->rule_count; i++)
            if (strcmp (self->rules [i].id, name) == 0)
                return s_fail (ctx, "rule %s is defined twice (line %d)", name, self->rules [i].line);
        if (self->rule_count == AB_X_MAX_RULES)
            return s_fail (ctx, "more than %d rules", AB_X_MAX_RULES);
        ab_xrule_t *rule = s_push ((void **) &self->rules, &self->rule_count, sizeof (ab_xrule_t));
        if (!rule || !(rule->id = strdup (name)))
            return s_fail (ctx, "out of memory");
        rule->form = -1;
        rule->hedge = -1;
        rule->line = ctx->line;
        block->kind = 2;
        return 0;
    }
    return 0;
}


static int
s_load_claims (ab_extractor_t *self, const char *dir, s_ctx_t *ctx)
{
    char *data;
    ctx->file = "claims.rules";
    if (s_read (dir, ctx->file, ctx, &data))
        return -1;
    s_block_t block = { 0 };
    ctx->state = &block;
    int rc = s_each_line (self, ctx, data, s_claims_line);
    if (rc == 0) {
        ctx->line++;
        rc = s_finish_block (self, ctx, &block);
    }
    free (block.match.data);
    free (block.unless.data);
    ctx->state = NULL;
    free (data);
    if (rc)
        return -1;
    ctx->line = 0;
    if (self->rule_count == 0)
        return s_fail (ctx, "no rules");
    return 0;
}

//  --------------------------------------------------------------------------
//  hedges.tsv and attributions.tsv: cue lines compiled into alternations

//  Trigger words "a|b|c" (or "-" for none) into need bits; "a|b&c|d"
//  is two groups, a word of each needed ("officials&us|american": the
//  pattern cannot match without both)
static int
s_cue_words (ab_extractor_t *self, s_ctx_t *ctx, char *words, ab_xcue_t *cue)
{
    if (strcmp (words, "-") == 0) {
        cue->always = true;
        return 0;
    }
    size_t size = strlen (words);
    if (words [0] == '&' || (size > 0 && words [size - 1] == '&') || strstr (words, "&&"))
        return s_fail (ctx, "an empty trigger group in '%s'", words);
    for (char *gsave = NULL, *group = strtok_r (words, "&", &gsave); group;
         group = strtok_r (NULL, "&", &gsave)) {
        if (cue->needs.count == AB_X_MAX_NEEDS)
            return s_fail (ctx, "more than %d trigger groups", AB_X_MAX_NEEDS);
        uint64_t *set = cue->needs.sets [cue->needs.count++];
        int count = 0;
        for (char *save = NULL, *w = strtok_r (group, "|", &save); w; w = strtok_r (NULL, "|", &save)) {
            if (s_need_word (self, ctx, "trigger word", w, set) < 0)
                return -1;
            count++;
        }
        if (count == 0)
            return s_fail (ctx, "an empty trigger group (use - to try the line on every sentence)");
    }
    if (cue->needs.count == 0)
        return s_fail (ctx, "no trigger words (use - to try the line on every sentence)");
    return 0;
}

//  Add one cue line to a place; pattern "-" means the words are the cue.
static int
s_add_cue (ab_extractor_t *self, s_ctx_t *ctx, ab_xcues_t *cues, int tag, char *words,
           const char *pattern)
{
    ab_xcue_t *cue = s_push ((void **) &cues->cues, &cues->count, sizeof (ab_xcue_t));
    if (!cue)
        return s_fail (ctx, "out of memory");
    cue->tag = tag;
    cue->line = ctx->line;
    if (s_cue_words (self, ctx, words, cue))
        return -1;
    if (strcmp (pattern, "-") == 0) {
        if (cue->always)
            return s_fail (ctx, "a line needs trigger words, a pattern or both");
        return 0;
    }
    s_buf_t expanded = { 0 };
    if (s_expand (self, ctx, pattern, &expanded, 0)) {
        free (expanded.data);
        return -1;
    }
    cue->code = s_compile (ctx, expanded.data);
    free (expanded.data);
    if (!cue->code)
        return -1;
    uint32_t groups = s_capture_count (cue->code);
    if (groups > self->max_groups)
        self->max_groups = groups;
    cue->src_count = s_group_numbers (cue->code, "src", cue->src, 8);
    s_pattern_kinds (self, pattern, &cue->kinds);
    if (s_lead (self, ctx, pattern, cue->code, &cue->lead))
        return -1;
    return 0;
}

static void
s_free_cues (ab_xcues_t *cues)
{
    for (int i = 0; i < cues->count; i++) {
        pcre2_code_free (cues->cues [i].code);
        pcre2_code_free (cues->cues [i].lead.rest);
        pcre2_code_free (cues->cues [i].lead.anchored);
    }
    free (cues->cues);
    memset (cues, 0, sizeof (*cues));
}

static int
s_hedge_of (const char *name)
{
    for (int h = 0; h < AB_HEDGE_COUNT; h++)
        if (strcmp (ab_xhedge_names [h], name) == 0)
            return h;
    return -1;
}

static int
s_hedge_line (ab_extractor_t *self, s_ctx_t *ctx, char *line)
{
    char *f [4];
    int n = s_tabs (line, f, 4);
    if (strcmp (f [0], "order") == 0) {
        if (n != 2)
            return s_fail (ctx, "order takes one field: the hedges, strongest first");
        int rank = 0;
        bool seen [AB_HEDGE_COUNT] = { false };
        char *rest = f [1], *word;
        while ((word = s_word (&rest))) {
            int h = s_hedge_of (word);
            if (h < 0)
                return s_fail (ctx, "unknown hedge '%s'", word);
            if (seen [h])
                return s_fail (ctx, "hedge '%s' listed twice", word);
            seen [h] = true;
            self->hedge_order [h] = rank++;
        }
        if (rank != AB_HEDGE_COUNT)
            return s_fail (ctx, "order must list all %d hedges (asserted reported expected "
                                "considered denied hoped)", AB_HEDGE_COUNT);
        return 0;
    }
    if (strcmp (f [0], "window") == 0) {
        char *end;
        long v = n == 2 ? strtol (f [1], &end, 10) : -1;
        if (n != 2 || *end || v < 1 || v > 1000)
            return s_fail (ctx, "window takes a byte count 1..1000");
        self->near_window = (int) v;
        return 0;
    }
    if (n != 4)
        return s_fail (ctx, "expected 4 tab-separated fields (hedge, scope, words, pattern)");
    int h = s_hedge_of (f [0]);
    if (h < 0 || h == AB_HEDGE_ASSERTED)
        return s_fail (ctx, "unknown hedge '%s' (reported expected considered denied hoped)", f [0]);
    int which;
    if (strcmp (f [1], "sentence") == 0)
        which = 0;
    else
    if (strcmp (f [1], "clause") == 0)
        which = 1;
    else
    if (strcmp (f [1], "near") == 0)
        which = 2;
    else
        return s_fail (ctx, "unknown scope '%s' (sentence, clause or near)", f [1]);
    if (!*f [3])
        return s_fail (ctx, "empty pattern (use - when the words are the cue)");
    if (which == 2 && strcmp (f [3], "-") == 0)
        return s_fail (ctx, "a near cue needs a pattern (the words only say the sentence has it)");
    if (which == 1 && strcmp (f [3], "-") == 0) {
        //  In a clause the words must be found there, not just anywhere
        //  in the sentence: they become the pattern \b(?:a|b)\b
        char pattern [1024] = "\\b(?:";
        size_t len = strlen (pattern);
        for (const char *c = f [2]; *c && len + 8 < sizeof (pattern); c++)
            pattern [len++] = *c;
        snprintf (pattern + len, sizeof (pattern) - len, ")\\b");
        return s_add_cue (self, ctx, &self->hedge_cues [which], h, f [2], pattern);
    }
    return s_add_cue (self, ctx, &self->hedge_cues [which], h, f [2], f [3]);
}

static int
s_load_hedges (ab_extractor_t *self, const char *dir, s_ctx_t *ctx)
{
    char *data;
    ctx->file = "hedges.tsv";
    if (s_read (dir, ctx->file, ctx, &data))
        return -1;
    for (int h = 0; h < AB_HEDGE_COUNT; h++)
        self->hedge_order [h] = -1;
    self->near_window = 40;
    int rc = s_each_line (self, ctx, data, s_hedge_line);
    free (data);
    ctx->line = 0;
    if (rc == 0 && self->hedge_order [0] < 0)
        rc = s_fail (ctx, "no 'order' line");
    return rc;
}

static int
s_attr_line (ab_extractor_t *self, s_ctx_t *ctx, char *line)
{
    char *f [5];
    int n = s_tabs (line, f, 5);
    if (n != 5)
        return s_fail (ctx, "expected 5 tab-separated fields (where, hedge, label, words, pattern)");
    int which;
    if (strcmp (f [0], "self") == 0)
        which = AB_ATTR_SELF;
    else
    if (strcmp (f [0], "next") == 0)
        which = AB_ATTR_NEXT;
    else
    if (strcmp (f [0], "next-quote") == 0)
        which = AB_ATTR_NEXT_QUOTE;
    else
        return s_fail (ctx, "unknown place '%s' (self, next, next-quote)", f [0]);
    int hedge = -1;
    if (strcmp (f [1], "-") != 0) {
        hedge = s_hedge_of (f [1]);
        if (hedge < 0)
            return s_fail (ctx, "unknown hedge '%s' (or - for none)", f [1]);
    }
    if (!*f [2])
        return s_fail (ctx, "empty label (use $ for the src group)");
    if (!*f [4] || strcmp (f [4], "-") == 0)
        return s_fail (ctx, "an attribution needs a pattern");
    if (strcmp (f [2], "$") == 0 && !strstr (f [4], "(?<src>"))
        return s_fail (ctx, "label $ needs a (?<src>...) group in the pattern");
    ab_xattr_t *attr = s_push ((void **) &self->attrs, &self->attr_count, sizeof (ab_xattr_t));
    if (!attr || !(attr->label = strdup (f [2])))
        return s_fail (ctx, "out of memory");
    attr->where = (ab_xwhere_t) which;
    attr->hedge = hedge;
    attr->line = ctx->line;
    return s_add_cue (self, ctx, &self->attr_cues [which], self->attr_count - 1, f [3], f [4]);
}

static int
s_load_attributions (ab_extractor_t *self, const char *dir, s_ctx_t *ctx)
{
    char *data;
    ctx->file = "attributions.tsv";
    if (s_read (dir, ctx->file, ctx, &data))
        return -1;
    int rc = s_each_line (self, ctx, data, s_attr_line);
    free (data);
    ctx->line = 0;
    return rc;
}

//  --------------------------------------------------------------------------
//  The token hash

//  For every PREFIX key P, the bit (hash & 63) of every word X such that
//  P followed by X is a key the scanner acts on (an alias, or a PREFIX to
//  go on from).  Without it the scanner built and looked up "the" + the
//  next word for every "the" in the text; with it, most next words end the
//  candidate at one bit test.
static void
s_mark_extensions (s_slot_t *table, size_t size, uint32_t mask)
{
    for (size_t i = 0; i < size; i++) {
        const s_slot_t *slot = &table [i];
        if (!slot->key || (slot->alias_count == 0 && !(slot->flags & AB_X_PREFIX)))
            continue;
        size_t len = strlen (slot->key);
        char head [256];
        for (size_t cut = 1; cut < len && cut < sizeof head; cut++) {
            memcpy (head, slot->key, cut);
            head [cut] = 0;
            s_slot_t *prefix = s_find (table, mask, head);
            if (prefix && (prefix->flags & AB_X_PREFIX))
                prefix->extends |= 1ull << (ab_xrules_key_hash (slot->key + cut, len - cut) & 63);
        }
    }
}

static int
s_build_table (ab_extractor_t *self, s_ctx_t *ctx)
{
    ctx->line = 0;
    ctx->file = "entities.tsv";
    //  At most one key per trigger word and per word of each alias; two
    //  slots per key keep the probes short and the table in cache.
    size_t entries = (size_t) self->trigger_count + 16;
    for (int i = 0; i < self->alias_count; i++) {
        int tokens;
        char key [256];
        s_fold (self->aliases [i].text, strlen (self->aliases [i].text), key, sizeof (key),
                NULL, &tokens);
        entries += (size_t) tokens;
    }
    size_t size = 64;
    while (size < entries * 2)
        size *= 2;
    uint32_t mask = (uint32_t) (size - 1);
    s_slot_t *table = calloc (size, sizeof (s_slot_t));
    int rc = table ? 0 : s_fail (ctx, "out of memory");
    for (int i = 0; rc == 0 && i < self->trigger_count; i++) {
        s_slot_t *slot = s_entry (table, mask, self->triggers [i]);
        if (!slot)
            rc = s_fail (ctx, "out of memory");
        else
            slot->trigger = i;
    }
    for (int i = 0; rc == 0 && i < self->alias_count; i++) {
        const char *text = self->aliases [i].text;
        size_t tsize = strlen (text);
        uint32_t kind_bit = 1u << self->entities [self->aliases [i].entity].kind_id;
        //  Walk the alias token by token: every proper prefix is marked so
        //  the scanner knows to keep extending its candidate.
        char key [256];
        size_t n = 0;
        bool in_token = false;
        for (size_t pos = 0; rc == 0 && pos <= tsize; ) {
            bool is_token = false;
            size_t len = pos < tsize ? ab_xrules_char (text, tsize, pos, &is_token) : 1;
            if (!is_token && in_token && pos < tsize) {
                //  end of a token that is not the last: a prefix
                bool more = false;
                for (size_t q = pos; q < tsize; ) {
                    bool t;
                    size_t l = ab_xrules_char (text, tsize, q, &t);
                    if (t)
                        more = true;
                    q += l;
                }
                s_slot_t *slot = more ? s_entry (table, mask, key) : NULL;
                if (more && !slot)
                    rc = s_fail (ctx, "out of memory");
                if (slot) {
                    slot->flags |= AB_X_PREFIX;
                    slot->start_kinds |= kind_bit;
                }
            }
            if (is_token)
                for (size_t k = 0; k < len && n + 1 < sizeof (key); k++) {
                    char c = text [pos + k];
                    key [n++] = (c >= 'A' && c <= 'Z') ? (char) (c + 32) : c;
                    key [n] = 0;
                }
            in_token = is_token;
            pos += len;
        }
        s_slot_t *slot = rc == 0 ? s_entry (table, mask, key) : NULL;
        int *grown = slot && slot->alias_count < 255
                   ? realloc (slot->aliases, sizeof (int) * (size_t) (slot->alias_count + 1)) : NULL;
        if (rc == 0 && !grown)
            rc = s_fail (ctx, "out of memory, or more than 255 aliases spelled '%s'", text);
        if (rc)
            break;
        slot->aliases = grown;
        slot->aliases [slot->alias_count++] = i;
        slot->kinds |= kind_bit;
        slot->start_kinds |= kind_bit;
        if (tsize > 0 && text [tsize - 1] == '.')
            slot->flags |= AB_X_DOT;
    }
    if (rc == 0)
        s_mark_extensions (table, size, mask);
    //  Compact: small slots, keys and alias lists in two pools.  Four slots
    //  per key: most words of an article are in the table under no key, and
    //  at a quarter full their probe mostly ends at an empty first slot
    //  (the probes read only table_hashes, 4 bytes a slot).
    size_t key_bytes = 0, alias_total = 0, used = 0;
    for (size_t i = 0; rc == 0 && i < size; i++)
        if (table [i].key) {
            key_bytes += strlen (table [i].key) + 1;
            alias_total += (size_t) table [i].alias_count;
            used++;
        }
    size_t compact = 64;
    while (compact < used * 4)
        compact *= 2;
    if (rc == 0) {
        self->table = calloc (compact, sizeof (ab_xentry_t));
        self->table_hashes = calloc (compact, sizeof (uint32_t));
        self->key_pool = calloc (key_bytes + 8, 1);
        self->alias_pool = malloc (sizeof (int) * (alias_total + 1));
        if (!self->table || !self->table_hashes || !self->key_pool || !self->alias_pool)
            rc = s_fail (ctx, "out of memory");
    }
    if (rc == 0) {
        self->table_mask = (uint32_t) (compact - 1);
        size_t key_at = 0, alias_at = 0;
        for (size_t i = 0; i < size; i++) {
            const s_slot_t *slot = &table [i];
            if (!slot->key)
                continue;
            uint32_t at = slot->hash & self->table_mask;
            while (self->table [at].hash)
                at = (at + 1) & self->table_mask;
            ab_xentry_t *entry = &self->table [at];
            entry->hash = slot->hash | 1;
            self->table_hashes [at] = entry->hash;
            entry->trigger = (int16_t) slot->trigger;
            entry->alias_count = (uint8_t) slot->alias_count;
            entry->flags = (uint8_t) slot->flags;
            entry->kinds = slot->kinds;
            entry->start_kinds = slot->start_kinds;
            entry->extends = slot->extends;
            entry->key = (uint32_t) key_at;
            entry->aliases = (uint32_t) alias_at;
            size_t len = strlen (slot->key) + 1;
            memcpy (self->key_pool + key_at, slot->key, len);
            key_at += len;
            for (int a = 0; a < slot->alias_count; a++)
                self->alias_pool [alias_at++] = slot->aliases [a];
        }
    }
    for (size_t i = 0; table && i < size; i++) {
        free (table [i].key);
        free (table [i].aliases);
    }
    free (table);
    return rc;
}

//  --------------------------------------------------------------------------
//  Public: constructor and destructor (declared in ab_extract.h)

ab_extractor_t *
ab_extractor_new (const char *rules_dir, char *errbuf, size_t errlen)
{
    if (!rules_dir)
        rules_dir = ".";
    ab_extractor_t *self = calloc (1, sizeof (ab_extractor_t));
    s_ctx_t ctx = { "", 0, errbuf, errlen, NULL };
    if (!self) {
        snprintf (errbuf, errlen, "out of memory");
        return NULL;
    }
    self->max_claims_per_sentence = 3;
    self->kind_person = self->kind_country = self->kind_outlet = -1;
    if (s_load_entities (self, rules_dir, &ctx)
    ||  s_load_claims (self, rules_dir, &ctx)
    ||  s_load_hedges (self, rules_dir, &ctx)
    ||  s_load_attributions (self, rules_dir, &ctx)
    ||  s_build_table (self, &ctx)) {
        ab_extractor_destroy (&self);
        return NULL;
    }
    //  With every pattern JIT-compiled, matching can skip pcre2_match's
    //  per-call checks (ab_extract calls it thousands of times a second)
    self->jit = s_cues_jit (&self->veto_cues);
    for (int i = 0; i < self->rule_count; i++)
        self->jit &= s_has_jit (self->rules [i].code)
                  && s_jit_or_none (self->rules [i].unless_code)
                  && s_jit_or_none (self->rules [i].lead.rest)
                  && s_jit_or_none (self->rules [i].lead.anchored);
    for (int which = 0; which < 3; which++)
        self->jit &= s_cues_jit (&self->hedge_cues [which]) && s_cues_jit (&self->attr_cues [which]);
    return self;
}

void
ab_extractor_destroy (ab_extractor_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ab_extractor_t *self = *self_p;
    for (int i = 0; i < self->entity_count; i++) {
        ab_xentity_t *e = &self->entities [i];
        free (e->id);
        free (e->kind);
        free (e->name);
        free (e->title);
        free (e->country);
    }
    free (self->entities);
    for (int i = 0; i < self->alias_count; i++) {
        free (self->aliases [i].text);
        free (self->aliases [i].cased);
    }
    free (self->aliases);
    for (int i = 0; i < self->kind_count; i++)
        free (self->kinds [i]);
    free (self->table);
    free (self->table_hashes);
    free (self->key_pool);
    free (self->alias_pool);
    for (int i = 0; i < self->trigger_count; i++)
        free (self->triggers [i]);
    for (int i = 0; i < self->define_count; i++) {
        free (self->defines [i].name);
        free (self->defines [i].text);
    }
    free (self->defines);
    for (int i = 0; i < self->form_count; i++) {
        ab_xform_t *f = &self->forms [i];
        free (f->name);
        free (f->type);
        for (int k = 0; k < f->key_count; k++) {
            free (f->key_names [k]);
            free (f->key_fixed [k]);
        }
        for (int k = 0; k < f->value_count; k++) {
            free (f->value_names [k]);
            free (f->value_fixed [k]);
        }
    }
    free (self->forms);
    for (int i = 0; i < self->rule_count; i++) {
        ab_xrule_t *r = &self->rules [i];
        free (r->id);
        free (r->pattern);
        pcre2_code_free (r->code);
        free (r->unless);
        pcre2_code_free (r->unless_code);
        pcre2_code_free (r->lead.rest);
        pcre2_code_free (r->lead.anchored);
        for (int k = 0; k < r->slot_count; k++) {
            free (r->slots [k].name);
            free (r->slots [k].name2);
            free (r->slots [k].group);
            free (r->slots [k].literal);
            free (r->slots [k].exclude);
        }
    }
    free (self->rules);
    s_free_cues (&self->veto_cues);
    for (int which = 0; which < 3; which++)
        s_free_cues (&self->hedge_cues [which]);
    for (int i = 0; i < self->attr_count; i++)
        free (self->attrs [i].label);
    free (self->attrs);
    for (int which = 0; which < 3; which++)
        s_free_cues (&self->attr_cues [which]);
    free (self);
    *self_p = NULL;
}
