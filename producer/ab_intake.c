/*  =========================================================================
    ab_intake - turn what a source delivers into a checked ab_article_t
    =========================================================================
*/
#include "ab_intake.h"
#include "ab_date.h"

#include <ctype.h>
#include <string.h>

static int
s_fail (ab_intake_error_t *error, const char *reason, const char *format, const char *detail)
{
    error->reason = reason;
    snprintf (error->message, sizeof error->message, format, detail);
    return -1;
}

//  Header keys we understand; a header block that names anything else is
//  malformed rather than silently half-read.
static char **
s_header_field (ab_article_t *article, const char *key, size_t key_len)
{
    static const struct { const char *name; size_t offset; } fields [] = {
        { "title", offsetof (ab_article_t, title) },
        { "source", offsetof (ab_article_t, source) },
        { "url", offsetof (ab_article_t, url) },
        { "published", offsetof (ab_article_t, published) },
        { "date", offsetof (ab_article_t, published) },
        { "id", offsetof (ab_article_t, id) },
    };
    for (size_t index = 0; index < sizeof fields / sizeof fields [0]; index++)
        if (strlen (fields [index].name) == key_len
        &&  strncasecmp (fields [index].name, key, key_len) == 0)
            return (char **) ((char *) article + fields [index].offset);
    return NULL;
}

static bool
s_is_author_key (const char *key, size_t key_len)
{
    return key_len == 6 && strncasecmp (key, "author", 6) == 0;
}

//  A line is a header line if it reads "Key: value" with a one-word key
static bool
s_split_header_line (const char *line, size_t len, size_t *key_len, const char **value)
{
    size_t index = 0;
    while (index < len && (isalpha ((unsigned char) line [index]) || line [index] == '-'))
        index++;
    if (index == 0 || index >= len || line [index] != ':')
        return false;
    *key_len = index;
    *value = line + index + 1;
    return true;
}

int
ab_intake_parse_text (const char *data, size_t size, ab_article_t *article,
                      ab_intake_error_t *error)
{
    const char *body = data;
    size_t key_len;
    const char *value;
    //  The file has a header block only if its first line is a known key;
    //  otherwise a body that opens with "Washington: ..." would be eaten.
    const char *eol = memchr (data, '\n', size);
    size_t first_len = eol? (size_t) (eol - data): size;
    if (s_split_header_line (data, first_len, &key_len, &value)
    &&  (s_header_field (article, data, key_len) || s_is_author_key (data, key_len))) {
        const char *line = data;
        const char *end = data + size;
        int line_number = 1;
        while (line < end) {
            eol = memchr (line, '\n', (size_t) (end - line));
            const char *line_end = eol? eol: end;
            size_t len = (size_t) (line_end - line);
            if (len > 0 && line [len - 1] == '\r')
                len--;
            if (len == 0) {             //  blank line ends the header
                body = eol? eol + 1: end;
                break;
            }
            if (!s_split_header_line (line, len, &key_len, &value)) {
                char detail [80];
                snprintf (detail, sizeof detail, "%d", line_number);
                return s_fail (error, "bad_header",
                               "header line %s is not 'Key: value' (end the header with a blank line)", detail);
            }
            char **field = s_header_field (article, line, key_len);
            if (!field && !s_is_author_key (line, key_len)) {
                char detail [80];
                snprintf (detail, sizeof detail, "%.*s' on line %d", (int) key_len, line, line_number);
                return s_fail (error, "bad_header", "unknown header key '%s", detail);
            }
            const char *value_end = line + len;
            while (value < value_end && isspace ((unsigned char) *value))
                value++;
            if (field) {
                char *copy = strndup (value, (size_t) (value_end - value));
                if (!copy)
                    return s_fail (error, "no_memory", "%s", "out of memory");
                free (*field);
                *field = copy;
            }
            line = eol? eol + 1: end;
            body = line;
            line_number++;
        }
    }
    if (ab_article_set_body (article, body, size - (size_t) (body - data)))
        return s_fail (error, "no_memory", "%s", "out of memory");
    return 0;
}

static int
s_json_string (json_t *object, const char *name, char **field, ab_intake_error_t *error)
{
    json_t *value = json_object_get (object, name);
    if (!value || json_is_null (value))
        return 0;
    if (!json_is_string (value))
        return s_fail (error, "bad_json", "field '%s' is not a string", name);
    if (ab_article_set (field, json_string_value (value)))
        return s_fail (error, "no_memory", "%s", "out of memory");
    return 0;
}

int
ab_intake_parse_json (const char *line, size_t size, ab_article_t *article,
                      ab_intake_error_t *error)
{
    json_error_t json_error;
    json_t *object = json_loadb (line, size, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &json_error);
    if (!object)
        return s_fail (error, "bad_json", "not valid JSON: %s", json_error.text);
    int rc = 0;
    if (!json_is_object (object))
        rc = s_fail (error, "bad_json", "%s", "a line must be a JSON object");
    json_t *body = json_object_get (object, "body");
    if (rc == 0 && !json_is_string (body))
        rc = s_fail (error, "bad_json", "%s", "field 'body' is missing or not a string");
    if (rc == 0
    &&  (s_json_string (object, "id", &article->id, error)
    ||   s_json_string (object, "source", &article->source, error)
    ||   s_json_string (object, "url", &article->url, error)
    ||   s_json_string (object, "title", &article->title, error)
    ||   s_json_string (object, "published", &article->published, error)))
        rc = -1;
    if (rc == 0 && ab_article_set_body (article, json_string_value (body), json_string_length (body)))
        rc = s_fail (error, "no_memory", "%s", "out of memory");
    json_decref (object);
    return rc;
}

void
ab_intake_apply_manifest (ab_article_t *article, json_t *entry)
{
    const char *names [] = { "source", "url", "title", "published" };
    char **fields [] = { &article->source, &article->url, &article->title, &article->published };
    for (size_t index = 0; index < 4; index++) {
        const char *value = json_string_value (json_object_get (entry, names [index]));
        if (value && *fields [index] && (*fields [index]) [0] == 0)
            ab_article_set (fields [index], value);
    }
}

void
ab_intake_make_id (const char *source, const char *body, size_t size, char *out)
{
    zdigest_t *digest = zdigest_new ();
    zdigest_update (digest, (const byte *) source, strlen (source) + 1);
    zdigest_update (digest, (const byte *) body, size);
    const char *hex = zdigest_string (digest);      //  uppercase, 40 digits
    for (int index = 0; index < 16; index++)
        out [index] = (char) tolower ((unsigned char) hex [index]);
    out [16] = 0;
    zdigest_destroy (&digest);
}

//  Count invalid UTF-8 sequences and control bytes.  The normalizer
//  repairs a few of either; a body made mostly of them is not text.
static void
s_scan_bytes (const unsigned char *data, size_t size, size_t *invalid, size_t *controls)
{
    *invalid = *controls = 0;
    size_t index = 0;
    while (index < size) {
        unsigned char byte = data [index];
        if (byte < 0x80) {
            if (byte < 0x20 && byte != '\n' && byte != '\r' && byte != '\t')
                (*controls)++;
            index++;
            continue;
        }
        size_t need = byte >= 0xF0 && byte <= 0xF4? 3: byte >= 0xE0? 2: byte >= 0xC2 && byte < 0xE0? 1: 0;
        if (byte >= 0xF5)
            need = 0;
        size_t have = 0;
        while (have < need && index + 1 + have < size && (data [index + 1 + have] & 0xC0) == 0x80)
            have++;
        if (need == 0 || have < need) {
            (*invalid)++;
            index += have + 1;
        }
        else
            index += need + 1;
    }
}

int
ab_intake_finish (ab_article_t *article, size_t max_body, ab_intake_error_t *error)
{
    char detail [128];
    if (article->body_size > max_body) {
        snprintf (detail, sizeof detail, "%zu bytes, over the limit of %zu", article->body_size, max_body);
        return s_fail (error, "too_large", "body is %s", detail);
    }
    size_t index = 0;
    while (index < article->body_size && isspace ((unsigned char) article->body [index]))
        index++;
    if (index == article->body_size)
        return s_fail (error, "empty", "%s", "body is empty");
    size_t invalid, controls;
    s_scan_bytes ((const unsigned char *) article->body, article->body_size, &invalid, &controls);
    if (controls * 20 > article->body_size) {
        snprintf (detail, sizeof detail, "%zu control bytes in %zu", controls, article->body_size);
        return s_fail (error, "binary", "body looks binary (%s)", detail);
    }
    if (invalid * 10 > article->body_size) {
        snprintf (detail, sizeof detail, "%zu invalid sequences in %zu bytes", invalid, article->body_size);
        return s_fail (error, "bad_utf8", "body is not UTF-8 beyond repair (%s)", detail);
    }
    if (article->published [0]) {
        char normalized [32];
        if (ab_date_normalize (article->published, normalized, sizeof normalized) != 0)
            return s_fail (error, "bad_date", "published date '%s' is not ISO 8601 or RFC 822",
                           article->published);
        ab_article_set (&article->published, normalized);
    }
    if (article->id [0] == 0) {
        char id [17];
        ab_intake_make_id (article->source, article->body, article->body_size, id);
        ab_article_set (&article->id, id);
    }
    else {
        bool valid = strlen (article->id) == 16;
        for (const char *cursor = article->id; valid && *cursor; cursor++)
            valid = isdigit ((unsigned char) *cursor) || (*cursor >= 'a' && *cursor <= 'f');
        if (!valid)
            return s_fail (error, "bad_id", "id '%s' is not 16 lowercase hex digits", article->id);
    }
    return 0;
}
