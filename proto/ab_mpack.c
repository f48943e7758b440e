/*  =========================================================================
    ab_mpack - msgpack helpers private to the wire protocol codec

    See ab_mpack.h.  Everything here works on bytes a hostile peer chose:
    every length is checked against the bytes that remain before it is
    used, and nothing allocates more than a small multiple of the input.
    =========================================================================
*/
#include "ab_mpack.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
ab_mp_ctx_init (ab_mp_ctx_t *ctx, const char *cmd, ab_proto_error_t *error)
{
    assert (ctx);
    assert (error);
    ctx->cmd = cmd;
    ctx->error = error;
    ctx->depth = 0;
    error->code = AB_PROTO_OK;
    error->message [0] = 0;
}

//  Render the path as 'key'[3].'key' into out; keys come from the wire,
//  so at most 64 bytes of each are shown and control bytes become '?'.
static void
s_render_path (ab_mp_ctx_t *ctx, char *out, size_t size)
{
    size_t used = 0;
    out [0] = 0;
    for (size_t step = 0; step < ctx->depth && used + 1 < size; step++) {
        char buffer [72];
        size_t len = 0;
        if (step >= AB_MP_PATH_MAX) {
            memcpy (buffer, "...", 3);
            len = 3;
            step = ctx->depth;          //  once is enough
        }
        else
        if (ctx->path [step].key) {
            const char *key = ctx->path [step].key;
            if (step)
                buffer [len++] = '.';
            buffer [len++] = '\'';
            for (size_t index = 0; index < ctx->path [step].len && index < 64; index++) {
                unsigned char c = (unsigned char) key [index];
                buffer [len++] = (c < 0x20 || c == 0x7f)? '?': (char) c;
            }
            buffer [len++] = '\'';
        }
        else
            len = (size_t) snprintf (buffer, sizeof buffer, "[%zu]", ctx->path [step].len);
        if (len > size - 1 - used)
            len = size - 1 - used;
        memcpy (out + used, buffer, len);
        used += len;
        out [used] = 0;
    }
}

int
ab_mp_fail (ab_mp_ctx_t *ctx, ab_proto_code_t code, const char *format, ...)
{
    //  The first error wins: an outer caller failing "because the inner
    //  one failed" must not overwrite the precise inner message.
    if (ctx->error->code != AB_PROTO_OK)
        return -1;
    //  Prefix first, then the text straight after it, so nothing is
    //  formatted twice and truncation simply cuts the tail
    char *message = ctx->error->message;
    size_t size = sizeof ctx->error->message;
    int used;
    if (ctx->depth) {
        char path [160];
        s_render_path (ctx, path, sizeof path);
        used = snprintf (message, size, "%s: field %s ", ctx->cmd, path);
    }
    else
        used = snprintf (message, size, "%s: ", ctx->cmd);
    if (used < 0)
        used = 0;
    if ((size_t) used < size - 1) {
        va_list args;
        va_start (args, format);
        vsnprintf (message + used, size - (size_t) used, format, args);
        va_end (args);
    }
    ctx->error->code = code;
    return -1;
}

size_t
ab_mp_push_key (ab_mp_ctx_t *ctx, const char *key, size_t len)
{
    size_t mark = ctx->depth;
    if (ctx->depth < AB_MP_PATH_MAX) {
        ctx->path [ctx->depth].key = key;
        ctx->path [ctx->depth].len = len;
    }
    ctx->depth++;
    return mark;
}

size_t
ab_mp_push_index (ab_mp_ctx_t *ctx, uint32_t index)
{
    size_t mark = ctx->depth;
    if (ctx->depth < AB_MP_PATH_MAX) {
        ctx->path [ctx->depth].key = NULL;
        ctx->path [ctx->depth].len = index;
    }
    ctx->depth++;
    return mark;
}

void
ab_mp_pop (ab_mp_ctx_t *ctx, size_t mark)
{
    assert (mark <= ctx->depth);
    ctx->depth = mark;
}

//  ---------------------------------------------------------------------
//  Structural scan

static uint64_t
s_be (const uint8_t *p, size_t bytes)
{
    uint64_t value = 0;
    for (size_t index = 0; index < bytes; index++)
        value = (value << 8) | p [index];
    return value;
}

int
ab_mp_scan (ab_mp_ctx_t *ctx, const uint8_t *data, size_t size)
{
    //  Iterative walk with an explicit stack of "elements still to read"
    //  per open container, so hostile nesting cannot grow the C stack.
    uint64_t pending [AB_MAX_JSON_DEPTH + 1];
    int depth = 0;
    size_t pos = 0;
    if (size == 0)
        return ab_mp_fail (ctx, AB_PROTO_ERR_TRUNCATED, "frame 1 is empty, expected a msgpack map");
    do {
        if (pos >= size)
            return ab_mp_fail (ctx, AB_PROTO_ERR_TRUNCATED,
                               "msgpack ends early at byte %zu of %zu", pos, size);
        uint8_t byte = data [pos++];
        size_t len_bytes = 0;       //  size of a length field that follows
        size_t fixed = 0;           //  payload bytes known from the type
        uint64_t payload = 0;       //  payload bytes from a length field
        uint64_t elements = 0;      //  children if a container
        bool container = false;
        if (byte <= 0x7f || byte >= 0xe0 || byte == 0xc0 || byte == 0xc2 || byte == 0xc3)
            ;                       //  fixint, nil, bool: the byte is all
        else
        if (byte <= 0x8f) {
            container = true;
            elements = 2 * (uint64_t) (byte & 0x0f);
        }
        else
        if (byte <= 0x9f) {
            container = true;
            elements = byte & 0x0f;
        }
        else
        if (byte <= 0xbf)
            fixed = byte & 0x1f;
        else
        switch (byte) {
            case 0xc4: case 0xd9: len_bytes = 1; break;         //  bin8, str8
            case 0xc5: case 0xda: len_bytes = 2; break;         //  bin16, str16
            case 0xc6: case 0xdb: len_bytes = 4; break;         //  bin32, str32
            case 0xc7: len_bytes = 1; fixed = 1; break;         //  ext8 + type
            case 0xc8: len_bytes = 2; fixed = 1; break;
            case 0xc9: len_bytes = 4; fixed = 1; break;
            case 0xca: fixed = 4; break;                        //  float32
            case 0xcb: fixed = 8; break;                        //  float64
            case 0xcc: case 0xd0: fixed = 1; break;
            case 0xcd: case 0xd1: fixed = 2; break;
            case 0xce: case 0xd2: fixed = 4; break;
            case 0xcf: case 0xd3: fixed = 8; break;
            case 0xd4: fixed = 2; break;                        //  fixext1..16
            case 0xd5: fixed = 3; break;
            case 0xd6: fixed = 5; break;
            case 0xd7: fixed = 9; break;
            case 0xd8: fixed = 17; break;
            case 0xdc: len_bytes = 2; container = true; break;  //  array16
            case 0xdd: len_bytes = 4; container = true; break;
            case 0xde: len_bytes = 2; container = true; break;  //  map16
            case 0xdf: len_bytes = 4; container = true; break;
            default:
                return ab_mp_fail (ctx, AB_PROTO_ERR_TRUNCATED,
                                   "invalid msgpack byte 0x%02x at offset %zu",
                                   byte, pos - 1);
        }
        if (len_bytes) {
            if (size - pos < len_bytes)
                return ab_mp_fail (ctx, AB_PROTO_ERR_TRUNCATED,
                                   "msgpack ends early at byte %zu of %zu", size, size);
            uint64_t count = s_be (data + pos, len_bytes);
            pos += len_bytes;
            if (container)
                elements = (byte == 0xde || byte == 0xdf)? 2 * count: count;
            else
                payload = count;
        }
        if (container) {
            //  Each element takes at least one byte: a count the frame
            //  cannot hold is truncation, caught here before anything
            //  would be allocated for it.
            if (elements > size - pos)
                return ab_mp_fail (ctx, AB_PROTO_ERR_TRUNCATED,
                                   "msgpack container at offset %zu declares %llu "
                                   "elements but only %zu bytes follow",
                                   pos, (unsigned long long) elements, size - pos);
            if (depth >= AB_MAX_JSON_DEPTH)
                return ab_mp_fail (ctx, AB_PROTO_ERR_SIZE,
                                   "msgpack nests deeper than %d containers", AB_MAX_JSON_DEPTH);
            if (elements) {
                pending [++depth] = elements;
                continue;
            }
        }
        else {
            uint64_t skip = fixed + payload;
            if (skip > size - pos)
                return ab_mp_fail (ctx, AB_PROTO_ERR_TRUNCATED,
                                   "msgpack ends early at byte %zu of %zu", size, size);
            pos += (size_t) skip;
        }
        //  One object complete: count it against its containers
        while (depth > 0 && --pending [depth] == 0)
            depth--;
    } while (depth > 0);

    if (pos != size)
        return ab_mp_fail (ctx, AB_PROTO_ERR_TRUNCATED,
                           "%zu trailing bytes after the msgpack map", size - pos);
    return 0;
}

//  ---------------------------------------------------------------------
//  Typed readers

const char *
ab_mp_type_name (const msgpack_object *o)
{
    switch (o->type) {
        case MSGPACK_OBJECT_NIL: return "nil";
        case MSGPACK_OBJECT_BOOLEAN: return "bool";
        case MSGPACK_OBJECT_POSITIVE_INTEGER:
        case MSGPACK_OBJECT_NEGATIVE_INTEGER: return "int";
        case MSGPACK_OBJECT_FLOAT32:
        case MSGPACK_OBJECT_FLOAT64: return "float";
        case MSGPACK_OBJECT_STR: return "str";
        case MSGPACK_OBJECT_BIN: return "bin";
        case MSGPACK_OBJECT_ARRAY: return "array";
        case MSGPACK_OBJECT_MAP: return "map";
        case MSGPACK_OBJECT_EXT: return "ext";
    }
    return "unknown";
}

int
ab_mp_expect (ab_mp_ctx_t *ctx, const msgpack_object *o,
              msgpack_object_type expected, const char *name)
{
    if (o->type == expected)
        return 0;
    return ab_mp_fail (ctx, AB_PROTO_ERR_TYPE, "has type %s, expected %s",
                       ab_mp_type_name (o), name);
}

static char *
s_copy (ab_mp_ctx_t *ctx, const char *data, size_t size)
{
    char *copy = (char *) malloc (size + 1);
    if (!copy) {
        ab_mp_fail (ctx, AB_PROTO_ERR_NOMEM, "out of memory copying %zu bytes", size);
        return NULL;
    }
    if (size)
        memcpy (copy, data, size);
    copy [size] = 0;
    return copy;
}

int
ab_mp_read_str (ab_mp_ctx_t *ctx, const msgpack_object *o, size_t limit, char **out)
{
    if (ab_mp_expect (ctx, o, MSGPACK_OBJECT_STR, "str"))
        return -1;
    size_t size = o->via.str.size;
    if (size > limit)
        return ab_mp_fail (ctx, AB_PROTO_ERR_SIZE, "is %zu bytes, limit %zu", size, limit);
    if (size && memchr (o->via.str.ptr, 0, size))
        return ab_mp_fail (ctx, AB_PROTO_ERR_VALUE, "contains a NUL byte");
    char *copy = s_copy (ctx, o->via.str.ptr, size);
    if (!copy)
        return -1;
    free (*out);
    *out = copy;
    return 0;
}

int
ab_mp_read_bytes (ab_mp_ctx_t *ctx, const msgpack_object *o, size_t limit,
                  char **out, size_t *size)
{
    const char *data;
    size_t len;
    if (o->type == MSGPACK_OBJECT_BIN) {
        data = o->via.bin.ptr;
        len = o->via.bin.size;
    }
    else
    if (o->type == MSGPACK_OBJECT_STR) {
        data = o->via.str.ptr;
        len = o->via.str.size;
    }
    else
        return ab_mp_fail (ctx, AB_PROTO_ERR_TYPE, "has type %s, expected bin or str",
                           ab_mp_type_name (o));
    if (len > limit)
        return ab_mp_fail (ctx, AB_PROTO_ERR_SIZE, "is %zu bytes, limit %zu", len, limit);
    char *copy = s_copy (ctx, data, len);
    if (!copy)
        return -1;
    free (*out);
    *out = copy;
    *size = len;
    return 0;
}

int
ab_mp_read_uint (ab_mp_ctx_t *ctx, const msgpack_object *o,
                 uint64_t min, uint64_t max, uint64_t *out)
{
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        return ab_mp_fail (ctx, AB_PROTO_ERR_VALUE, "is %lld, expected %llu..%llu",
                           (long long) o->via.i64, (unsigned long long) min,
                           (unsigned long long) max);
    if (ab_mp_expect (ctx, o, MSGPACK_OBJECT_POSITIVE_INTEGER, "int"))
        return -1;
    if (o->via.u64 < min || o->via.u64 > max)
        return ab_mp_fail (ctx, AB_PROTO_ERR_VALUE, "is %llu, expected %llu..%llu",
                           (unsigned long long) o->via.u64, (unsigned long long) min,
                           (unsigned long long) max);
    *out = o->via.u64;
    return 0;
}

int
ab_mp_read_int (ab_mp_ctx_t *ctx, const msgpack_object *o, int64_t *out)
{
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        *out = o->via.i64;
        return 0;
    }
    if (ab_mp_expect (ctx, o, MSGPACK_OBJECT_POSITIVE_INTEGER, "int"))
        return -1;
    if (o->via.u64 > (uint64_t) INT64_MAX)
        return ab_mp_fail (ctx, AB_PROTO_ERR_VALUE, "is %llu, beyond int64",
                           (unsigned long long) o->via.u64);
    *out = (int64_t) o->via.u64;
    return 0;
}

int
ab_mp_read_bool (ab_mp_ctx_t *ctx, const msgpack_object *o, bool *out)
{
    if (ab_mp_expect (ctx, o, MSGPACK_OBJECT_BOOLEAN, "bool"))
        return -1;
    *out = o->via.boolean;
    return 0;
}

//  ---------------------------------------------------------------------
//  Table-driven map decoding

static bool
s_is_digits (const char *s, size_t count)
{
    for (size_t index = 0; index < count; index++)
        if (s [index] < '0' || s [index] > '9')
            return false;
    return true;
}

static int
s_two (const char *s)
{
    return (s [0] - '0') * 10 + (s [1] - '0');
}

//  "" or YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ with plausible field ranges;
//  calendar exactness (Feb 30) is the producer's business, not the wire's.
static bool
s_valid_date (const char *s)
{
    size_t len = strlen (s);
    if (len == 0)
        return true;
    if (len != 10 && len != 20)
        return false;
    if (!s_is_digits (s, 4) || s [4] != '-' || !s_is_digits (s + 5, 2)
    ||  s [7] != '-' || !s_is_digits (s + 8, 2))
        return false;
    int month = s_two (s + 5), day = s_two (s + 8);
    if (month < 1 || month > 12 || day < 1 || day > 31)
        return false;
    if (len == 10)
        return true;
    if (s [10] != 'T' || !s_is_digits (s + 11, 2) || s [13] != ':'
    ||  !s_is_digits (s + 14, 2) || s [16] != ':' || !s_is_digits (s + 17, 2)
    ||  s [19] != 'Z')
        return false;
    return s_two (s + 11) <= 23 && s_two (s + 14) <= 59 && s_two (s + 17) <= 60;
}

static bool
s_valid_id (const char *s)
{
    size_t len = 0;
    for (; s [len]; len++)
        if (!((s [len] >= '0' && s [len] <= '9') || (s [len] >= 'a' && s [len] <= 'f')))
            return false;
    return len == 16;
}

static int
s_decode_field (ab_mp_ctx_t *ctx, const ab_mp_field_t *field,
                const msgpack_object *o, void *self)
{
    char *base = (char *) self;
    uint64_t number;
    switch (field->kind) {
        case AB_MP_STR:
        case AB_MP_ID:
        case AB_MP_DATE:
        case AB_MP_WORD: {
            char **target = (char **) (base + field->offset);
            if (ab_mp_read_str (ctx, o, AB_MAX_FIELD, target))
                return -1;
            if (field->kind == AB_MP_ID && !s_valid_id (*target))
                return ab_mp_fail (ctx, AB_PROTO_ERR_VALUE,
                                   "is not 16 lowercase hex digits");
            if (field->kind == AB_MP_DATE && !s_valid_date (*target))
                return ab_mp_fail (ctx, AB_PROTO_ERR_VALUE,
                                   "is not \"\", YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
            if (field->kind == AB_MP_WORD) {
                const char *const *word = field->words;
                while (*word && strcmp (*word, *target))
                    word++;
                if (!*word)
                    return ab_mp_fail (ctx, AB_PROTO_ERR_VALUE,
                                       "is \"%.40s\", not an allowed word", *target);
            }
            return 0;
        }
        case AB_MP_I64:
            return ab_mp_read_int (ctx, o, (int64_t *) (base + field->offset));
        case AB_MP_U32:
            if (ab_mp_read_uint (ctx, o, field->min, UINT32_MAX, &number))
                return -1;
            *(uint32_t *) (base + field->offset) = (uint32_t) number;
            return 0;
        case AB_MP_U64:
            if (ab_mp_read_uint (ctx, o, field->min, UINT64_MAX, &number))
                return -1;
            *(uint64_t *) (base + field->offset) = number;
            return 0;
        case AB_MP_BOOL:
            return ab_mp_read_bool (ctx, o, (bool *) (base + field->offset));
        case AB_MP_CUSTOM:
            return field->custom (ctx, o, self);
    }
    return ab_mp_fail (ctx, AB_PROTO_ERR_VALUE, "has an unknown field kind");
}

int
ab_mp_decode_fields (ab_mp_ctx_t *ctx, const msgpack_object *map,
                     const ab_mp_field_t *fields, size_t count, void *self)
{
    assert (count <= 32);
    if (ab_mp_expect (ctx, map, MSGPACK_OBJECT_MAP, "map"))
        return -1;
    uint32_t seen = 0;
    size_t hint = 0;
    //  Cost is keys x fields, with fields a small constant: a map stuffed
    //  with unknown keys costs linear time, never quadratic.  Our own
    //  encoders write keys in table order, so the search starts where the
    //  last match was and usually hits at once.
    for (uint32_t index = 0; index < map->via.map.size; index++) {
        const msgpack_object_kv *kv = &map->via.map.ptr [index];
        if (kv->key.type != MSGPACK_OBJECT_STR) {
            size_t mark = ab_mp_push_index (ctx, index);
            ab_mp_fail (ctx, AB_PROTO_ERR_TYPE, "(map key) has type %s, expected str",
                        ab_mp_type_name (&kv->key));
            ab_mp_pop (ctx, mark);
            return -1;
        }
        const char *key = kv->key.via.str.ptr;
        size_t key_len = kv->key.via.str.size;
        for (size_t tried = 0; tried < count; tried++) {
            size_t slot = (hint + tried) % count;
            if (fields [slot].name_len != key_len
            ||  memcmp (fields [slot].name, key, key_len) != 0)
                continue;
            hint = slot + 1;
            size_t mark = ab_mp_push_key (ctx, key, key_len);
            int rc;
            if (seen & (1u << slot))
                rc = ab_mp_fail (ctx, AB_PROTO_ERR_VALUE, "appears twice");
            else
                rc = s_decode_field (ctx, &fields [slot], &kv->val, self);
            ab_mp_pop (ctx, mark);
            if (rc)
                return -1;
            seen |= 1u << slot;
            break;
        }
    }
    for (size_t slot = 0; slot < count; slot++)
        if (!(seen & (1u << slot)) && !fields [slot].optional) {
            size_t mark = ab_mp_push_key (ctx, fields [slot].name, fields [slot].name_len);
            ab_mp_fail (ctx, AB_PROTO_ERR_MISSING, "is missing");
            ab_mp_pop (ctx, mark);
            return -1;
        }
    return 0;
}

//  ---------------------------------------------------------------------
//  JSON <-> msgpack

json_t *
ab_mp_to_json (ab_mp_ctx_t *ctx, const msgpack_object *o, int depth)
{
    json_t *json = NULL;
    switch (o->type) {
        case MSGPACK_OBJECT_NIL:
            json = json_null ();
            break;
        case MSGPACK_OBJECT_BOOLEAN:
            json = json_boolean (o->via.boolean);
            break;
        case MSGPACK_OBJECT_POSITIVE_INTEGER:
            if (o->via.u64 > (uint64_t) INT64_MAX) {
                ab_mp_fail (ctx, AB_PROTO_ERR_VALUE, "is %llu, beyond int64",
                            (unsigned long long) o->via.u64);
                return NULL;
            }
            json = json_integer ((json_int_t) o->via.u64);
            break;
        case MSGPACK_OBJECT_NEGATIVE_INTEGER:
            json = json_integer ((json_int_t) o->via.i64);
            break;
        case MSGPACK_OBJECT_FLOAT32:
        case MSGPACK_OBJECT_FLOAT64:
            if (!isfinite (o->via.f64)) {
                ab_mp_fail (ctx, AB_PROTO_ERR_VALUE, "is a float that is not finite");
                return NULL;
            }
            json = json_real (o->via.f64);
            break;
        case MSGPACK_OBJECT_STR:
            if (o->via.str.size > AB_MAX_FIELD) {
                ab_mp_fail (ctx, AB_PROTO_ERR_SIZE, "is %u bytes, limit %u",
                            o->via.str.size, AB_MAX_FIELD);
                return NULL;
            }
            if (o->via.str.size && memchr (o->via.str.ptr, 0, o->via.str.size)) {
                ab_mp_fail (ctx, AB_PROTO_ERR_VALUE, "contains a NUL byte");
                return NULL;
            }
            //  json_stringn validates UTF-8; no memory is the other way
            //  it fails, and that is vanishingly rare for a short string
            json = json_stringn (o->via.str.ptr, o->via.str.size);
            if (!json) {
                ab_mp_fail (ctx, AB_PROTO_ERR_VALUE, "is not valid UTF-8");
                return NULL;
            }
            return json;
        case MSGPACK_OBJECT_ARRAY:
            if (depth > AB_MAX_JSON_DEPTH) {
                ab_mp_fail (ctx, AB_PROTO_ERR_SIZE, "nests deeper than %d", AB_MAX_JSON_DEPTH);
                return NULL;
            }
            json = json_array ();
            if (!json)
                break;
            for (uint32_t index = 0; index < o->via.array.size; index++) {
                size_t mark = ab_mp_push_index (ctx, index);
                json_t *item = ab_mp_to_json (ctx, &o->via.array.ptr [index], depth + 1);
                ab_mp_pop (ctx, mark);
                if (!item || json_array_append_new (json, item)) {
                    if (item)
                        ab_mp_fail (ctx, AB_PROTO_ERR_NOMEM, "out of memory");
                    json_decref (json);
                    return NULL;
                }
            }
            return json;
        case MSGPACK_OBJECT_MAP:
            if (depth > AB_MAX_JSON_DEPTH) {
                ab_mp_fail (ctx, AB_PROTO_ERR_SIZE, "nests deeper than %d", AB_MAX_JSON_DEPTH);
                return NULL;
            }
            json = json_object ();
            if (!json)
                break;
            for (uint32_t index = 0; index < o->via.map.size; index++) {
                const msgpack_object_kv *kv = &o->via.map.ptr [index];
                if (kv->key.type != MSGPACK_OBJECT_STR) {
                    size_t mark = ab_mp_push_index (ctx, index);
                    ab_mp_fail (ctx, AB_PROTO_ERR_TYPE, "(map key) has type %s, expected str",
                                ab_mp_type_name (&kv->key));
                    ab_mp_pop (ctx, mark);
                    json_decref (json);
                    return NULL;
                }
                const char *key = kv->key.via.str.ptr;
                size_t key_len = kv->key.via.str.size;
                size_t mark = ab_mp_push_key (ctx, key, key_len);
                int rc = 0;
                if (key_len > AB_MAX_FIELD)
                    rc = ab_mp_fail (ctx, AB_PROTO_ERR_SIZE, "(map key) is %zu bytes, limit %u",
                                     key_len, AB_MAX_FIELD);
                else
                if (key_len && memchr (key, 0, key_len))
                    rc = ab_mp_fail (ctx, AB_PROTO_ERR_VALUE, "(map key) contains a NUL byte");
                else
                if (json_object_getn (json, key, key_len))
                    rc = ab_mp_fail (ctx, AB_PROTO_ERR_VALUE, "appears twice");
                json_t *value = rc? NULL: ab_mp_to_json (ctx, &kv->val, depth + 1);
                if (value && json_object_setn_new (json, key, key_len, value))
                    //  setn_new consumed value; it fails on bad UTF-8 keys
                    value = NULL, ab_mp_fail (ctx, AB_PROTO_ERR_VALUE,
                                              "(map key) is not valid UTF-8");
                ab_mp_pop (ctx, mark);
                if (!value) {
                    json_decref (json);
                    return NULL;
                }
            }
            return json;
        case MSGPACK_OBJECT_BIN:
        case MSGPACK_OBJECT_EXT:
        default:
            ab_mp_fail (ctx, AB_PROTO_ERR_TYPE,
                        "has type %s, expected nil, bool, int, float, str, array or map",
                        ab_mp_type_name (o));
            return NULL;
    }
    if (!json)
        ab_mp_fail (ctx, AB_PROTO_ERR_NOMEM, "out of memory");
    return json;
}

int
ab_mp_pack_cstr (msgpack_packer *pk, const char *string)
{
    size_t len = string? strlen (string): 0;
    int rc = msgpack_pack_str (pk, len);
    if (len)
        rc |= msgpack_pack_str_body (pk, string, len);
    return rc? -1: 0;
}

int
ab_mp_pack_json (msgpack_packer *pk, const json_t *json, int depth)
{
    int rc = 0;
    switch (json_typeof (json)) {
        case JSON_NULL:
            return msgpack_pack_nil (pk)? -1: 0;
        case JSON_TRUE:
            return msgpack_pack_true (pk)? -1: 0;
        case JSON_FALSE:
            return msgpack_pack_false (pk)? -1: 0;
        case JSON_INTEGER:
            return msgpack_pack_int64 (pk, json_integer_value (json))? -1: 0;
        case JSON_REAL:
            return msgpack_pack_double (pk, json_real_value (json))? -1: 0;
        case JSON_STRING: {
            size_t len = json_string_length (json);
            rc = msgpack_pack_str (pk, len);
            if (len)
                rc |= msgpack_pack_str_body (pk, json_string_value (json), len);
            return rc? -1: 0;
        }
        case JSON_ARRAY: {
            //  The depth limit also stops reference cycles, which jansson
            //  lets a careless caller build
            if (depth > AB_MAX_JSON_DEPTH)
                return -1;
            size_t size = json_array_size (json);
            rc = msgpack_pack_array (pk, size);
            for (size_t index = 0; index < size && rc == 0; index++)
                rc = ab_mp_pack_json (pk, json_array_get (json, index), depth + 1);
            return rc? -1: 0;
        }
        case JSON_OBJECT: {
            if (depth > AB_MAX_JSON_DEPTH)
                return -1;
            rc = msgpack_pack_map (pk, json_object_size (json));
            const char *key;
            size_t key_len;
            json_t *value;
            //  json_object_keylen_foreach is 2.14 only in some distros;
            //  the key length comes from the key itself
            json_object_foreach ((json_t *) json, key, value) {
                if (rc)
                    break;
                key_len = strlen (key);
                rc = msgpack_pack_str (pk, key_len);
                if (key_len)
                    rc |= msgpack_pack_str_body (pk, key, key_len);
                if (rc == 0)
                    rc = ab_mp_pack_json (pk, value, depth + 1);
            }
            return rc? -1: 0;
        }
    }
    return -1;
}
