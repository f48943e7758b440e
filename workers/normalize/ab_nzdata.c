/*  =========================================================================
    ab_nzdata - the normalizer's data files

    All three files are small and read once at start-up, so the loaders
    favour clear line-numbered errors over speed.  The lookups run in the
    hot path and are cheap: a binary search over ~120 confusables (only for
    non-ASCII letters) and an open-addressing hash for abbreviations (only
    for a word followed by a period and a space).
    =========================================================================
*/
#include "ab_nzdata.h"
#include "ab_file.h"

#include <assert.h>
#include <stdbool.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S_MAX_FILE (16u * 1024 * 1024)
#define S_MAX_TOKEN 32
#define S_DIRECT_FIRST 0x0370
#define S_DIRECT_LAST 0x058F

typedef struct {
    int32_t cp;
    char letter;
} s_confusable_t;

typedef struct {
    char token [S_MAX_TOKEN];
    uint8_t len;
    uint8_t abbr;               //  ab_abbr_kind_t, NONE if only a starter
    uint8_t starter;            //  1 if listed as a sentence starter
} s_abbr_t;

//  Structure of our class

struct ab_nzdata_t {
    s_confusable_t *confusables;    //  sorted by code point
    size_t confusable_count;
    //  Direct lookup for Greek, Cyrillic and Armenian, where nearly all
    //  homoglyphs in news text come from; the rest by binary search
    char direct [S_DIRECT_LAST - S_DIRECT_FIRST + 1];
    ab_bp_rule_t *rules;            //  boilerplate rules, file order
    size_t rule_count;
    s_abbr_t *abbrs;                //  open-addressing hash table
    size_t abbr_slots;              //  power of two
};

static int s_load_confusables (ab_nzdata_t *self, const char *path, char *errbuf, size_t errlen);
static int s_load_rules (ab_nzdata_t *self, const char *path, char *errbuf, size_t errlen);
static int s_load_abbreviations (ab_nzdata_t *self, const char *path, char *errbuf, size_t errlen);
static void s_first_bytes (ab_bp_rule_t *rule, const char *regex, size_t len, uint32_t options);
static uint32_t s_hash (const char *s, size_t len);
static void s_err (char *errbuf, size_t errlen, const char *fmt, ...);


//  --------------------------------------------------------------------------
//  Constructor: load every file or fail with the first error

ab_nzdata_t *
ab_nzdata_new (const char *rules_dir, char *errbuf, size_t errlen)
{
    assert (rules_dir);
    ab_nzdata_t *self = (ab_nzdata_t *) calloc (1, sizeof (ab_nzdata_t));
    if (!self) {
        s_err (errbuf, errlen, "out of memory");
        return NULL;
    }
    char path [4096];
    snprintf (path, sizeof path, "%s/confusables.tsv", rules_dir);
    if (s_load_confusables (self, path, errbuf, errlen))
        goto fail;
    snprintf (path, sizeof path, "%s/boilerplate.rules", rules_dir);
    if (s_load_rules (self, path, errbuf, errlen))
        goto fail;
    snprintf (path, sizeof path, "%s/abbreviations.txt", rules_dir);
    if (s_load_abbreviations (self, path, errbuf, errlen))
        goto fail;
    return self;
fail:
    ab_nzdata_destroy (&self);
    return NULL;
}


//  --------------------------------------------------------------------------
//  Destructor

void
ab_nzdata_destroy (ab_nzdata_t **self_p)
{
    assert (self_p);
    ab_nzdata_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->rule_count; i++) {
        pcre2_code_free (self->rules [i].re);
        free (self->rules [i].literal);
    }
    free (self->rules);
    free (self->confusables);
    free (self->abbrs);
    free (self);
    *self_p = NULL;
}


//  --------------------------------------------------------------------------
//  ASCII letter that cp looks like, or 0

int
ab_nzdata_confusable (const ab_nzdata_t *self, int32_t cp)
{
    if (cp >= S_DIRECT_FIRST && cp <= S_DIRECT_LAST)
        return self->direct [cp - S_DIRECT_FIRST];
    if (cp < 0x80)
        return 0;
    size_t lo = 0, hi = self->confusable_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int32_t v = self->confusables [mid].cp;
        if (v == cp)
            return self->confusables [mid].letter;
        if (v < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}


//  --------------------------------------------------------------------------
//  The boilerplate rules in file order

const ab_bp_rule_t *
ab_nzdata_rules (const ab_nzdata_t *self, size_t *count)
{
    *count = self->rule_count;
    return self->rules;
}


//  --------------------------------------------------------------------------
//  The first rule matching a line, or NULL

static bool
s_rule_matches (const ab_bp_rule_t *rule, const char *text, size_t len, pcre2_match_data *md)
{
    if (rule->literal)
        return len == rule->literal_len && strncasecmp (text, rule->literal, len) == 0;
    //  0 means "matched, ovector too small": still a match.  The JIT entry
    //  point skips pcre2_match's argument checks, which cost as much as
    //  the JIT code itself on a line that fails at its first bytes (most
    //  lines, for most rules).
    if (rule->jit)
        return pcre2_jit_match (rule->re, (PCRE2_SPTR) text, len, 0, 0, md, NULL) >= 0;
    return pcre2_match (rule->re, (PCRE2_SPTR) text, len, 0, PCRE2_NO_UTF_CHECK, md, NULL) >= 0;
}

const ab_bp_rule_t *
ab_nzdata_match_line (const ab_nzdata_t *self, const char *text, size_t len, pcre2_match_data *md)
{
    unsigned char first = len? (unsigned char) text [0]: 0;
    for (size_t r = 0; r < self->rule_count; r++) {
        const ab_bp_rule_t *rule = &self->rules [r];
        if (rule->action != AB_BP_CAPTION && ((rule->first [first >> 6] >> (first & 63)) & 1))
            if (s_rule_matches (rule, text, len, md))
                return rule;
    }
    return NULL;
}

int
ab_nzdata_is_caption (const ab_nzdata_t *self, const char *text, size_t len, pcre2_match_data *md)
{
    unsigned char first = len? (unsigned char) text [0]: 0;
    for (size_t r = 0; r < self->rule_count; r++) {
        const ab_bp_rule_t *rule = &self->rules [r];
        if (rule->action == AB_BP_CAPTION && ((rule->first [first >> 6] >> (first & 63)) & 1))
            if (s_rule_matches (rule, text, len, md))
                return 1;
    }
    return 0;
}

//  --------------------------------------------------------------------------
//  Kind of an abbreviation token, or whether a word is a sentence starter

ab_abbr_kind_t
ab_nzdata_abbr (const ab_nzdata_t *self, const char *token, size_t len, int want_starter)
{
    if (len == 0 || len >= S_MAX_TOKEN || self->abbr_slots == 0)
        return AB_ABBR_NONE;
    size_t mask = self->abbr_slots - 1;
    for (size_t i = s_hash (token, len) & mask;; i = (i + 1) & mask) {
        const s_abbr_t *e = &self->abbrs [i];
        if (e->len == 0)
            return AB_ABBR_NONE;
        if (e->len == len && memcmp (e->token, token, len) == 0) {
            if (want_starter)
                return e->starter? AB_ABBR_STARTER: AB_ABBR_NONE;
            return (ab_abbr_kind_t) e->abbr;
        }
    }
}


//  --------------------------------------------------------------------------
//  Line iterator over a NUL-terminated buffer: returns the next line with
//  trailing CR/LF and surrounding blanks trimmed, or NULL at the end.

static char *
s_next_line (char **cursor, unsigned *lineno)
{
    char *p = *cursor;
    if (!p || !*p)
        return NULL;
    char *nl = strchr (p, '\n');
    if (nl) {
        *nl = 0;
        *cursor = nl + 1;
    }
    else
        *cursor = p + strlen (p);
    (*lineno)++;
    size_t len = strlen (p);
    while (len && (p [len - 1] == '\r' || p [len - 1] == ' ' || p [len - 1] == '\t'))
        p [--len] = 0;
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

//  What a loader does with one line of its file: 0, or -1 with a message.
//  lines is the file's line count, for a loader that sizes a table by it.
typedef int (s_line_fn) (ab_nzdata_t *self, const char *path, unsigned lineno,
                         size_t lines, char *line, char *errbuf, size_t errlen);

//  Read path and hand each line that is neither blank nor a '#' comment to
//  each, in order, until one fails
static int
s_each_line (ab_nzdata_t *self, const char *path, s_line_fn *each, char *errbuf, size_t errlen)
{
    size_t size;
    char *text = ab_file_read (path, S_MAX_FILE, &size, errbuf, errlen);
    if (!text)
        return -1;
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += text [i] == '\n';
    unsigned lineno = 0;
    char *cursor = text, *line;
    int rc = 0;
    while (rc == 0 && (line = s_next_line (&cursor, &lineno)))
        if (*line != 0 && *line != '#')
            rc = each (self, path, lineno, lines, line, errbuf, errlen);
    free (text);
    return rc;
}

//  Room in *array (count items of item bytes) for one more: the capacity
//  doubles from first whenever count reaches a power of two.  0 or -1.
static int
s_room_for_one (void **array, size_t count, size_t item, size_t first)
{
    if (count != 0 && (count < first || (count & (count - 1)) != 0))
        return 0;
    size_t capacity = count == 0? first: count * 2;
    void *grown = realloc (*array, capacity * item);
    if (!grown)
        return -1;
    *array = grown;
    return 0;
}

static int
s_compare_confusable (const void *a, const void *b)
{
    int32_t x = ((const s_confusable_t *) a)->cp;
    int32_t y = ((const s_confusable_t *) b)->cp;
    return (x > y) - (x < y);
}

//  confusables.tsv: "HEX <tab> letter <tab> script", '#' comments

static int
s_confusable_line (ab_nzdata_t *self, const char *path, unsigned lineno,
                   size_t lines, char *line, char *errbuf, size_t errlen)
{
    (void) lines;
    char *end;
    unsigned long cp = strtoul (line, &end, 16);
    if (end == line || (*end != '\t' && *end != ' ') || cp < 0x80 || cp > 0x10FFFF) {
        s_err (errbuf, errlen, "%s:%u: expected a non-ASCII hex code point", path, lineno);
        return -1;
    }
    while (*end == '\t' || *end == ' ')
        end++;
    if (!isalpha ((unsigned char) end [0]) || (end [1] && end [1] != '\t' && end [1] != ' ')) {
        s_err (errbuf, errlen, "%s:%u: expected one ASCII letter after the code point", path, lineno);
        return -1;
    }
    if (s_room_for_one ((void **) &self->confusables, self->confusable_count,
                        sizeof (s_confusable_t), 256)) {
        s_err (errbuf, errlen, "out of memory");
        return -1;
    }
    self->confusables [self->confusable_count].cp = (int32_t) cp;
    self->confusables [self->confusable_count].letter = end [0];
    self->confusable_count++;
    return 0;
}

static int
s_load_confusables (ab_nzdata_t *self, const char *path, char *errbuf, size_t errlen)
{
    if (s_each_line (self, path, s_confusable_line, errbuf, errlen))
        return -1;
    if (self->confusable_count)
        qsort (self->confusables, self->confusable_count, sizeof (s_confusable_t), s_compare_confusable);
    for (size_t i = 0; i < self->confusable_count; i++) {
        int32_t cp = self->confusables [i].cp;
        if (cp >= S_DIRECT_FIRST && cp <= S_DIRECT_LAST)
            self->direct [cp - S_DIRECT_FIRST] = self->confusables [i].letter;
    }
    for (size_t i = 1; i < self->confusable_count; i++)
        if (self->confusables [i].cp == self->confusables [i - 1].cp) {
            s_err (errbuf, errlen, "%s: code point %04X listed twice", path,
                   (unsigned) self->confusables [i].cp);
            return -1;
        }
    return 0;
}

//  boilerplate.rules: "id  action  pattern", pattern /regex/flags or a
//  literal whole line

static int
s_parse_action (const char *word, size_t len, ab_bp_action_t *action)
{
    static const struct { const char *name; ab_bp_action_t action; } actions [] = {
        { "drop-line", AB_BP_DROP_LINE },
        { "drop-block", AB_BP_DROP_BLOCK },
        { "drop-to-end", AB_BP_DROP_TO_END },
        { "drop-caption", AB_BP_DROP_CAPTION },
        { "caption", AB_BP_CAPTION },
    };
    for (size_t i = 0; i < sizeof actions / sizeof actions [0]; i++)
        if (strlen (actions [i].name) == len && memcmp (actions [i].name, word, len) == 0) {
            *action = actions [i].action;
            return 0;
        }
    return -1;
}

static int
s_rule_line (ab_nzdata_t *self, const char *path, unsigned lineno,
             size_t lines, char *line, char *errbuf, size_t errlen)
{
    (void) lines;
    //  Three fields: id, action, then the rest of the line
    char *id = line;
    size_t id_len = strcspn (id, " \t");
    char *action_word = id + id_len;
    action_word += strspn (action_word, " \t");
    size_t action_len = strcspn (action_word, " \t");
    char *pattern = action_word + action_len;
    pattern += strspn (pattern, " \t");
    if (action_len == 0 || *pattern == 0) {
        s_err (errbuf, errlen, "%s:%u: expected 'id action pattern'", path, lineno);
        return -1;
    }
    if (id_len >= sizeof (((ab_bp_rule_t *) 0)->id)) {
        s_err (errbuf, errlen, "%s:%u: rule id longer than 63 bytes", path, lineno);
        return -1;
    }
    ab_bp_rule_t rule;
    memset (&rule, 0, sizeof rule);
    memcpy (rule.id, id, id_len);
    if (s_parse_action (action_word, action_len, &rule.action)) {
        s_err (errbuf, errlen, "%s:%u: unknown action '%.*s' (drop-line, drop-block, "
               "drop-to-end, drop-caption, caption)", path, lineno, (int) action_len, action_word);
        return -1;
    }
    for (size_t i = 0; i < self->rule_count; i++)
        if (strcmp (self->rules [i].id, rule.id) == 0) {
            s_err (errbuf, errlen, "%s:%u: rule id '%s' used twice", path, lineno, rule.id);
            return -1;
        }
    size_t plen = strlen (pattern);
    if (pattern [0] == '/') {
        //  /regex/flags: the last slash ends the regex
        char *close = strrchr (pattern, '/');
        if (close == pattern) {
            s_err (errbuf, errlen, "%s:%u: regex has no closing '/'", path, lineno);
            return -1;
        }
        uint32_t options = PCRE2_UTF;
        for (char *f = close + 1; *f; f++) {
            if (*f == 'i')
                options |= PCRE2_CASELESS;
            else
            if (*f == 'x')
                options |= PCRE2_EXTENDED;
            else {
                s_err (errbuf, errlen, "%s:%u: unknown regex flag '%c' (i, x)", path, lineno, *f);
                return -1;
            }
        }
        int errcode;
        PCRE2_SIZE erroffset;
        rule.re = pcre2_compile ((PCRE2_SPTR) (pattern + 1), (PCRE2_SIZE) (close - pattern - 1),
                                 options, &errcode, &erroffset, NULL);
        if (!rule.re) {
            PCRE2_UCHAR msg [256];
            pcre2_get_error_message (errcode, msg, sizeof msg);
            s_err (errbuf, errlen, "%s:%u: regex error at offset %zu: %s",
                   path, lineno, (size_t) erroffset, (char *) msg);
            return -1;
        }
        //  JIT is an optimisation only; the interpreter is the fallback
        rule.jit = pcre2_jit_compile (rule.re, PCRE2_JIT_COMPLETE) == 0;
        s_first_bytes (&rule, pattern + 1, (size_t) (close - pattern - 1), options);
    }
    else {
        //  A literal is the whole line; quotes allow edge blanks
        if (plen >= 2 && pattern [0] == '"' && pattern [plen - 1] == '"') {
            pattern++;
            plen -= 2;
        }
        rule.literal = strndup (pattern, plen);
        if (!rule.literal) {
            s_err (errbuf, errlen, "out of memory");
            return -1;
        }
        rule.literal_len = plen;
        if (plen) {
            unsigned char c = (unsigned char) rule.literal [0];
            unsigned char alt = (unsigned char) (isalpha (c)? c ^ 0x20: c);
            rule.first [c >> 6] |= (uint64_t) 1 << (c & 63);
            rule.first [alt >> 6] |= (uint64_t) 1 << (alt & 63);
        }
    }
    if (s_room_for_one ((void **) &self->rules, self->rule_count, sizeof (ab_bp_rule_t), 32)) {
        pcre2_code_free (rule.re);
        free (rule.literal);
        s_err (errbuf, errlen, "out of memory");
        return -1;
    }
    self->rules [self->rule_count++] = rule;
    return 0;
}

static int
s_load_rules (ab_nzdata_t *self, const char *path, char *errbuf, size_t errlen)
{
    return s_each_line (self, path, s_rule_line, errbuf, errlen);
}

//  Which first bytes can a line have for this rule to match?  Most lines
//  are article text that no rule matches, and a regex call costs 20-70 ns
//  even when it fails at once, so each line only meets the rules its first
//  byte allows.  (All anchored rules as one pattern of alternatives, each
//  opening with a (*MARK), gave the same answers on 20,000 lines but took
//  550 ns on a line of prose against 170 ns for the rules one by one: a
//  rule alone fails fast on a byte it requires, say the '|' of a photo
//  credit, and the alternation has no such byte.)  PCRE2 computes no start bitmap for an anchored pattern,
//  so the pattern is compiled once more without its leading '^' to ask.
//  When in doubt, every byte is allowed.
static void
s_first_bytes (ab_bp_rule_t *rule, const char *regex, size_t len, uint32_t options)
{
    memset (rule->first, 0xFF, sizeof rule->first);
    uint32_t all = 0;
    pcre2_pattern_info (rule->re, PCRE2_INFO_ALLOPTIONS, &all);
    if (!(all & PCRE2_ANCHORED) || len < 2 || regex [0] != '^')
        return;
    int errcode;
    PCRE2_SIZE erroffset;
    pcre2_code *probe = pcre2_compile ((PCRE2_SPTR) (regex + 1), len - 1, options,
                                       &errcode, &erroffset, NULL);
    if (!probe)
        return;
    uint32_t type = 0;
    pcre2_pattern_info (probe, PCRE2_INFO_FIRSTCODETYPE, &type);
    if (type == 1) {
        uint32_t unit = 0;
        pcre2_pattern_info (probe, PCRE2_INFO_FIRSTCODEUNIT, &unit);
        memset (rule->first, 0, sizeof rule->first);
        if (unit < 256) {
            rule->first [unit >> 6] |= (uint64_t) 1 << (unit & 63);
            if ((options & PCRE2_CASELESS) && isalpha ((int) unit)) {
                unsigned other = unit ^ 0x20;
                rule->first [other >> 6] |= (uint64_t) 1 << (other & 63);
            }
        }
        else
            memset (rule->first, 0xFF, sizeof rule->first);
    }
    else {
        const uint8_t *bitmap = NULL;
        pcre2_pattern_info (probe, PCRE2_INFO_FIRSTBITMAP, &bitmap);
        if (bitmap)
            for (unsigned b = 0; b < 256; b++)
                rule->first [b >> 6] = (rule->first [b >> 6] & ~((uint64_t) 1 << (b & 63)))
                                     | ((uint64_t) ((bitmap [b / 8] >> (b % 8)) & 1) << (b & 63));
    }
    pcre2_code_free (probe);
}

//  abbreviations.txt: "kind  token", kind title|number|ambiguous|starter

static int
s_abbr_insert (ab_nzdata_t *self, const char *token, size_t len, ab_abbr_kind_t kind)
{
    size_t mask = self->abbr_slots - 1;
    for (size_t i = s_hash (token, len) & mask;; i = (i + 1) & mask) {
        s_abbr_t *e = &self->abbrs [i];
        if (e->len == 0) {
            memcpy (e->token, token, len);
            e->len = (uint8_t) len;
        }
        else
        if (e->len != len || memcmp (e->token, token, len))
            continue;
        if (kind == AB_ABBR_STARTER)
            e->starter = 1;
        else {
            if (e->abbr && e->abbr != kind)
                return -1;
            e->abbr = (uint8_t) kind;
        }
        return 0;
    }
}

static int
s_abbr_line (ab_nzdata_t *self, const char *path, unsigned lineno,
             size_t lines, char *line, char *errbuf, size_t errlen)
{
    if (!self->abbrs) {
        //  One slot per line at most, kept under half full
        self->abbr_slots = 16;
        while (self->abbr_slots < lines * 2)
            self->abbr_slots *= 2;
        self->abbrs = (s_abbr_t *) calloc (self->abbr_slots, sizeof (s_abbr_t));
        if (!self->abbrs) {
            self->abbr_slots = 0;
            s_err (errbuf, errlen, "out of memory");
            return -1;
        }
    }
    size_t kind_len = strcspn (line, " \t");
    char *token = line + kind_len;
    token += strspn (token, " \t");
    size_t token_len = strcspn (token, " \t");
    if (token_len == 0 || token [token_len] != 0) {
        s_err (errbuf, errlen, "%s:%u: expected 'kind token'", path, lineno);
        return -1;
    }
    if (token_len >= S_MAX_TOKEN) {
        s_err (errbuf, errlen, "%s:%u: token longer than %d bytes", path, lineno, S_MAX_TOKEN - 1);
        return -1;
    }
    ab_abbr_kind_t kind;
    if (kind_len == 5 && memcmp (line, "title", 5) == 0)
        kind = AB_ABBR_TITLE;
    else
    if (kind_len == 6 && memcmp (line, "number", 6) == 0)
        kind = AB_ABBR_NUMBER;
    else
    if (kind_len == 9 && memcmp (line, "ambiguous", 9) == 0)
        kind = AB_ABBR_AMBIGUOUS;
    else
    if (kind_len == 7 && memcmp (line, "starter", 7) == 0)
        kind = AB_ABBR_STARTER;
    else {
        s_err (errbuf, errlen, "%s:%u: unknown kind '%.*s' (title, number, ambiguous, starter)",
               path, lineno, (int) kind_len, line);
        return -1;
    }
    if (kind != AB_ABBR_STARTER && token [token_len - 1] != '.') {
        s_err (errbuf, errlen, "%s:%u: abbreviation '%s' must end with '.'", path, lineno, token);
        return -1;
    }
    if (s_abbr_insert (self, token, token_len, kind)) {
        s_err (errbuf, errlen, "%s:%u: '%s' already listed with another kind", path, lineno, token);
        return -1;
    }
    return 0;
}

static int
s_load_abbreviations (ab_nzdata_t *self, const char *path, char *errbuf, size_t errlen)
{
    return s_each_line (self, path, s_abbr_line, errbuf, errlen);
}

//  FNV-1a: tokens are a few bytes, looked up rarely

static uint32_t
s_hash (const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char) s [i]) * 16777619u;
    return h;
}

static void
s_err (char *errbuf, size_t errlen, const char *fmt, ...)
{
    if (!errbuf || errlen == 0)
        return;
    va_list args;
    va_start (args, fmt);
    vsnprintf (errbuf, errlen, fmt, args);
    va_end (args);
}
