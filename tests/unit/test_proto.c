/*  =========================================================================
    test_proto - wire protocol v1 codec (proto/ab_msg.[ch])

    Round trips every message with every field populated, then breaks
    valid encodings in every way PROTOCOL.md names (frames, command,
    truncation at every byte, trailing bytes, version, each required field
    missing or of the wrong type, limits, values) and checks that each
    gives its own error code.  Malformed maps are made by re-packing a
    valid encoding with one key dropped or replaced, so the tests follow
    the encoder instead of hand-written byte strings.  Last, messages
    cross a real ZeroMQ PUSH/PULL pair on inproc://.

    With AB_PROTO_CORPUS=dir set, also writes seed inputs for the fuzzer
    (tests/fuzz/fuzz_proto.c format) into dir.
    =========================================================================
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ab_msg.h"
#include <msgpack.h>

#define ID "0123456789abcdef"

//  ---------------------------------------------------------------------
//  Sample messages, every field set

static const char s_body [] = "First line.\0Second \xff line after a NUL.";
#define S_BODY_SIZE (sizeof s_body - 1)

static ab_article_t *
s_article_sample (void)
{
    ab_article_t *article = ab_article_new ();
    assert_non_null (article);
    assert_int_equal (ab_article_set (&article->id, ID), 0);
    assert_int_equal (ab_article_set (&article->source, "Kyōdō Tsūshin"), 0);
    assert_int_equal (ab_article_set (&article->url, "https://example.org/a?b=1&c=2"), 0);
    assert_int_equal (ab_article_set (&article->title, "同盟 \xe2\x80\x94 alliance \"brief\" \xf0\x9f\x87\xaf\xf0\x9f\x87\xb5"), 0);
    assert_int_equal (ab_article_set (&article->published, "2024-04-10T09:30:00Z"), 0);
    assert_int_equal (ab_article_set (&article->origin, "stdin:42"), 0);
    article->received_ms = 1712700000123;
    article->attempt = 3;
    assert_int_equal (ab_article_set_body (article, s_body, S_BODY_SIZE), 0);
    return article;
}

static const char *s_hedge_words [] = {
    "asserted", "reported", "expected", "considered", "denied", "hoped"
};

static void
s_fill_claim (ab_claim_t *claim, uint32_t index)
{
    char text [64];
    snprintf (text, sizeof text, "rule_%u", index);
    assert_int_equal (ab_article_set (&claim->type, "commander_rank"), 0);
    assert_int_equal (ab_article_set (&claim->rule, text), 0);
    assert_int_equal (ab_claim_add_actor (claim, "US"), 0);
    assert_int_equal (ab_claim_add_actor (claim, "USFJ"), 0);
    assert_int_equal (ab_claim_add_actor (claim, ""), 0);
    assert_int_equal (ab_claim_add_key (claim, "unit", "USFJ"), 0);
    assert_int_equal (ab_claim_add_value (claim, "rank", "4"), 0);
    assert_int_equal (ab_claim_add_value (claim, "note", "ünïcödé ✓"), 0);
    assert_int_equal (ab_article_set (&claim->hedge, s_hedge_words [index % 6]), 0);
    assert_int_equal (ab_article_set (&claim->attribution, index % 2? "": "a spokesperson"), 0);
    assert_int_equal (ab_article_set (&claim->evidence, "The command will be led by a four-star officer."), 0);
    claim->evidence_start = 100 + index;
    claim->evidence_end = 148 + index;
    claim->match_start = 110 + index;
    claim->match_end = 140 + index;
}

static ab_result_t *
s_result_sample (uint32_t claims)
{
    ab_result_t *result = ab_result_new ();
    assert_non_null (result);
    ab_article_t *article = s_article_sample ();
    assert_int_equal (ab_result_set_article (result, article), 0);
    ab_article_destroy (&article);
    assert_int_equal (ab_article_set (&result->worker, "worker-7@host"), 0);
    result->fingerprint = UINT64_C (0xfedcba9876543210);
    result->invalid_utf8 = 1;
    result->homoglyphs = 2;
    result->boilerplate = 3;
    result->sentences = 40;
    result->text_size = UINT32_MAX;
    for (uint32_t index = 0; index < claims; index++) {
        ab_claim_t *claim = ab_result_add_claim (result);
        assert_non_null (claim);
        s_fill_claim (claim, index);
    }
    return result;
}

static json_t *
s_item (void)
{
    json_error_t jerr;
    json_t *item = json_loads (
        "{\"key\":\"commander_rank{unit=USFJ}\",\"value\":{\"rank\":\"4\"},"
        "\"support\":3,\"ratio\":0.5,\"neg\":-12,\"flag\":true,\"off\":false,"
        "\"none\":null,\"sources\":[\"A\",\"Ｂ\",\"\"],\"deep\":[[{\"x\":[1]}]],"
        "\"empty\":{},\"list\":[]}", 0, &jerr);
    assert_non_null (item);
    return item;
}

static ab_delta_t *
s_delta_sample (void)
{
    ab_delta_t *delta = (ab_delta_t *) calloc (1, sizeof *delta);
    assert_non_null (delta);
    delta->seq = 41;
    delta->topic_seq = 7;
    assert_int_equal (ab_article_set (&delta->op, "support_changed"), 0);
    assert_int_equal (ab_article_set (&delta->topic, "commander_rank"), 0);
    assert_int_equal (ab_article_set (&delta->key, "commander_rank{unit=USFJ}"), 0);
    delta->item = s_item ();
    delta->summary = json_pack ("{s:i,s:s}", "items", 12, "generated", "2024-04-10T09:30:00Z");
    assert_non_null (delta->summary);
    return delta;
}

static ab_snapshot_t *
s_snapshot_reply_sample (void)
{
    ab_snapshot_t *snapshot = (ab_snapshot_t *) calloc (1, sizeof *snapshot);
    assert_non_null (snapshot);
    assert_int_equal (ab_article_set (&snapshot->topic, "commander"), 0);
    snapshot->is_reply = true;
    snapshot->seq = 1000;
    snapshot->topic_seqs = json_pack ("{s:I,s:I}", "commander_rank", (json_int_t) 7,
                                      "exercise", (json_int_t) 0);
    snapshot->items = json_array ();
    json_array_append_new (snapshot->items, s_item ());
    json_array_append_new (snapshot->items, json_object ());
    snapshot->summary = json_pack ("{s:i}", "items", 2);
    return snapshot;
}

//  ---------------------------------------------------------------------
//  Message table: every decoder behind one signature

typedef void *(decode_fn) (zmsg_t *msg, ab_proto_error_t *error);
typedef void (free_fn) (void *self);

static void s_free_article (void *p) { ab_article_t *x = p; ab_article_destroy (&x); }
static void s_free_result (void *p) { ab_result_t *x = p; ab_result_destroy (&x); }
static void s_free_ack (void *p) { ab_ack_t *x = p; ab_ack_destroy (&x); }
static void s_free_credit (void *p) { ab_credit_t *x = p; ab_credit_destroy (&x); }
static void s_free_heartbeat (void *p) { ab_heartbeat_t *x = p; ab_heartbeat_destroy (&x); }
static void s_free_errmsg (void *p) { ab_errmsg_t *x = p; ab_errmsg_destroy (&x); }
static void s_free_snapshot (void *p) { ab_snapshot_t *x = p; ab_snapshot_destroy (&x); }
static void s_free_delta (void *p) { ab_delta_t *x = p; ab_delta_destroy (&x); }

static void *s_dec_article (zmsg_t *m, ab_proto_error_t *e) { return ab_article_decode (m, e); }
static void *s_dec_result (zmsg_t *m, ab_proto_error_t *e) { return ab_result_decode (m, e); }
static void *s_dec_ack (zmsg_t *m, ab_proto_error_t *e) { return ab_ack_decode (m, e); }
static void *s_dec_credit (zmsg_t *m, ab_proto_error_t *e) { return ab_credit_decode (m, e); }
static void *s_dec_heartbeat (zmsg_t *m, ab_proto_error_t *e) { return ab_heartbeat_decode (m, e); }
static void *s_dec_heartbeat_pub (zmsg_t *m, ab_proto_error_t *e) { return ab_heartbeat_decode_pub (m, e); }
static void *s_dec_errmsg (zmsg_t *m, ab_proto_error_t *e) { return ab_errmsg_decode (m, e); }
static void *s_dec_snapshot (zmsg_t *m, ab_proto_error_t *e) { return ab_snapshot_decode (m, e); }
static void *s_dec_delta (zmsg_t *m, ab_proto_error_t *e) { return ab_delta_decode (m, e); }

static zmsg_t *
s_enc_article (void)
{
    ab_article_t *x = s_article_sample ();
    zmsg_t *msg = ab_article_encode (x);
    ab_article_destroy (&x);
    return msg;
}

static zmsg_t *
s_enc_result (void)
{
    ab_result_t *x = s_result_sample (3);
    zmsg_t *msg = ab_result_encode (x);
    ab_result_destroy (&x);
    return msg;
}

static zmsg_t *
s_enc_ack (void)
{
    ab_ack_t ack = { ID, 17, true };
    return ab_ack_encode (&ack);
}

static zmsg_t *
s_enc_credit (void)
{
    ab_credit_t credit = { 5, "w-1" };
    return ab_credit_encode (&credit);
}

static zmsg_t *
s_enc_heartbeat (void)
{
    ab_heartbeat_t heartbeat = { .seq = 99, .sent_ms = 1712700000000 };
    return ab_heartbeat_encode (&heartbeat);
}

static zmsg_t *
s_enc_heartbeat_pub (void)
{
    ab_heartbeat_t heartbeat = { .seq = 99, .sent_ms = 1712700000000 };
    return ab_heartbeat_encode_pub (&heartbeat);
}

static zmsg_t *
s_enc_errmsg (void)
{
    ab_errmsg_t errmsg = { AB_PROTO_ERR_TYPE, "RESULT: field 'x' has type int, expected str" };
    return ab_errmsg_encode (&errmsg);
}

static zmsg_t *
s_enc_snapshot (void)
{
    ab_snapshot_t *x = s_snapshot_reply_sample ();
    zmsg_t *msg = ab_snapshot_encode (x);
    ab_snapshot_destroy (&x);
    return msg;
}

static zmsg_t *
s_enc_snapshot_request (void)
{
    ab_snapshot_t request = { "", 0, NULL, NULL, NULL, false };
    return ab_snapshot_encode (&request);
}

static zmsg_t *
s_enc_delta (void)
{
    ab_delta_t *x = s_delta_sample ();
    zmsg_t *msg = ab_delta_encode (x);
    ab_delta_destroy (&x);
    return msg;
}

typedef struct {
    const char *name;
    zmsg_t *(*encode) (void);
    decode_fn *decode;
    free_fn *destroy;
    bool pub;                   //  [topic][cmd][map]
    const char *optional [2];   //  keys that may be absent
} s_kind_t;

static const s_kind_t s_kinds [] = {
    { "ARTICLE", s_enc_article, s_dec_article, s_free_article, false, { NULL } },
    { "RESULT", s_enc_result, s_dec_result, s_free_result, false, { NULL } },
    { "ACK", s_enc_ack, s_dec_ack, s_free_ack, false, { NULL } },
    { "CREDIT", s_enc_credit, s_dec_credit, s_free_credit, false, { NULL } },
    { "HEARTBEAT", s_enc_heartbeat, s_dec_heartbeat, s_free_heartbeat, false, { NULL } },
    { "HEARTBEAT", s_enc_heartbeat_pub, s_dec_heartbeat_pub, s_free_heartbeat, true, { NULL } },
    { "ERROR", s_enc_errmsg, s_dec_errmsg, s_free_errmsg, false, { NULL } },
    { "SNAPSHOT", s_enc_snapshot, s_dec_snapshot, s_free_snapshot, false, { "summary" } },
    { "DELTA", s_enc_delta, s_dec_delta, s_free_delta, true, { "summary" } },
    { "SNAPSHOT", s_enc_snapshot_request, s_dec_snapshot, s_free_snapshot, false, { NULL } },
};
#define KIND_COUNT (sizeof s_kinds / sizeof s_kinds [0])

//  Decode and expect failure with code; the message must start with the
//  command name and, if want is given, contain it.
static void
s_expect_error (const s_kind_t *kind, zmsg_t *msg, ab_proto_code_t code, const char *want)
{
    ab_proto_error_t error;
    memset (&error, 0x55, sizeof error);
    void *decoded = kind->decode (msg, &error);
    if (decoded || error.code != code)
        print_error ("%s (%s): expected %s, got %s: %s\n", kind->name, want? want: "",
                     ab_proto_code_name (code), decoded? "success": ab_proto_code_name (error.code),
                     decoded? "": error.message);
    if (decoded)
        kind->destroy (decoded);
    assert_null (decoded);
    assert_int_equal (error.code, code);
    assert_true (strlen (error.message) < sizeof error.message);
    assert_int_equal (strncmp (error.message, kind->name, strlen (kind->name)), 0);
    if (want && !strstr (error.message, want)) {
        print_error ("message \"%s\" lacks \"%s\"\n", error.message, want);
        fail ();
    }
}

//  The msgpack frame (last frame) of a message
static zframe_t *
s_map_frame (zmsg_t *msg)
{
    return zmsg_last (msg);
}

//  Copy of msg with its map frame replaced by size bytes of data.
static zmsg_t *
s_with_map (zmsg_t *msg, const void *data, size_t size)
{
    zmsg_t *copy = zmsg_new ();
    size_t frames = zmsg_size (msg);
    zframe_t *frame = zmsg_first (msg);
    for (size_t index = 0; index + 1 < frames; index++) {
        zmsg_addmem (copy, zframe_data (frame), zframe_size (frame));
        frame = zmsg_next (msg);
    }
    zmsg_addmem (copy, data, size);
    return copy;
}

//  ---------------------------------------------------------------------
//  Re-packing with one change.  path names a key: {"title"} at the top,
//  {"claims", "0", "hedge"} inside the first claim.  A NULL replacement
//  drops the key; otherwise its value is replaced by what pack_value packs.

typedef void (pack_value_fn) (msgpack_packer *pk, const msgpack_object *old);

static void
s_repack (msgpack_packer *pk, const msgpack_object *o, const char **path, size_t depth,
          pack_value_fn *replace)
{
    if (!*path) {
        msgpack_pack_object (pk, *o);
        return;
    }
    if (o->type == MSGPACK_OBJECT_ARRAY) {
        uint32_t target = (uint32_t) atoi (path [0]);
        msgpack_pack_array (pk, o->via.array.size);
        for (uint32_t index = 0; index < o->via.array.size; index++)
            if (index == target && !path [1])
                replace (pk, &o->via.array.ptr [index]);
            else
            if (index == target)
                s_repack (pk, &o->via.array.ptr [index], path + 1, depth + 1, replace);
            else
                msgpack_pack_object (pk, o->via.array.ptr [index]);
        return;
    }
    assert_int_equal (o->type, MSGPACK_OBJECT_MAP);
    uint32_t size = o->via.map.size;
    bool found = false;
    for (uint32_t index = 0; index < size; index++) {
        const msgpack_object *key = &o->via.map.ptr [index].key;
        if (key->via.str.size == strlen (path [0]) && memcmp (key->via.str.ptr, path [0], key->via.str.size) == 0)
            found = true;
    }
    assert_true (found);
    bool drop = !path [1] && !replace;
    msgpack_pack_map (pk, drop? size - 1: size);
    for (uint32_t index = 0; index < size; index++) {
        const msgpack_object_kv *kv = &o->via.map.ptr [index];
        bool match = kv->key.via.str.size == strlen (path [0])
                  && memcmp (kv->key.via.str.ptr, path [0], kv->key.via.str.size) == 0;
        if (!match) {
            msgpack_pack_object (pk, kv->key);
            msgpack_pack_object (pk, kv->val);
        }
        else
        if (path [1]) {
            msgpack_pack_object (pk, kv->key);
            s_repack (pk, &kv->val, path + 1, depth + 1, replace);
        }
        else
        if (!drop) {
            msgpack_pack_object (pk, kv->key);
            replace (pk, &kv->val);
        }
    }
}

//  A copy of msg with the key at path dropped (replace NULL) or replaced.
static zmsg_t *
s_mutate (zmsg_t *msg, const char **path, pack_value_fn *replace)
{
    zframe_t *frame = s_map_frame (msg);
    msgpack_unpacked unpacked;
    msgpack_unpacked_init (&unpacked);
    size_t offset = 0;
    assert_int_equal (msgpack_unpack_next (&unpacked, (const char *) zframe_data (frame),
                                           zframe_size (frame), &offset), MSGPACK_UNPACK_SUCCESS);
    msgpack_sbuffer buffer;
    msgpack_sbuffer_init (&buffer);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &buffer, msgpack_sbuffer_write);
    s_repack (&pk, &unpacked.data, path, 0, replace);
    zmsg_t *copy = s_with_map (msg, buffer.data, buffer.size);
    msgpack_sbuffer_destroy (&buffer);
    msgpack_unpacked_destroy (&unpacked);
    return copy;
}

static zmsg_t *
s_mutate_key (zmsg_t *msg, const char *key, pack_value_fn *replace)
{
    const char *path [] = { key, NULL };
    return s_mutate (msg, path, replace);
}

//  Wrong-type replacements: anything that is not a str becomes a str,
//  a str becomes an int
static void
s_wrong_type (msgpack_packer *pk, const msgpack_object *old)
{
    if (old->type == MSGPACK_OBJECT_STR || old->type == MSGPACK_OBJECT_BIN)
        msgpack_pack_int (pk, 7);
    else {
        msgpack_pack_str (pk, 1);
        msgpack_pack_str_body (pk, "x", 1);
    }
}

static const char *s_packed_text;
static size_t s_packed_size;

static void
s_pack_text (msgpack_packer *pk, const msgpack_object *old)
{
    msgpack_pack_str (pk, s_packed_size);
    msgpack_pack_str_body (pk, s_packed_text, s_packed_size);
}

static zmsg_t *
s_set_str (zmsg_t *msg, const char **path, const char *text, size_t size)
{
    s_packed_text = text;
    s_packed_size = size;
    return s_mutate (msg, path, s_pack_text);
}

static int64_t s_packed_int;

static void
s_pack_int (msgpack_packer *pk, const msgpack_object *old)
{
    msgpack_pack_int64 (pk, s_packed_int);
}

static zmsg_t *
s_set_int (zmsg_t *msg, const char **path, int64_t value)
{
    s_packed_int = value;
    return s_mutate (msg, path, s_pack_int);
}

static void
s_pack_nil (msgpack_packer *pk, const msgpack_object *old)
{
    msgpack_pack_nil (pk);
}

//  The keys of the map at path (NULL-terminated list of path elements),
//  into keys[]; returns the count.
static size_t
s_keys_at (zmsg_t *msg, const char **path, char keys [][32], size_t max)
{
    zframe_t *frame = s_map_frame (msg);
    msgpack_unpacked unpacked;
    msgpack_unpacked_init (&unpacked);
    size_t offset = 0;
    assert_int_equal (msgpack_unpack_next (&unpacked, (const char *) zframe_data (frame),
                                           zframe_size (frame), &offset), MSGPACK_UNPACK_SUCCESS);
    const msgpack_object *o = &unpacked.data;
    for (; *path; path++) {
        if (o->type == MSGPACK_OBJECT_ARRAY)
            o = &o->via.array.ptr [atoi (*path)];
        else
            for (uint32_t index = 0; index < o->via.map.size; index++)
                if (o->via.map.ptr [index].key.via.str.size == strlen (*path)
                &&  memcmp (o->via.map.ptr [index].key.via.str.ptr, *path, strlen (*path)) == 0) {
                    o = &o->via.map.ptr [index].val;
                    break;
                }
    }
    assert_int_equal (o->type, MSGPACK_OBJECT_MAP);
    size_t count = 0;
    for (uint32_t index = 0; index < o->via.map.size && count < max; index++) {
        const msgpack_object *key = &o->via.map.ptr [index].key;
        assert_true (key->via.str.size < 32);
        memcpy (keys [count], key->via.str.ptr, key->via.str.size);
        keys [count][key->via.str.size] = 0;
        count++;
    }
    msgpack_unpacked_destroy (&unpacked);
    return count;
}

//  ---------------------------------------------------------------------
//  Round trips

static void
test_article_round_trip (void **state)
{
    ab_article_t *article = s_article_sample ();
    zmsg_t *msg = ab_article_encode (article);
    assert_non_null (msg);
    assert_int_equal (zmsg_size (msg), 2);
    assert_int_equal (ab_msg_command (msg), AB_CMD_ARTICLE);
    ab_proto_error_t error;
    ab_article_t *copy = ab_article_decode (msg, &error);
    assert_non_null (copy);
    assert_int_equal (error.code, AB_PROTO_OK);
    assert_string_equal (copy->id, article->id);
    assert_string_equal (copy->source, article->source);
    assert_string_equal (copy->url, article->url);
    assert_string_equal (copy->title, article->title);
    assert_string_equal (copy->published, article->published);
    assert_string_equal (copy->origin, article->origin);
    assert_true (copy->received_ms == article->received_ms);
    assert_int_equal (copy->attempt, 3);
    assert_int_equal (copy->body_size, S_BODY_SIZE);
    assert_memory_equal (copy->body, s_body, S_BODY_SIZE);
    assert_int_equal (copy->body [copy->body_size], 0);
    //  Decoding does not consume: a second decode gives the same
    ab_article_t *again = ab_article_decode (msg, NULL);
    assert_non_null (again);
    ab_article_destroy (&again);
    ab_article_destroy (&copy);
    ab_article_destroy (&article);
    zmsg_destroy (&msg);

    //  An empty article (defaults): all strings "", empty body, attempt 1
    //  (the id must still be valid to decode)
    article = ab_article_new ();
    assert_non_null (article);
    assert_string_equal (article->title, "");
    assert_int_equal (article->attempt, 1);
    assert_int_equal (ab_article_set (&article->id, ID), 0);
    assert_int_equal (ab_article_set (&article->title, NULL), 0);
    article->received_ms = -5;
    msg = ab_article_encode (article);
    copy = ab_article_decode (msg, &error);
    assert_non_null (copy);
    assert_string_equal (copy->title, "");
    assert_string_equal (copy->published, "");
    assert_int_equal (copy->body_size, 0);
    assert_string_equal (copy->body, "");
    assert_true (copy->received_ms == -5);
    ab_article_destroy (&copy);
    ab_article_destroy (&article);
    zmsg_destroy (&msg);
    ab_article_destroy (&article);      //  NULL is fine
}

static void
s_check_claims_equal (const ab_claim_t *a, const ab_claim_t *b)
{
    assert_string_equal (a->type, b->type);
    assert_string_equal (a->rule, b->rule);
    assert_int_equal (a->actor_count, b->actor_count);
    for (uint32_t index = 0; index < a->actor_count; index++)
        assert_string_equal (a->actors [index], b->actors [index]);
    assert_int_equal (a->key_count, b->key_count);
    for (uint32_t index = 0; index < a->key_count; index++) {
        assert_string_equal (a->keys [index].name, b->keys [index].name);
        assert_string_equal (a->keys [index].value, b->keys [index].value);
    }
    assert_int_equal (a->value_count, b->value_count);
    for (uint32_t index = 0; index < a->value_count; index++) {
        assert_string_equal (a->values [index].name, b->values [index].name);
        assert_string_equal (a->values [index].value, b->values [index].value);
    }
    assert_string_equal (a->hedge, b->hedge);
    assert_string_equal (a->attribution, b->attribution);
    assert_string_equal (a->evidence, b->evidence);
    assert_int_equal (a->evidence_start, b->evidence_start);
    assert_int_equal (a->evidence_end, b->evidence_end);
    assert_int_equal (a->match_start, b->match_start);
    assert_int_equal (a->match_end, b->match_end);
}

static void
s_result_round_trip (uint32_t claims)
{
    ab_result_t *result = s_result_sample (claims);
    assert_int_equal (result->claim_count, claims);
    assert_true (result->claim_capacity >= claims);
    zmsg_t *msg = ab_result_encode (result);
    assert_non_null (msg);
    assert_int_equal (ab_msg_command (msg), AB_CMD_RESULT);
    ab_proto_error_t error;
    ab_result_t *copy = ab_result_decode (msg, &error);
    if (!copy)
        print_error ("%s\n", error.message);
    assert_non_null (copy);
    assert_string_equal (copy->article_id, ID);
    assert_string_equal (copy->source, result->source);
    assert_string_equal (copy->url, result->url);
    assert_string_equal (copy->title, result->title);
    assert_string_equal (copy->published, result->published);
    assert_string_equal (copy->origin, result->origin);
    assert_true (copy->received_ms == result->received_ms);
    assert_string_equal (copy->worker, "worker-7@host");
    assert_true (copy->fingerprint == UINT64_C (0xfedcba9876543210));
    assert_int_equal (copy->invalid_utf8, 1);
    assert_int_equal (copy->homoglyphs, 2);
    assert_int_equal (copy->boilerplate, 3);
    assert_int_equal (copy->sentences, 40);
    assert_int_equal (copy->text_size, UINT32_MAX);
    assert_int_equal (copy->claim_count, claims);
    for (uint32_t index = 0; index < claims; index++)
        s_check_claims_equal (&copy->claims [index], &result->claims [index]);
    //  A decoded result can still grow
    if (claims) {
        ab_claim_t *claim = &copy->claims [0];
        assert_int_equal (ab_claim_add_actor (claim, "JP"), 0);
        assert_int_equal (ab_claim_add_key (claim, "extra", "1"), 0);
        assert_string_equal (claim->actors [3], "JP");
        assert_string_equal (ab_claim_key (claim, "extra"), "1");
    }
    assert_non_null (ab_result_add_claim (copy));
    ab_result_destroy (&copy);
    ab_result_destroy (&result);
    zmsg_destroy (&msg);
}

static void
test_result_round_trip (void **state)
{
    s_result_round_trip (0);
    s_result_round_trip (1);
    s_result_round_trip (7);
    s_result_round_trip (AB_MAX_CLAIMS);
}

//  ab_result_add_claim_copy: a deep copy that owns its strings, that the
//  field-by-field helpers can still extend, and that encodes like the
//  claim it was copied from.
static void
test_claim_copy (void **state)
{
    ab_result_t *source = s_result_sample (3);
    ab_result_t *result = ab_result_new ();
    assert_non_null (result);
    for (uint32_t index = 0; index < source->claim_count; index++) {
        ab_claim_t *copy = ab_result_add_claim_copy (result, &source->claims [index]);
        assert_non_null (copy);
        s_check_claims_equal (copy, &source->claims [index]);
        assert_ptr_not_equal (copy->type, source->claims [index].type);
        assert_ptr_not_equal (copy->actors, source->claims [index].actors);
        assert_ptr_not_equal (copy->keys [0].value, source->claims [index].keys [0].value);
    }
    //  Borrowed strings: the copy must not point into the caller's buffers
    char evidence [] = "Seoul hosts the drills.";
    char *actors [] = { "KR" };
    ab_slot_t keys [] = { { "country", "KR" } };
    ab_claim_t draft = { .type = "exercise", .rule = "exercise.host", .actors = actors,
                         .actor_count = 1, .keys = keys, .key_count = 1,
                         .evidence = evidence, .evidence_end = 23 };
    ab_claim_t *copy = ab_result_add_claim_copy (result, &draft);
    assert_non_null (copy);
    evidence [0] = 'X';
    assert_string_equal (copy->evidence, "Seoul hosts the drills.");
    assert_string_equal (copy->hedge, "");          //  NULL strings become ""
    assert_string_equal (copy->attribution, "");
    assert_int_equal (copy->value_count, 0);
    assert_null (copy->values);
    //  Packed: every string and array in the claim's one block
    assert_non_null (copy->block);
    const char *first = copy->block;
    assert_ptr_equal (copy->actors, first);
    assert_true (copy->evidence > first && copy->keys [0].value > first
              && copy->actors [0] > first);
    //  The copy's arrays grow like the helpers' own (each string and
    //  array then has its own allocation: ASan and valgrind check frees)
    for (int i = 0; i < 5; i++) {
        assert_int_equal (ab_claim_add_actor (copy, "US"), 0);
        assert_int_equal (ab_claim_add_key (copy, "unit", "USFK"), 0);
        assert_int_equal (ab_claim_add_value (copy, "troops", "28500"), 0);
    }
    assert_int_equal (copy->actor_count, 6);
    assert_null (copy->block);
    assert_string_equal (copy->evidence, "Seoul hosts the drills.");
    assert_string_equal (copy->actors [0], "KR");
    assert_string_equal (ab_claim_key (copy, "country"), "KR");
    assert_string_equal (ab_claim_value (copy, "troops"), "28500");
    //  Copies encode to the same claims as the originals
    zmsg_t *a = ab_result_encode (source);
    ab_proto_error_t error;
    ab_result_t *decoded = ab_result_decode (a, &error);
    assert_non_null (decoded);
    for (uint32_t index = 0; index < source->claim_count; index++)
        s_check_claims_equal (&decoded->claims [index], &result->claims [index]);
    ab_result_destroy (&decoded);
    zmsg_destroy (&a);
    ab_result_destroy (&result);
    ab_result_destroy (&source);
}

static void
test_claim_helpers (void **state)
{
    ab_result_t *result = ab_result_new ();
    assert_non_null (result);
    assert_string_equal (result->worker, "");
    ab_claim_t *claim = ab_result_add_claim (result);
    assert_non_null (claim);
    assert_string_equal (claim->type, "");
    assert_string_equal (claim->hedge, "");
    assert_int_equal (claim->actor_count, 0);
    for (int index = 0; index < 100; index++) {
        char name [16];
        snprintf (name, sizeof name, "k%d", index);
        assert_int_equal (ab_claim_add_key (claim, name, name + 1), 0);
        assert_int_equal (ab_claim_add_value (claim, name, "v"), 0);
        assert_int_equal (ab_claim_add_actor (claim, name), 0);
    }
    assert_int_equal (claim->key_count, 100);
    assert_string_equal (ab_claim_key (claim, "k42"), "42");
    assert_string_equal (ab_claim_value (claim, "k99"), "v");
    assert_null (ab_claim_key (claim, "absent"));
    assert_null (ab_claim_value (claim, "k100"));
    assert_string_equal (claim->actors [57], "k57");
    //  Growth keeps earlier claims intact
    for (int index = 0; index < 1000; index++)
        assert_non_null (ab_result_add_claim (result));
    assert_int_equal (result->claim_count, 1001);
    assert_string_equal (ab_claim_key (&result->claims [0], "k7"), "7");
    ab_result_destroy (&result);
    assert_null (result);
}

static void
test_small_round_trips (void **state)
{
    ab_proto_error_t error;
    //  ACK
    ab_ack_t ack = { ID, 4294967295u, true };
    zmsg_t *msg = ab_ack_encode (&ack);
    assert_int_equal (ab_msg_command (msg), AB_CMD_ACK);
    ab_ack_t *ack2 = ab_ack_decode (msg, &error);
    assert_non_null (ack2);
    assert_string_equal (ack2->article_id, ID);
    assert_int_equal (ack2->claims, 4294967295u);
    assert_true (ack2->duplicate);
    ab_ack_destroy (&ack2);
    assert_null (ack2);
    zmsg_destroy (&msg);
    ack.duplicate = false;
    ack.claims = 0;
    msg = ab_ack_encode (&ack);
    ack2 = ab_ack_decode (msg, &error);
    assert_false (ack2->duplicate);
    assert_int_equal (ack2->claims, 0);
    ab_ack_destroy (&ack2);
    zmsg_destroy (&msg);

    //  CREDIT
    ab_credit_t credit = { 32, "" };
    msg = ab_credit_encode (&credit);
    assert_int_equal (ab_msg_command (msg), AB_CMD_CREDIT);
    ab_credit_t *credit2 = ab_credit_decode (msg, &error);
    assert_non_null (credit2);
    assert_int_equal (credit2->credit, 32);
    assert_string_equal (credit2->worker, "");
    ab_credit_destroy (&credit2);
    zmsg_destroy (&msg);

    //  HEARTBEAT, both forms
    ab_heartbeat_t heartbeat = { .seq = UINT64_MAX, .sent_ms = -1 };
    msg = ab_heartbeat_encode (&heartbeat);
    assert_int_equal (zmsg_size (msg), 2);
    assert_int_equal (ab_msg_command (msg), AB_CMD_HEARTBEAT);
    ab_heartbeat_t *heartbeat2 = ab_heartbeat_decode (msg, &error);
    assert_non_null (heartbeat2);
    assert_true (heartbeat2->seq == UINT64_MAX);
    assert_true (heartbeat2->sent_ms == -1);
    ab_heartbeat_destroy (&heartbeat2);
    //  The plain form is not the PUB form
    assert_null (ab_heartbeat_decode_pub (msg, &error));
    assert_int_equal (error.code, AB_PROTO_ERR_FRAMES);
    zmsg_destroy (&msg);
    msg = ab_heartbeat_encode_pub (&heartbeat);
    assert_int_equal (zmsg_size (msg), 3);
    assert_true (zframe_streq (zmsg_first (msg), AB_HEARTBEAT_TOPIC));
    assert_int_equal (ab_msg_pub_command (msg), AB_CMD_HEARTBEAT);
    assert_int_equal (ab_msg_command (msg), AB_CMD_UNKNOWN);
    heartbeat2 = ab_heartbeat_decode_pub (msg, &error);
    assert_non_null (heartbeat2);
    assert_true (heartbeat2->seq == UINT64_MAX);
    assert_null (heartbeat2->topic_seqs);
    ab_heartbeat_destroy (&heartbeat2);
    //  Sinks from before the reserved topic sent an empty topic frame
    zframe_reset (zmsg_first (msg), "", 0);
    heartbeat2 = ab_heartbeat_decode_pub (msg, &error);
    assert_non_null (heartbeat2);
    ab_heartbeat_destroy (&heartbeat2);
    //  A claim-type topic is not a heartbeat's
    zframe_reset (zmsg_first (msg), "exercise", 8);
    assert_null (ab_heartbeat_decode_pub (msg, &error));
    assert_int_equal (error.code, AB_PROTO_ERR_VALUE);
    zmsg_destroy (&msg);
    //  The sink's heartbeat carries each topic's last topic_seq
    heartbeat.topic_seqs = json_pack ("{s:I, s:I}", "exercise", (json_int_t) 7, "commander_rank", (json_int_t) 2);
    msg = ab_heartbeat_encode_pub (&heartbeat);
    heartbeat2 = ab_heartbeat_decode_pub (msg, &error);
    assert_non_null (heartbeat2);
    assert_true (json_equal (heartbeat2->topic_seqs, heartbeat.topic_seqs));
    ab_heartbeat_destroy (&heartbeat2);
    zmsg_destroy (&msg);
    //  ... only in the PUB form
    msg = ab_heartbeat_encode (&heartbeat);
    heartbeat2 = ab_heartbeat_decode (msg, &error);
    assert_non_null (heartbeat2);
    assert_null (heartbeat2->topic_seqs);
    ab_heartbeat_destroy (&heartbeat2);
    zmsg_destroy (&msg);
    json_decref (heartbeat.topic_seqs);
    //  Negative topic_seq values are refused
    heartbeat.topic_seqs = json_pack ("{s:i}", "exercise", -1);
    msg = ab_heartbeat_encode_pub (&heartbeat);
    assert_null (ab_heartbeat_decode_pub (msg, &error));
    zmsg_destroy (&msg);
    json_decref (heartbeat.topic_seqs);

    //  ERROR, every code
    for (int code = AB_PROTO_ERR_FRAMES; code <= AB_PROTO_ERR_NOMEM; code++) {
        ab_errmsg_t errmsg = { (ab_proto_code_t) code, "ünïcode complaint" };
        msg = ab_errmsg_encode (&errmsg);
        assert_int_equal (ab_msg_command (msg), AB_CMD_ERROR);
        ab_errmsg_t *errmsg2 = ab_errmsg_decode (msg, &error);
        assert_non_null (errmsg2);
        assert_int_equal (errmsg2->code, code);
        assert_string_equal (errmsg2->message, "ünïcode complaint");
        ab_errmsg_destroy (&errmsg2);
        zmsg_destroy (&msg);
    }
}

static void
test_delta_round_trip (void **state)
{
    ab_delta_t *delta = s_delta_sample ();
    zmsg_t *msg = ab_delta_encode (delta);
    assert_non_null (msg);
    assert_int_equal (zmsg_size (msg), 3);
    assert_true (zframe_streq (zmsg_first (msg), "commander_rank"));
    assert_int_equal (ab_msg_pub_command (msg), AB_CMD_DELTA);
    ab_proto_error_t error;
    ab_delta_t *copy = ab_delta_decode (msg, &error);
    if (!copy)
        print_error ("%s\n", error.message);
    assert_non_null (copy);
    assert_true (copy->seq == 41);
    assert_true (copy->topic_seq == 7);
    assert_string_equal (copy->op, "support_changed");
    assert_string_equal (copy->topic, "commander_rank");
    assert_string_equal (copy->key, "commander_rank{unit=USFJ}");
    assert_true (json_equal (copy->item, delta->item));
    assert_true (json_equal (copy->summary, delta->summary));
    ab_delta_destroy (&copy);
    zmsg_destroy (&msg);

    //  No summary; item_removed may carry no item
    json_decref (delta->summary);
    delta->summary = NULL;
    json_decref (delta->item);
    delta->item = NULL;
    assert_int_equal (ab_article_set (&delta->op, "item_removed"), 0);
    msg = ab_delta_encode (delta);
    copy = ab_delta_decode (msg, &error);
    assert_non_null (copy);
    assert_null (copy->item);
    assert_null (copy->summary);
    ab_delta_destroy (&copy);
    zmsg_destroy (&msg);
    //  ... but any other op must
    assert_int_equal (ab_article_set (&delta->op, "item_added"), 0);
    msg = ab_delta_encode (delta);
    assert_null (ab_delta_decode (msg, &error));
    assert_int_equal (error.code, AB_PROTO_ERR_TYPE);
    assert_string_equal (error.message,
                         "DELTA: field 'item' has type nil, expected map (op is item_added)");
    zmsg_destroy (&msg);
    ab_delta_destroy (&delta);
    assert_null (delta);
}

static void
test_snapshot_round_trip (void **state)
{
    ab_proto_error_t error;
    //  Request
    ab_snapshot_t request = { "commander", 0, NULL, NULL, NULL, false };
    zmsg_t *msg = ab_snapshot_encode (&request);
    assert_int_equal (ab_msg_command (msg), AB_CMD_SNAPSHOT);
    ab_snapshot_t *copy = ab_snapshot_decode (msg, &error);
    assert_non_null (copy);
    assert_false (copy->is_reply);
    assert_string_equal (copy->topic, "commander");
    assert_null (copy->items);
    assert_null (copy->topic_seqs);
    ab_snapshot_destroy (&copy);
    zmsg_destroy (&msg);

    //  Reply with everything
    ab_snapshot_t *reply = s_snapshot_reply_sample ();
    msg = ab_snapshot_encode (reply);
    copy = ab_snapshot_decode (msg, &error);
    if (!copy)
        print_error ("%s\n", error.message);
    assert_non_null (copy);
    assert_true (copy->is_reply);
    assert_true (copy->seq == 1000);
    assert_string_equal (copy->topic, "commander");
    assert_true (json_equal (copy->topic_seqs, reply->topic_seqs));
    assert_true (json_equal (copy->items, reply->items));
    assert_true (json_equal (copy->summary, reply->summary));
    ab_snapshot_destroy (&copy);
    zmsg_destroy (&msg);

    //  Reply of an empty state: NULL containers go out empty
    json_decref (reply->items);
    json_decref (reply->topic_seqs);
    json_decref (reply->summary);
    reply->items = reply->topic_seqs = reply->summary = NULL;
    reply->seq = 0;
    msg = ab_snapshot_encode (reply);
    copy = ab_snapshot_decode (msg, &error);
    assert_non_null (copy);
    assert_int_equal (json_array_size (copy->items), 0);
    assert_true (json_is_object (copy->topic_seqs));
    assert_int_equal (json_object_size (copy->topic_seqs), 0);
    assert_null (copy->summary);
    ab_snapshot_destroy (&copy);
    zmsg_destroy (&msg);
    ab_snapshot_destroy (&reply);
}

static void
test_names (void **state)
{
    assert_string_equal (ab_cmd_name (AB_CMD_ARTICLE), "ARTICLE");
    assert_string_equal (ab_cmd_name (AB_CMD_ERROR), "ERROR");
    assert_string_equal (ab_cmd_name (AB_CMD_UNKNOWN), "?");
    assert_string_equal (ab_cmd_name ((ab_cmd_t) 99), "?");
    assert_string_equal (ab_proto_code_name (AB_PROTO_ERR_TRUNCATED), "truncated");
    assert_string_equal (ab_proto_code_name (AB_PROTO_ERR_TYPE), "wrong type");
    assert_string_equal (ab_proto_code_name ((ab_proto_code_t) 99), "unknown error");
    for (int cmd = AB_CMD_ARTICLE; cmd <= AB_CMD_ERROR; cmd++) {
        zmsg_t *msg = zmsg_new ();
        zmsg_addstr (msg, ab_cmd_name ((ab_cmd_t) cmd));
        assert_int_equal (ab_msg_command (msg), cmd);
        zmsg_pushstr (msg, "topic");
        assert_int_equal (ab_msg_pub_command (msg), cmd);
        zmsg_destroy (&msg);
    }
    zmsg_t *msg = zmsg_new ();
    assert_int_equal (ab_msg_command (msg), AB_CMD_UNKNOWN);
    assert_int_equal (ab_msg_pub_command (msg), AB_CMD_UNKNOWN);
    zmsg_addstr (msg, "ARTICLEX");
    assert_int_equal (ab_msg_command (msg), AB_CMD_UNKNOWN);
    zmsg_destroy (&msg);
    assert_int_equal (ab_msg_command (NULL), AB_CMD_UNKNOWN);
}

//  ---------------------------------------------------------------------
//  Malformed input, every class for every message

static void
test_bad_frames (void **state)
{
    for (size_t k = 0; k < KIND_COUNT; k++) {
        const s_kind_t *kind = &s_kinds [k];
        zmsg_t *msg = kind->encode ();
        assert_non_null (msg);
        //  One frame too many, one too few, none
        zmsg_t *more = zmsg_dup (msg);
        zmsg_addstr (more, "extra");
        s_expect_error (kind, more, AB_PROTO_ERR_FRAMES, "frames, got");
        zmsg_destroy (&more);
        zmsg_t *fewer = zmsg_dup (msg);
        zframe_t *last = zmsg_last (fewer);
        zmsg_remove (fewer, last);
        zframe_destroy (&last);
        s_expect_error (kind, fewer, AB_PROTO_ERR_FRAMES, NULL);
        zmsg_destroy (&fewer);
        zmsg_t *empty = zmsg_new ();
        s_expect_error (kind, empty, AB_PROTO_ERR_FRAMES, NULL);
        zmsg_destroy (&empty);
        s_expect_error (kind, NULL, AB_PROTO_ERR_FRAMES, NULL);
        zmsg_destroy (&msg);
    }
}

static void
test_bad_command (void **state)
{
    for (size_t k = 0; k < KIND_COUNT; k++) {
        const s_kind_t *kind = &s_kinds [k];
        zmsg_t *msg = kind->encode ();
        //  Unknown command, lower case, and another message's command
        const char *names [] = { "FOO", "article", "", kind->name [0] == 'A'? "ACKX": "ACK" };
        for (size_t n = 0; n < 4; n++) {
            zmsg_t *copy = zmsg_new ();
            zframe_t *frame = zmsg_first (msg);
            if (kind->pub) {
                zmsg_addmem (copy, zframe_data (frame), zframe_size (frame));
                frame = zmsg_next (msg);
            }
            zmsg_addstr (copy, names [n]);
            frame = zmsg_next (msg);
            zmsg_addmem (copy, zframe_data (frame), zframe_size (frame));
            s_expect_error (kind, copy, AB_PROTO_ERR_COMMAND, "expected command");
            zmsg_destroy (&copy);
        }
        zmsg_destroy (&msg);
    }
    //  A command frame with binary bytes is shown safely
    zmsg_t *msg = zmsg_new ();
    zmsg_addmem (msg, "\x01\xff\x00zz", 5);
    zmsg_addmem (msg, "\x80", 1);
    s_expect_error (&s_kinds [0], msg, AB_PROTO_ERR_COMMAND, "got \"???zz\"");
    zmsg_destroy (&msg);
}

static void
test_truncated_everywhere (void **state)
{
    for (size_t k = 0; k < KIND_COUNT; k++) {
        const s_kind_t *kind = &s_kinds [k];
        zmsg_t *msg = kind->encode ();
        zframe_t *frame = s_map_frame (msg);
        size_t size = zframe_size (frame);
        assert_true (size > 10);
        //  Every proper prefix, the empty frame included, is truncated
        for (size_t cut = 0; cut < size; cut++) {
            zmsg_t *copy = s_with_map (msg, zframe_data (frame), cut);
            s_expect_error (kind, copy, AB_PROTO_ERR_TRUNCATED, NULL);
            zmsg_destroy (&copy);
        }
        //  ... and the whole frame decodes
        zmsg_t *copy = s_with_map (msg, zframe_data (frame), size);
        void *decoded = kind->decode (copy, NULL);
        assert_non_null (decoded);
        kind->destroy (decoded);
        zmsg_destroy (&copy);
        zmsg_destroy (&msg);
    }
}

static void
test_trailing_garbage (void **state)
{
    for (size_t k = 0; k < KIND_COUNT; k++) {
        const s_kind_t *kind = &s_kinds [k];
        zmsg_t *msg = kind->encode ();
        zframe_t *frame = s_map_frame (msg);
        size_t size = zframe_size (frame);
        char *bytes = malloc (size + 3);
        memcpy (bytes, zframe_data (frame), size);
        memcpy (bytes + size, "\xc0\x01\x02", 3);
        zmsg_t *copy = s_with_map (msg, bytes, size + 1);
        s_expect_error (kind, copy, AB_PROTO_ERR_TRUNCATED, "1 trailing bytes");
        zmsg_destroy (&copy);
        //  A second complete map after the first is still trailing bytes
        memcpy (bytes + size, "\x80", 1);
        copy = s_with_map (msg, bytes, size + 1);
        s_expect_error (kind, copy, AB_PROTO_ERR_TRUNCATED, "trailing");
        zmsg_destroy (&copy);
        //  An invalid byte (0xc1 is never used)
        memcpy (bytes + size, "\xc1", 1);
        copy = s_with_map (msg, bytes + size, 1);
        s_expect_error (kind, copy, AB_PROTO_ERR_TRUNCATED, "invalid msgpack byte 0xc1");
        zmsg_destroy (&copy);
        free (bytes);
        zmsg_destroy (&msg);
    }
}

static void
test_not_a_map (void **state)
{
    //  array [1, 2], int 5, str "v", nil, bin
    const char *frames [] = { "\x92\x01\x02", "\x05", "\xa1v", "\xc0", "\xc4\x01x" };
    const size_t sizes [] = { 3, 1, 2, 1, 3 };
    const char *types [] = { "array", "int", "str", "nil", "bin" };
    for (size_t k = 0; k < KIND_COUNT; k++) {
        const s_kind_t *kind = &s_kinds [k];
        zmsg_t *msg = kind->encode ();
        for (size_t f = 0; f < 5; f++) {
            zmsg_t *copy = s_with_map (msg, frames [f], sizes [f]);
            char want [64];
            snprintf (want, sizeof want, "frame has type %s, expected map", types [f]);
            s_expect_error (kind, copy, AB_PROTO_ERR_TYPE, want);
            zmsg_destroy (&copy);
        }
        zmsg_destroy (&msg);
    }
}

static void
test_version (void **state)
{
    const char *v_path [] = { "v", NULL };
    for (size_t k = 0; k < KIND_COUNT; k++) {
        const s_kind_t *kind = &s_kinds [k];
        zmsg_t *msg = kind->encode ();
        zmsg_t *copy = s_set_int (msg, v_path, 2);
        s_expect_error (kind, copy, AB_PROTO_ERR_VERSION, "version 2 is not supported");
        zmsg_destroy (&copy);
        copy = s_set_int (msg, v_path, 0);
        s_expect_error (kind, copy, AB_PROTO_ERR_VERSION, "version 0");
        zmsg_destroy (&copy);
        copy = s_set_int (msg, v_path, -1);
        s_expect_error (kind, copy, AB_PROTO_ERR_VERSION, "version -1 is not supported");
        zmsg_destroy (&copy);
        copy = s_set_str (msg, v_path, "1", 1);
        s_expect_error (kind, copy, AB_PROTO_ERR_VERSION, "'v' has type str, expected int");
        zmsg_destroy (&copy);
        copy = s_mutate_key (msg, "v", NULL);
        s_expect_error (kind, copy, AB_PROTO_ERR_VERSION, "field 'v' is missing");
        zmsg_destroy (&copy);
        zmsg_destroy (&msg);
    }
    //  Version is checked before fields: v2 with a broken field says v2
    zmsg_t *msg = s_enc_ack ();
    const char *claims_path [] = { "claims", NULL };
    zmsg_t *broken = s_set_str (msg, claims_path, "many", 4);
    zmsg_t *v2 = s_set_int (broken, v_path, 2);
    s_expect_error (&s_kinds [2], v2, AB_PROTO_ERR_VERSION, NULL);
    zmsg_destroy (&v2);
    zmsg_destroy (&broken);
    zmsg_destroy (&msg);
}

//  Drop each key of the map at path, and give it the wrong type.
static void
s_each_field (const s_kind_t *kind, zmsg_t *msg, const char **prefix, const char *shown)
{
    char keys [40][32];
    size_t count = s_keys_at (msg, prefix, keys, 40);
    assert_true (count >= 2);
    for (size_t index = 0; index < count; index++) {
        if (strcmp (keys [index], "v") == 0)
            continue;
        const char *path [8];
        size_t depth = 0;
        while (prefix [depth]) {
            path [depth] = prefix [depth];
            depth++;
        }
        path [depth] = keys [index];
        path [depth + 1] = NULL;
        char want [2048];           //  generous: gcc sizes %s by the whole keys array
        bool optional = depth == 0
            && ((kind->optional [0] && strcmp (kind->optional [0], keys [index]) == 0));

        zmsg_t *copy = s_mutate (msg, path, NULL);
        if (optional) {
            void *decoded = kind->decode (copy, NULL);
            assert_non_null (decoded);
            kind->destroy (decoded);
        }
        else {
            snprintf (want, sizeof want, "%s: field %s'%s' is missing", kind->name, shown, keys [index]);
            s_expect_error (kind, copy, AB_PROTO_ERR_MISSING, want);
        }
        zmsg_destroy (&copy);

        copy = s_mutate (msg, path, s_wrong_type);
        snprintf (want, sizeof want, "%s: field %s'%s' has type ", kind->name, shown, keys [index]);
        s_expect_error (kind, copy, AB_PROTO_ERR_TYPE, want);
        zmsg_destroy (&copy);
    }
}

static void
test_missing_and_wrong_type (void **state)
{
    const char *top [] = { NULL };
    for (size_t k = 0; k < KIND_COUNT; k++) {
        zmsg_t *msg = s_kinds [k].encode ();
        s_each_field (&s_kinds [k], msg, top, "");
        zmsg_destroy (&msg);
    }
    //  Inside a claim, with the path in the message
    zmsg_t *msg = s_enc_result ();
    const char *claim [] = { "claims", "2", NULL };
    s_each_field (&s_kinds [1], msg, claim, "'claims'[2].");
    //  The exact message format, once
    const char *hedge [] = { "claims", "2", "hedge", NULL };
    zmsg_t *copy = s_mutate (msg, hedge, s_wrong_type);
    ab_proto_error_t error;
    assert_null (ab_result_decode (copy, &error));
    assert_int_equal (error.code, AB_PROTO_ERR_TYPE);
    assert_string_equal (error.message, "RESULT: field 'claims'[2].'hedge' has type int, expected str");
    zmsg_destroy (&copy);
    //  Elements of the claim's lists
    const char *actor [] = { "claims", "1", "actors", "1", NULL };
    copy = s_mutate (msg, actor, s_wrong_type);
    s_expect_error (&s_kinds [1], copy, AB_PROTO_ERR_TYPE, "'claims'[1].'actors'[1] has type int");
    zmsg_destroy (&copy);
    const char *slot [] = { "claims", "0", "values", "rank", NULL };
    copy = s_mutate (msg, slot, s_wrong_type);
    s_expect_error (&s_kinds [1], copy, AB_PROTO_ERR_TYPE, "'claims'[0].'values'.'rank' has type int");
    zmsg_destroy (&copy);
    zmsg_destroy (&msg);

    //  Items inside a snapshot must be maps; JSON rejects bin
    msg = s_enc_snapshot ();
    const char *item [] = { "items", "1", NULL };
    copy = s_mutate (msg, item, s_wrong_type);
    s_expect_error (&s_kinds [7], copy, AB_PROTO_ERR_TYPE, "'items'[1] has type str, expected map");
    zmsg_destroy (&copy);
    const char *seq [] = { "topic_seqs", "exercise", NULL };
    copy = s_mutate (msg, seq, s_wrong_type);
    s_expect_error (&s_kinds [7], copy, AB_PROTO_ERR_TYPE, "'topic_seqs'.'exercise' has type str");
    zmsg_destroy (&copy);
    copy = s_set_int (msg, seq, -3);
    s_expect_error (&s_kinds [7], copy, AB_PROTO_ERR_VALUE, "'topic_seqs'.'exercise' is -3");
    zmsg_destroy (&copy);
    //  Reply fields are required only in a reply
    copy = s_mutate_key (msg, "items", NULL);
    s_expect_error (&s_kinds [7], copy, AB_PROTO_ERR_MISSING, "'items' is missing");
    zmsg_destroy (&copy);
    zmsg_destroy (&msg);
}

static void
test_limits (void **state)
{
    //  A field exactly at the limit passes, one byte more fails
    zmsg_t *msg = s_enc_article ();
    char *big = malloc (AB_MAX_FIELD + 1);
    memset (big, 'a', AB_MAX_FIELD + 1);
    const char *title [] = { "title", NULL };
    zmsg_t *copy = s_set_str (msg, title, big, AB_MAX_FIELD);
    ab_article_t *article = ab_article_decode (copy, NULL);
    assert_non_null (article);
    assert_int_equal (strlen (article->title), AB_MAX_FIELD);
    ab_article_destroy (&article);
    zmsg_destroy (&copy);
    copy = s_set_str (msg, title, big, AB_MAX_FIELD + 1);
    char want [80];
    snprintf (want, sizeof want, "'title' is %u bytes, limit %u", AB_MAX_FIELD + 1, AB_MAX_FIELD);
    s_expect_error (&s_kinds [0], copy, AB_PROTO_ERR_SIZE, want);
    zmsg_destroy (&copy);
    free (big);
    zmsg_destroy (&msg);

    //  Body over its limit
    article = s_article_sample ();
    char *body = malloc (AB_MAX_BODY + 1);
    memset (body, 0, AB_MAX_BODY + 1);
    assert_int_equal (ab_article_set_body (article, body, AB_MAX_BODY + 1), 0);
    free (body);
    msg = ab_article_encode (article);
    s_expect_error (&s_kinds [0], msg, AB_PROTO_ERR_SIZE, "'body' is");
    zmsg_destroy (&msg);
    ab_article_destroy (&article);

    //  A frame over its limit is refused before it is parsed
    msg = s_enc_ack ();
    char *frame = calloc (1, AB_MAX_FRAME + 1);
    copy = s_with_map (msg, frame, AB_MAX_FRAME + 1);
    s_expect_error (&s_kinds [2], copy, AB_PROTO_ERR_SIZE, "frame is");
    zmsg_destroy (&copy);
    free (frame);
    zmsg_destroy (&msg);

    //  Too many claims, too many actors
    ab_result_t *result = s_result_sample (AB_MAX_CLAIMS + 1);
    msg = ab_result_encode (result);
    s_expect_error (&s_kinds [1], msg, AB_PROTO_ERR_SIZE, "'claims' has 4097 claims, limit 4096");
    zmsg_destroy (&msg);
    ab_result_destroy (&result);
    result = s_result_sample (1);
    for (int index = 0; index < AB_MAX_LIST; index++)
        assert_int_equal (ab_claim_add_actor (&result->claims [0], "X"), 0);
    msg = ab_result_encode (result);
    s_expect_error (&s_kinds [1], msg, AB_PROTO_ERR_SIZE, "'claims'[0].'actors' has 259 elements");
    zmsg_destroy (&msg);
    ab_result_destroy (&result);
    result = s_result_sample (1);
    for (int index = 0; index <= AB_MAX_LIST; index++) {
        char name [16];
        snprintf (name, sizeof name, "s%d", index);
        assert_int_equal (ab_claim_add_value (&result->claims [0], name, "1"), 0);
    }
    msg = ab_result_encode (result);
    s_expect_error (&s_kinds [1], msg, AB_PROTO_ERR_SIZE, "'claims'[0].'values' has");
    zmsg_destroy (&msg);
    ab_result_destroy (&result);
}

static void
test_hostile_sizes (void **state)
{
    //  {"v":1, "claims": array32 declaring 2^32-1 elements}: must fail
    //  without trying to allocate for them
    const char bomb [] = "\x82\xa1v\x01\xa6" "claims" "\xdd\xff\xff\xff\xff\xc0";
    zmsg_t *msg = s_enc_result ();
    zmsg_t *copy = s_with_map (msg, bomb, sizeof bomb - 1);
    s_expect_error (&s_kinds [1], copy, AB_PROTO_ERR_TRUNCATED, "declares 4294967295 elements");
    zmsg_destroy (&copy);
    //  map32 and str32 / bin32 length bombs
    const char map_bomb [] = "\xdf\xff\xff\xff\xff";
    copy = s_with_map (msg, map_bomb, sizeof map_bomb - 1);
    s_expect_error (&s_kinds [1], copy, AB_PROTO_ERR_TRUNCATED, NULL);
    zmsg_destroy (&copy);
    const char str_bomb [] = "\x81\xa1v\xdb\xff\xff\xff\xf0xx";
    copy = s_with_map (msg, str_bomb, sizeof str_bomb - 1);
    s_expect_error (&s_kinds [1], copy, AB_PROTO_ERR_TRUNCATED, NULL);
    zmsg_destroy (&copy);
    //  Deep nesting: a map holding 200 nested arrays
    char deep [300];
    size_t used = 0;
    memcpy (deep, "\x82\xa1v\x01\xa1x", 6);
    used = 6;
    for (int index = 0; index < 200; index++)
        deep [used++] = (char) 0x91;
    deep [used++] = (char) 0xc0;
    copy = s_with_map (msg, deep, used);
    s_expect_error (&s_kinds [1], copy, AB_PROTO_ERR_SIZE, "nests deeper than 32");
    zmsg_destroy (&copy);
    zmsg_destroy (&msg);
}

static void
test_bad_values (void **state)
{
    ab_proto_error_t error;
    //  Article ids: short, long, upper case, not hex
    zmsg_t *msg = s_enc_article ();
    const char *id [] = { "id", NULL };
    const char *bad_ids [] = { "0123456789abcde", "0123456789abcdef0", "0123456789ABCDEF",
                               "0123456789abcdeg", "" };
    for (size_t index = 0; index < 5; index++) {
        zmsg_t *copy = s_set_str (msg, id, bad_ids [index], strlen (bad_ids [index]));
        s_expect_error (&s_kinds [0], copy, AB_PROTO_ERR_VALUE,
                        "ARTICLE: field 'id' is not 16 lowercase hex digits");
        zmsg_destroy (&copy);
    }
    //  Dates
    const char *published [] = { "published", NULL };
    const char *bad_dates [] = { "2024-4-10", "2024-13-01", "2024-04-10 09:30:00",
                                 "2024-04-10T25:00:00Z", "10 April 2024", "2024-04-10T09:30:00" };
    for (size_t index = 0; index < 6; index++) {
        zmsg_t *copy = s_set_str (msg, published, bad_dates [index], strlen (bad_dates [index]));
        s_expect_error (&s_kinds [0], copy, AB_PROTO_ERR_VALUE, "'published' is not");
        zmsg_destroy (&copy);
    }
    zmsg_t *copy = s_set_str (msg, published, "2024-04-10", 10);
    ab_article_t *article = ab_article_decode (copy, &error);
    assert_non_null (article);
    ab_article_destroy (&article);
    zmsg_destroy (&copy);
    //  NUL inside a string is refused; inside the body it is data
    const char *origin [] = { "origin", NULL };
    copy = s_set_str (msg, origin, "a\0b", 3);
    s_expect_error (&s_kinds [0], copy, AB_PROTO_ERR_VALUE, "'origin' contains a NUL byte");
    zmsg_destroy (&copy);
    //  Body may also travel as str
    const char *body [] = { "body", NULL };
    copy = s_set_str (msg, body, "x\0y", 3);
    article = ab_article_decode (copy, &error);
    assert_non_null (article);
    assert_int_equal (article->body_size, 3);
    assert_memory_equal (article->body, "x\0y", 4);
    ab_article_destroy (&article);
    zmsg_destroy (&copy);
    //  attempt 0, negative attempt, attempt over 32 bits
    const char *attempt [] = { "attempt", NULL };
    copy = s_set_int (msg, attempt, 0);
    s_expect_error (&s_kinds [0], copy, AB_PROTO_ERR_VALUE, "'attempt' is 0, expected 1..4294967295");
    zmsg_destroy (&copy);
    copy = s_set_int (msg, attempt, -1);
    s_expect_error (&s_kinds [0], copy, AB_PROTO_ERR_VALUE, "'attempt' is -1");
    zmsg_destroy (&copy);
    copy = s_set_int (msg, attempt, INT64_C (4294967296));
    s_expect_error (&s_kinds [0], copy, AB_PROTO_ERR_VALUE, "'attempt' is 4294967296");
    zmsg_destroy (&copy);
    //  A known key twice
    zframe_t *frame = s_map_frame (msg);
    size_t size = zframe_size (frame);
    char *bytes = malloc (size + 16);
    memcpy (bytes, zframe_data (frame), size);
    assert_int_equal ((uint8_t) bytes [0], 0x8a);       //  fixmap of 10
    bytes [0] = (char) 0x8b;
    memcpy (bytes + size, "\xa3url\xa0", 5);
    copy = s_with_map (msg, bytes, size + 5);
    s_expect_error (&s_kinds [0], copy, AB_PROTO_ERR_VALUE, "'url' appears twice");
    zmsg_destroy (&copy);
    //  An unknown key is ignored, a non-str key is not
    memcpy (bytes + size, "\xa5" "extra" "\x93\x01\x02\x03", 10);
    copy = s_with_map (msg, bytes, size + 10);
    article = ab_article_decode (copy, &error);
    assert_non_null (article);
    ab_article_destroy (&article);
    zmsg_destroy (&copy);
    memcpy (bytes + size, "\x07\x07", 2);
    copy = s_with_map (msg, bytes, size + 2);
    s_expect_error (&s_kinds [0], copy, AB_PROTO_ERR_TYPE, "(map key) has type int");
    zmsg_destroy (&copy);
    free (bytes);
    zmsg_destroy (&msg);

    //  Hedges, claim ids, offsets
    msg = s_enc_result ();
    const char *hedge [] = { "claims", "1", "hedge", NULL };
    const char *bad_hedges [] = { "maybe", "", "Asserted", "asserted " };
    for (size_t index = 0; index < 4; index++) {
        copy = s_set_str (msg, hedge, bad_hedges [index], strlen (bad_hedges [index]));
        s_expect_error (&s_kinds [1], copy, AB_PROTO_ERR_VALUE,
                        "'claims'[1].'hedge' is \"");
        zmsg_destroy (&copy);
    }
    const char *article_id [] = { "article_id", NULL };
    copy = s_set_str (msg, article_id, "xyz", 3);
    s_expect_error (&s_kinds [1], copy, AB_PROTO_ERR_VALUE, "'article_id' is not 16");
    zmsg_destroy (&copy);
    const char *match_end [] = { "claims", "0", "match_end", NULL };
    copy = s_set_int (msg, match_end, 1000);
    s_expect_error (&s_kinds [1], copy, AB_PROTO_ERR_VALUE, "'claims'[0] has offsets");
    zmsg_destroy (&copy);
    const char *fingerprint [] = { "fingerprint", NULL };
    copy = s_set_int (msg, fingerprint, -1);
    s_expect_error (&s_kinds [1], copy, AB_PROTO_ERR_VALUE, "'fingerprint' is -1");
    zmsg_destroy (&copy);
    //  A slot name twice
    ab_result_t *result = s_result_sample (1);
    assert_int_equal (ab_claim_add_key (&result->claims [0], "unit", "JSDF"), 0);
    zmsg_t *dup = ab_result_encode (result);
    s_expect_error (&s_kinds [1], dup, AB_PROTO_ERR_VALUE, "'claims'[0].'keys'.'unit' appears twice");
    zmsg_destroy (&dup);
    ab_result_destroy (&result);
    zmsg_destroy (&msg);

    //  ACK id, CREDIT 0, ERROR code out of range
    msg = s_enc_ack ();
    const char *ack_id [] = { "article_id", NULL };
    copy = s_set_str (msg, ack_id, "0123456789abcdeF", 16);
    s_expect_error (&s_kinds [2], copy, AB_PROTO_ERR_VALUE, "not 16 lowercase hex");
    zmsg_destroy (&copy);
    zmsg_destroy (&msg);
    msg = s_enc_credit ();
    const char *credit [] = { "credit", NULL };
    copy = s_set_int (msg, credit, 0);
    s_expect_error (&s_kinds [3], copy, AB_PROTO_ERR_VALUE, "'credit' is 0");
    zmsg_destroy (&copy);
    zmsg_destroy (&msg);
    msg = s_enc_errmsg ();
    const char *code [] = { "code", NULL };
    copy = s_set_int (msg, code, 0);
    s_expect_error (&s_kinds [6], copy, AB_PROTO_ERR_VALUE, "'code' is 0");
    zmsg_destroy (&copy);
    copy = s_set_int (msg, code, 99);
    s_expect_error (&s_kinds [6], copy, AB_PROTO_ERR_VALUE, "'code' is 99");
    zmsg_destroy (&copy);
    zmsg_destroy (&msg);

    //  PUB heartbeat under another topic than its own
    msg = s_enc_heartbeat_pub ();
    zframe_t *topic = zmsg_first (msg);
    zframe_reset (topic, "x", 1);
    s_expect_error (&s_kinds [5], msg, AB_PROTO_ERR_VALUE, "topic frame is not \"!heartbeat\"");
    zmsg_destroy (&msg);
}

static void
test_delta_values (void **state)
{
    zmsg_t *msg = s_enc_delta ();
    //  Topic frame and field must agree
    zmsg_t *copy = zmsg_dup (msg);
    zframe_reset (zmsg_first (copy), "commander", 9);
    s_expect_error (&s_kinds [8], copy, AB_PROTO_ERR_VALUE, "topic frame differs");
    zmsg_destroy (&copy);
    //  Unknown op, seq 0
    const char *op [] = { "op", NULL };
    copy = s_set_str (msg, op, "item_changed", 12);
    s_expect_error (&s_kinds [8], copy, AB_PROTO_ERR_VALUE, "'op' is \"item_changed\"");
    zmsg_destroy (&copy);
    const char *seq [] = { "seq", NULL };
    copy = s_set_int (msg, seq, 0);
    s_expect_error (&s_kinds [8], copy, AB_PROTO_ERR_VALUE, "'seq' is 0");
    zmsg_destroy (&copy);
    //  JSON content: invalid UTF-8, NUL, bin, a non-str key, nil item
    const char *value [] = { "item", "key", NULL };
    copy = s_set_str (msg, value, "\xc3\x28", 2);
    s_expect_error (&s_kinds [8], copy, AB_PROTO_ERR_VALUE, "'item'.'key' is not valid UTF-8");
    zmsg_destroy (&copy);
    copy = s_set_str (msg, value, "a\0", 2);
    s_expect_error (&s_kinds [8], copy, AB_PROTO_ERR_VALUE, "'item'.'key' contains a NUL");
    zmsg_destroy (&copy);
    const char *deep [] = { "item", "deep", "0", "0", "x", NULL };
    copy = s_mutate (msg, deep, s_pack_nil);
    ab_delta_t *delta = ab_delta_decode (copy, NULL);
    assert_non_null (delta);
    assert_true (json_is_null (json_object_get (json_array_get (json_array_get (
        json_object_get (delta->item, "deep"), 0), 0), "x")));
    ab_delta_destroy (&delta);
    zmsg_destroy (&copy);
    const char *item [] = { "item", NULL };
    copy = s_mutate (msg, item, s_pack_nil);
    s_expect_error (&s_kinds [8], copy, AB_PROTO_ERR_TYPE, "'item' has type nil");
    zmsg_destroy (&copy);
    zmsg_destroy (&msg);

    //  Depth: the deepest JSON the encoder accepts decodes, one more
    //  level is refused by the encoder
    ab_delta_t *sample = s_delta_sample ();
    json_t *leaf = json_object ();
    json_t *inner = leaf;
    //  item sits at level 2 in the frame; build item + 30 nested = 32
    for (int level = 0; level < 30; level++) {
        json_t *next = json_object ();
        json_object_set_new (inner, "n", next);
        inner = next;
    }
    json_decref (sample->item);
    sample->item = leaf;
    msg = ab_delta_encode (sample);
    assert_non_null (msg);
    delta = ab_delta_decode (msg, NULL);
    assert_non_null (delta);
    assert_true (json_equal (delta->item, sample->item));
    ab_delta_destroy (&delta);
    zmsg_destroy (&msg);
    json_object_set_new (inner, "n", json_array ());
    msg = ab_delta_encode (sample);
    assert_null (msg);
    json_object_del (inner, "n");
    //  A reference cycle must not make the encoder recurse forever
    json_object_set (inner, "loop", leaf);
    assert_null (ab_delta_encode (sample));
    json_object_del (inner, "loop");
    assert_non_null (msg = ab_delta_encode (sample));
    zmsg_destroy (&msg);
    ab_delta_destroy (&sample);
}

static void
test_error_message_without_record (void **state)
{
    //  error may be NULL: decoders still fail cleanly
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, "ACK");
    assert_null (ab_ack_decode (msg, NULL));
    zmsg_destroy (&msg);
}

//  ---------------------------------------------------------------------
//  Over a real socket pair

static void
test_over_zeromq (void **state)
{
    zsock_t *pull = zsock_new_pull ("@inproc://test-proto");
    zsock_t *push = zsock_new_push (">inproc://test-proto");
    assert_non_null (pull);
    assert_non_null (push);
    for (size_t k = 0; k < KIND_COUNT; k++) {
        zmsg_t *msg = s_kinds [k].encode ();
        assert_int_equal (zmsg_send (&msg, push), 0);
        zmsg_t *received = zmsg_recv (pull);
        assert_non_null (received);
        if (s_kinds [k].pub)
            assert_string_equal (ab_cmd_name (ab_msg_pub_command (received)), s_kinds [k].name);
        else
            assert_string_equal (ab_cmd_name (ab_msg_command (received)), s_kinds [k].name);
        ab_proto_error_t error;
        void *decoded = s_kinds [k].decode (received, &error);
        if (!decoded)
            print_error ("%s\n", error.message);
        assert_non_null (decoded);
        if (k == 0) {
            ab_article_t *article = decoded;
            assert_int_equal (article->body_size, S_BODY_SIZE);
            assert_memory_equal (article->body, s_body, S_BODY_SIZE);
        }
        if (k == 1)
            assert_string_equal (((ab_result_t *) decoded)->claims [2].hedge, "expected");
        s_kinds [k].destroy (decoded);
        zmsg_destroy (&received);
    }
    zsock_destroy (&push);
    zsock_destroy (&pull);
}

//  ---------------------------------------------------------------------
//  Fuzzer seeds: [frame count - 1][u16 big-endian length, frame]... with
//  the last frame taking the rest (tests/fuzz/fuzz_proto.c)

static void
test_write_corpus (void **state)
{
    const char *dir = getenv ("AB_PROTO_CORPUS");
    if (!dir) {
        print_message ("      (AB_PROTO_CORPUS not set: no fuzz seeds written)\n");
        return;
    }
    for (size_t k = 0; k < KIND_COUNT; k++) {
        zmsg_t *msg = s_kinds [k].encode ();
        char path [512];
        snprintf (path, sizeof path, "%s/seed-%02zu-%s", dir, k, s_kinds [k].name);
        FILE *file = fopen (path, "wb");
        assert_non_null (file);
        size_t frames = zmsg_size (msg);
        fputc ((int) frames - 1, file);
        zframe_t *frame = zmsg_first (msg);
        for (size_t index = 0; index < frames; index++) {
            size_t size = zframe_size (frame);
            if (index + 1 < frames) {
                assert_true (size < 65536);
                fputc ((int) (size >> 8), file);
                fputc ((int) (size & 0xff), file);
            }
            fwrite (zframe_data (frame), 1, size, file);
            frame = zmsg_next (msg);
        }
        assert_int_equal (fclose (file), 0);
        zmsg_destroy (&msg);
    }
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_article_round_trip),
        cmocka_unit_test (test_result_round_trip),
        cmocka_unit_test (test_claim_copy),
        cmocka_unit_test (test_claim_helpers),
        cmocka_unit_test (test_small_round_trips),
        cmocka_unit_test (test_delta_round_trip),
        cmocka_unit_test (test_snapshot_round_trip),
        cmocka_unit_test (test_names),
        cmocka_unit_test (test_bad_frames),
        cmocka_unit_test (test_bad_command),
        cmocka_unit_test (test_truncated_everywhere),
        cmocka_unit_test (test_trailing_garbage),
        cmocka_unit_test (test_not_a_map),
        cmocka_unit_test (test_version),
        cmocka_unit_test (test_missing_and_wrong_type),
        cmocka_unit_test (test_limits),
        cmocka_unit_test (test_hostile_sizes),
        cmocka_unit_test (test_bad_values),
        cmocka_unit_test (test_delta_values),
        cmocka_unit_test (test_error_message_without_record),
        cmocka_unit_test (test_over_zeromq),
        cmocka_unit_test (test_write_corpus),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
