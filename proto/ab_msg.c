/*  =========================================================================
    ab_msg - allybrief wire protocol v1: message types, encoders, decoders

    The wire format is specified in PROTOCOL.md; in short every message is

        [command][msgpack map {"v": 1, field: value, ...}]

    and DELTA and the sink's HEARTBEAT go out on PUB with a topic frame in
    front: [topic][DELTA][map], [""][HEARTBEAT][map].

    Decoding is in three steps so that hostile bytes meet cheap checks
    first: frames and command; a structural scan of the msgpack frame that
    allocates nothing (ab_mpack.c says why); then msgpack_unpack_next and a
    table of fields per message that copies each value into the struct.
    Every failure leaves one error code and one message naming the field.
    =========================================================================
*/
#include "ab_msg.h"
#include "ab_mpack.h"

#include <stddef.h>
#include <string.h>

static const char *const s_cmd_names [] = {
    "?", "ARTICLE", "RESULT", "ACK", "CREDIT", "HEARTBEAT", "SNAPSHOT", "DELTA", "ERROR"
};
#define S_CMD_COUNT (sizeof s_cmd_names / sizeof s_cmd_names [0])

static const char *const s_hedges [] = {
    "asserted", "reported", "expected", "considered", "denied", "hoped", NULL
};
static const char *const s_ops [] = {
    "item_added", "support_changed", "conflict_opened", "value_superseded",
    "item_removed", NULL
};

const char *
ab_cmd_name (ab_cmd_t cmd)
{
    if ((unsigned) cmd < S_CMD_COUNT)
        return s_cmd_names [cmd];
    return "?";
}

const char *
ab_proto_code_name (ab_proto_code_t code)
{
    switch (code) {
        case AB_PROTO_OK: return "ok";
        case AB_PROTO_ERR_FRAMES: return "wrong frame count";
        case AB_PROTO_ERR_COMMAND: return "bad command";
        case AB_PROTO_ERR_TRUNCATED: return "truncated";
        case AB_PROTO_ERR_TYPE: return "wrong type";
        case AB_PROTO_ERR_MISSING: return "missing field";
        case AB_PROTO_ERR_VERSION: return "bad version";
        case AB_PROTO_ERR_SIZE: return "over limit";
        case AB_PROTO_ERR_VALUE: return "bad value";
        case AB_PROTO_ERR_NOMEM: return "out of memory";
    }
    return "unknown error";
}

//  ---------------------------------------------------------------------
//  Small helpers shared by the structs

//  Capacity for count elements of an array that grows by doubling; kept
//  implicit (derived from the count) so structs need no capacity fields.
static size_t
s_capacity (size_t count)
{
    size_t capacity = 1;
    if (count == 0)
        return 0;
    while (capacity < count)
        capacity *= 2;
    return capacity;
}

//  Make room for one more element in an array of count elements.
static int
s_grow (void **array, size_t count, size_t element)
{
    size_t before = s_capacity (count), after = s_capacity (count + 1);
    if (after == before)
        return 0;
    void *bigger = realloc (*array, after * element);
    if (!bigger)
        return -1;
    *array = bigger;
    return 0;
}

int
ab_article_set (char **field, const char *value)
{
    assert (field);
    char *copy = strdup (value? value: "");
    if (!copy)
        return -1;
    free (*field);
    *field = copy;
    return 0;
}

static void
s_slots_destroy (ab_slot_t *slots, uint32_t count)
{
    for (uint32_t index = 0; index < count; index++) {
        free (slots [index].name);
        free (slots [index].value);
    }
    free (slots);
}

static void
s_claim_clear (ab_claim_t *claim)
{
    if (claim->block) {
        free (claim->block);
        memset (claim, 0, sizeof *claim);
        return;
    }
    free (claim->type);
    free (claim->rule);
    for (uint32_t index = 0; index < claim->actor_count; index++)
        free (claim->actors [index]);
    free (claim->actors);
    s_slots_destroy (claim->keys, claim->key_count);
    s_slots_destroy (claim->values, claim->value_count);
    free (claim->hedge);
    free (claim->attribution);
    free (claim->evidence);
    memset (claim, 0, sizeof *claim);
}

//  ---------------------------------------------------------------------
//  ARTICLE

ab_article_t *
ab_article_new (void)
{
    ab_article_t *self = (ab_article_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    //  attempt starts at 1: a first delivery is attempt 1 on the wire
    self->attempt = 1;
    if (ab_article_set (&self->id, "") || ab_article_set (&self->source, "")
    ||  ab_article_set (&self->url, "") || ab_article_set (&self->title, "")
    ||  ab_article_set (&self->published, "") || ab_article_set (&self->origin, "")
    ||  ab_article_set (&self->body, ""))
        ab_article_destroy (&self);
    return self;
}

void
ab_article_destroy (ab_article_t **self_p)
{
    assert (self_p);
    ab_article_t *self = *self_p;
    if (self) {
        free (self->id);
        free (self->source);
        free (self->url);
        free (self->title);
        free (self->published);
        free (self->origin);
        free (self->body);
        free (self);
        *self_p = NULL;
    }
}

int
ab_article_set_body (ab_article_t *self, const char *body, size_t size)
{
    assert (self);
    assert (body || size == 0);
    char *copy = (char *) malloc (size + 1);
    if (!copy)
        return -1;
    if (size)
        memcpy (copy, body, size);
    copy [size] = 0;
    free (self->body);
    self->body = copy;
    self->body_size = size;
    return 0;
}

//  ---------------------------------------------------------------------
//  RESULT

ab_result_t *
ab_result_new (void)
{
    ab_result_t *self = (ab_result_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    if (ab_article_set (&self->article_id, "") || ab_article_set (&self->source, "")
    ||  ab_article_set (&self->url, "") || ab_article_set (&self->title, "")
    ||  ab_article_set (&self->published, "") || ab_article_set (&self->origin, "")
    ||  ab_article_set (&self->worker, ""))
        ab_result_destroy (&self);
    return self;
}

void
ab_result_destroy (ab_result_t **self_p)
{
    assert (self_p);
    ab_result_t *self = *self_p;
    if (self) {
        free (self->article_id);
        free (self->source);
        free (self->url);
        free (self->title);
        free (self->published);
        free (self->origin);
        free (self->worker);
        for (uint32_t index = 0; index < self->claim_count; index++)
            s_claim_clear (&self->claims [index]);
        free (self->claims);
        free (self);
        *self_p = NULL;
    }
}

int
ab_result_set_article (ab_result_t *self, const ab_article_t *article)
{
    assert (self);
    assert (article);
    if (ab_article_set (&self->article_id, article->id)
    ||  ab_article_set (&self->source, article->source)
    ||  ab_article_set (&self->url, article->url)
    ||  ab_article_set (&self->title, article->title)
    ||  ab_article_set (&self->published, article->published)
    ||  ab_article_set (&self->origin, article->origin))
        return -1;
    self->received_ms = article->received_ms;
    return 0;
}

//  Make room for one more claim; returns the new (not yet counted) slot
//  zeroed, or NULL on no memory.
static ab_claim_t *
s_claim_slot (ab_result_t *self)
{
    if (self->claim_count == self->claim_capacity) {
        uint32_t capacity = self->claim_capacity? self->claim_capacity * 2: 8;
        ab_claim_t *claims = (ab_claim_t *) realloc (self->claims, capacity * sizeof *claims);
        if (!claims)
            return NULL;
        self->claims = claims;
        self->claim_capacity = capacity;
    }
    ab_claim_t *claim = &self->claims [self->claim_count];
    memset (claim, 0, sizeof *claim);
    return claim;
}

ab_claim_t *
ab_result_add_claim (ab_result_t *self)
{
    assert (self);
    ab_claim_t *claim = s_claim_slot (self);
    if (!claim)
        return NULL;
    if (ab_article_set (&claim->type, "") || ab_article_set (&claim->rule, "")
    ||  ab_article_set (&claim->hedge, "") || ab_article_set (&claim->attribution, "")
    ||  ab_article_set (&claim->evidence, "")) {
        s_claim_clear (claim);
        return NULL;
    }
    self->claim_count++;
    return claim;
}

//  Copy count slots into a new array sized as s_grow expects, so that
//  ab_claim_add_key/value can append to it later.  Counts the slots
//  copied in *copied (for s_claim_clear on failure).  Returns 0 or -1.
static int
s_slots_copy (ab_slot_t **slots_p, uint32_t *copied, const ab_slot_t *slots, uint32_t count)
{
    *copied = 0;
    if (count == 0)
        return 0;
    *slots_p = (ab_slot_t *) calloc (s_capacity (count), sizeof (ab_slot_t));
    if (!*slots_p)
        return -1;
    for (uint32_t index = 0; index < count; index++) {
        ab_slot_t *slot = &(*slots_p) [index];
        slot->name = strdup (slots [index].name? slots [index].name: "");
        slot->value = strdup (slots [index].value? slots [index].value: "");
        (*copied)++;
        if (!slot->name || !slot->value)
            return -1;
    }
    return 0;
}

//  Deep-copy claim into copy (zeroed), one allocation per string and per
//  array, arrays sized as s_grow expects.  Returns 0, or -1 with copy
//  cleared.
static int
s_claim_copy_each (ab_claim_t *copy, const ab_claim_t *claim)
{
    copy->type = strdup (claim->type? claim->type: "");
    copy->rule = strdup (claim->rule? claim->rule: "");
    copy->hedge = strdup (claim->hedge? claim->hedge: "");
    copy->attribution = strdup (claim->attribution? claim->attribution: "");
    copy->evidence = strdup (claim->evidence? claim->evidence: "");
    int rc = copy->type && copy->rule && copy->hedge && copy->attribution && copy->evidence
           ? 0: -1;
    if (rc == 0 && claim->actor_count > 0) {
        copy->actors = (char **) calloc (s_capacity (claim->actor_count), sizeof (char *));
        rc = copy->actors? 0: -1;
        for (uint32_t index = 0; rc == 0 && index < claim->actor_count; index++) {
            const char *actor = claim->actors [index];
            copy->actors [index] = strdup (actor? actor: "");
            copy->actor_count++;
            if (!copy->actors [index])
                rc = -1;
        }
    }
    if (rc == 0)
        rc = s_slots_copy (&copy->keys, &copy->key_count, claim->keys, claim->key_count);
    if (rc == 0)
        rc = s_slots_copy (&copy->values, &copy->value_count, claim->values, claim->value_count);
    if (rc) {
        s_claim_clear (copy);
        return -1;
    }
    copy->evidence_start = claim->evidence_start;
    copy->evidence_end = claim->evidence_end;
    copy->match_start = claim->match_start;
    copy->match_end = claim->match_end;
    return 0;
}

//  A packed claim: its strings and arrays live in claim->block, one
//  allocation.  The extractor hands over thousands of claims a second, and
//  twenty small allocations a claim (then as many frees) cost more than
//  building it.  Before a packed claim grows (ab_claim_add_*), it is
//  unpacked into one allocation per string and array.
static size_t
s_text_size (const char *text)
{
    return strlen (text? text: "") + 1;
}

static char *
s_pack_text (char **at, const char *text)
{
    size_t size = s_text_size (text);
    char *packed = *at;
    memcpy (packed, text? text: "", size);
    *at += size;
    return packed;
}

static size_t
s_slots_text_size (const ab_slot_t *slots, uint32_t count)
{
    size_t size = 0;
    for (uint32_t index = 0; index < count; index++)
        size += s_text_size (slots [index].name) + s_text_size (slots [index].value);
    return size;
}

static void
s_pack_slots (ab_slot_t *packed, char **at, const ab_slot_t *slots, uint32_t count)
{
    for (uint32_t index = 0; index < count; index++) {
        packed [index].name = s_pack_text (at, slots [index].name);
        packed [index].value = s_pack_text (at, slots [index].value);
    }
}

static int
s_claim_unpack (ab_claim_t *claim)
{
    if (!claim->block)
        return 0;
    ab_claim_t each;
    memset (&each, 0, sizeof each);
    if (s_claim_copy_each (&each, claim))
        return -1;
    free (claim->block);
    *claim = each;
    return 0;
}

ab_claim_t *
ab_result_add_claim_copy (ab_result_t *self, const ab_claim_t *claim)
{
    assert (self);
    assert (claim);
    //  Arrays first (pointers are the strictest alignment here), then text
    size_t slot_count = (size_t) claim->key_count + claim->value_count;
    size_t arrays = claim->actor_count * sizeof (char *) + slot_count * sizeof (ab_slot_t);
    size_t size = arrays + s_text_size (claim->type) + s_text_size (claim->rule)
                + s_text_size (claim->hedge) + s_text_size (claim->attribution)
                + s_text_size (claim->evidence);
    for (uint32_t index = 0; index < claim->actor_count; index++)
        size += s_text_size (claim->actors [index]);
    size += s_slots_text_size (claim->keys, claim->key_count)
          + s_slots_text_size (claim->values, claim->value_count);
    ab_claim_t *copy = s_claim_slot (self);
    char *block = copy? (char *) malloc (size): NULL;
    if (!block)
        return NULL;
    *copy = *claim;
    copy->block = block;
    copy->actors = claim->actor_count? (char **) block: NULL;
    copy->keys = claim->key_count? (ab_slot_t *) (block + claim->actor_count * sizeof (char *)): NULL;
    copy->values = claim->value_count
                 ? (ab_slot_t *) (block + claim->actor_count * sizeof (char *)
                                        + claim->key_count * sizeof (ab_slot_t))
                 : NULL;
    char *at = block + arrays;
    copy->type = s_pack_text (&at, claim->type);
    copy->rule = s_pack_text (&at, claim->rule);
    copy->hedge = s_pack_text (&at, claim->hedge);
    copy->attribution = s_pack_text (&at, claim->attribution);
    copy->evidence = s_pack_text (&at, claim->evidence);
    for (uint32_t index = 0; index < claim->actor_count; index++)
        copy->actors [index] = s_pack_text (&at, claim->actors [index]);
    s_pack_slots (copy->keys, &at, claim->keys, claim->key_count);
    s_pack_slots (copy->values, &at, claim->values, claim->value_count);
    assert (at == block + size);
    self->claim_count++;
    return copy;
}

int
ab_claim_add_actor (ab_claim_t *self, const char *actor)
{
    assert (self);
    if (s_claim_unpack (self))
        return -1;
    char *copy = strdup (actor? actor: "");
    if (!copy || s_grow ((void **) &self->actors, self->actor_count, sizeof (char *))) {
        free (copy);
        return -1;
    }
    self->actors [self->actor_count++] = copy;
    return 0;
}

static int
s_slot_add (ab_slot_t **slots, uint32_t *count, const char *name, const char *value)
{
    char *name_copy = strdup (name? name: "");
    char *value_copy = strdup (value? value: "");
    if (!name_copy || !value_copy || s_grow ((void **) slots, *count, sizeof (ab_slot_t))) {
        free (name_copy);
        free (value_copy);
        return -1;
    }
    (*slots) [*count].name = name_copy;
    (*slots) [*count].value = value_copy;
    (*count)++;
    return 0;
}

int
ab_claim_add_key (ab_claim_t *self, const char *name, const char *value)
{
    assert (self);
    if (s_claim_unpack (self))
        return -1;
    return s_slot_add (&self->keys, &self->key_count, name, value);
}

int
ab_claim_add_value (ab_claim_t *self, const char *name, const char *value)
{
    assert (self);
    if (s_claim_unpack (self))
        return -1;
    return s_slot_add (&self->values, &self->value_count, name, value);
}

static const char *
s_slot_find (const ab_slot_t *slots, uint32_t count, const char *name)
{
    for (uint32_t index = 0; index < count; index++)
        if (slots [index].name && strcmp (slots [index].name, name) == 0)
            return slots [index].value;
    return NULL;
}

const char *
ab_claim_key (const ab_claim_t *self, const char *name)
{
    assert (self);
    assert (name);
    return s_slot_find (self->keys, self->key_count, name);
}

const char *
ab_claim_value (const ab_claim_t *self, const char *name)
{
    assert (self);
    assert (name);
    return s_slot_find (self->values, self->value_count, name);
}

//  ---------------------------------------------------------------------
//  Small messages: destructors

void
ab_ack_destroy (ab_ack_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        free ((*self_p)->article_id);
        free (*self_p);
        *self_p = NULL;
    }
}

void
ab_credit_destroy (ab_credit_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        free ((*self_p)->worker);
        free (*self_p);
        *self_p = NULL;
    }
}

void
ab_heartbeat_destroy (ab_heartbeat_t **self_p)
{
    assert (self_p);
    if (*self_p)
        json_decref ((*self_p)->topic_seqs);
    free (*self_p);
    *self_p = NULL;
}

void
ab_errmsg_destroy (ab_errmsg_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        free ((*self_p)->message);
        free (*self_p);
        *self_p = NULL;
    }
}

void
ab_delta_destroy (ab_delta_t **self_p)
{
    assert (self_p);
    ab_delta_t *self = *self_p;
    if (self) {
        free (self->op);
        free (self->topic);
        free (self->key);
        json_decref (self->item);
        json_decref (self->summary);
        free (self);
        *self_p = NULL;
    }
}

void
ab_snapshot_destroy (ab_snapshot_t **self_p)
{
    assert (self_p);
    ab_snapshot_t *self = *self_p;
    if (self) {
        free (self->topic);
        json_decref (self->topic_seqs);
        json_decref (self->items);
        json_decref (self->summary);
        free (self);
        *self_p = NULL;
    }
}

//  ---------------------------------------------------------------------
//  Encoding

typedef struct {
    msgpack_sbuffer buffer;
    msgpack_packer packer;
    int rc;                     //  nonzero once any write failed
} s_enc_t;

//  Start a map of count fields (plus "v").  reserve sizes the buffer so an
//  ARTICLE's body is copied into it once, not regrown several times.
static void
s_enc_start (s_enc_t *enc, size_t count, size_t reserve)
{
    msgpack_sbuffer_init (&enc->buffer);
    enc->rc = 0;
    if (reserve) {
        enc->buffer.data = (char *) malloc (reserve);
        enc->buffer.alloc = enc->buffer.data? reserve: 0;
    }
    msgpack_packer_init (&enc->packer, &enc->buffer, msgpack_sbuffer_write);
    enc->rc |= msgpack_pack_map (&enc->packer, count + 1);
    enc->rc |= ab_mp_pack_cstr (&enc->packer, "v");
    enc->rc |= msgpack_pack_uint32 (&enc->packer, AB_PROTO_VERSION);
}

static void
s_key (s_enc_t *enc, const char *key)
{
    enc->rc |= ab_mp_pack_cstr (&enc->packer, key);
}

static void
s_str (s_enc_t *enc, const char *key, const char *value)
{
    s_key (enc, key);
    enc->rc |= ab_mp_pack_cstr (&enc->packer, value);
}

static void
s_uint (s_enc_t *enc, const char *key, uint64_t value)
{
    s_key (enc, key);
    enc->rc |= msgpack_pack_uint64 (&enc->packer, value);
}

static void
s_int (s_enc_t *enc, const char *key, int64_t value)
{
    s_key (enc, key);
    enc->rc |= msgpack_pack_int64 (&enc->packer, value);
}

static void
s_bool (s_enc_t *enc, const char *key, bool value)
{
    s_key (enc, key);
    enc->rc |= value? msgpack_pack_true (&enc->packer): msgpack_pack_false (&enc->packer);
}

//  JSON value, or nil if json is NULL
static void
s_json (s_enc_t *enc, const char *key, const json_t *json, int depth)
{
    s_key (enc, key);
    if (json)
        enc->rc |= ab_mp_pack_json (&enc->packer, json, depth);
    else
        enc->rc |= msgpack_pack_nil (&enc->packer);
}

//  Build the message: optional topic frame, command, map.  Frees the
//  buffer in every case; returns NULL if anything failed.
static zmsg_t *
s_enc_finish (s_enc_t *enc, const char *topic, ab_cmd_t cmd)
{
    zmsg_t *msg = NULL;
    if (enc->rc == 0)
        msg = zmsg_new ();
    if (msg) {
        int rc = 0;
        if (topic)
            rc |= zmsg_addstr (msg, topic);
        rc |= zmsg_addstr (msg, s_cmd_names [cmd]);
        rc |= zmsg_addmem (msg, enc->buffer.data, enc->buffer.size);
        if (rc)
            zmsg_destroy (&msg);
    }
    msgpack_sbuffer_destroy (&enc->buffer);
    return msg;
}

zmsg_t *
ab_article_encode (const ab_article_t *self)
{
    assert (self);
    s_enc_t enc;
    s_enc_start (&enc, 9, self->body_size + 512);
    s_str (&enc, "id", self->id);
    s_str (&enc, "source", self->source);
    s_str (&enc, "url", self->url);
    s_str (&enc, "title", self->title);
    s_str (&enc, "published", self->published);
    s_str (&enc, "origin", self->origin);
    s_int (&enc, "received_ms", self->received_ms);
    s_uint (&enc, "attempt", self->attempt);
    s_key (&enc, "body");
    enc.rc |= msgpack_pack_bin (&enc.packer, self->body_size);
    if (self->body_size)
        enc.rc |= msgpack_pack_bin_body (&enc.packer, self->body, self->body_size);
    return s_enc_finish (&enc, NULL, AB_CMD_ARTICLE);
}

static void
s_slots (s_enc_t *enc, const char *key, const ab_slot_t *slots, uint32_t count)
{
    s_key (enc, key);
    enc->rc |= msgpack_pack_map (&enc->packer, count);
    for (uint32_t index = 0; index < count; index++) {
        enc->rc |= ab_mp_pack_cstr (&enc->packer, slots [index].name);
        enc->rc |= ab_mp_pack_cstr (&enc->packer, slots [index].value);
    }
}

zmsg_t *
ab_result_encode (const ab_result_t *self)
{
    assert (self);
    s_enc_t enc;
    s_enc_start (&enc, 15, 512 + (size_t) self->claim_count * 256);
    s_str (&enc, "article_id", self->article_id);
    s_str (&enc, "source", self->source);
    s_str (&enc, "url", self->url);
    s_str (&enc, "title", self->title);
    s_str (&enc, "published", self->published);
    s_str (&enc, "origin", self->origin);
    s_int (&enc, "received_ms", self->received_ms);
    s_str (&enc, "worker", self->worker);
    s_uint (&enc, "fingerprint", self->fingerprint);
    s_uint (&enc, "invalid_utf8", self->invalid_utf8);
    s_uint (&enc, "homoglyphs", self->homoglyphs);
    s_uint (&enc, "boilerplate", self->boilerplate);
    s_uint (&enc, "sentences", self->sentences);
    s_uint (&enc, "text_size", self->text_size);
    s_key (&enc, "claims");
    enc.rc |= msgpack_pack_array (&enc.packer, self->claim_count);
    for (uint32_t index = 0; index < self->claim_count; index++) {
        const ab_claim_t *claim = &self->claims [index];
        enc.rc |= msgpack_pack_map (&enc.packer, 12);
        s_str (&enc, "type", claim->type);
        s_str (&enc, "rule", claim->rule);
        s_key (&enc, "actors");
        enc.rc |= msgpack_pack_array (&enc.packer, claim->actor_count);
        for (uint32_t actor = 0; actor < claim->actor_count; actor++)
            enc.rc |= ab_mp_pack_cstr (&enc.packer, claim->actors [actor]);
        s_slots (&enc, "keys", claim->keys, claim->key_count);
        s_slots (&enc, "values", claim->values, claim->value_count);
        s_str (&enc, "hedge", claim->hedge);
        s_str (&enc, "attribution", claim->attribution);
        s_str (&enc, "evidence", claim->evidence);
        s_uint (&enc, "evidence_start", claim->evidence_start);
        s_uint (&enc, "evidence_end", claim->evidence_end);
        s_uint (&enc, "match_start", claim->match_start);
        s_uint (&enc, "match_end", claim->match_end);
    }
    return s_enc_finish (&enc, NULL, AB_CMD_RESULT);
}

zmsg_t *
ab_ack_encode (const ab_ack_t *self)
{
    assert (self);
    s_enc_t enc;
    s_enc_start (&enc, 3, 0);
    s_str (&enc, "article_id", self->article_id);
    s_uint (&enc, "claims", self->claims);
    s_bool (&enc, "duplicate", self->duplicate);
    return s_enc_finish (&enc, NULL, AB_CMD_ACK);
}

zmsg_t *
ab_credit_encode (const ab_credit_t *self)
{
    assert (self);
    s_enc_t enc;
    s_enc_start (&enc, 2, 0);
    s_uint (&enc, "credit", self->credit);
    s_str (&enc, "worker", self->worker);
    return s_enc_finish (&enc, NULL, AB_CMD_CREDIT);
}

static zmsg_t *
s_heartbeat_encode (const ab_heartbeat_t *self, const char *topic)
{
    assert (self);
    s_enc_t enc;
    bool with_topic_seqs = topic && self->topic_seqs;
    s_enc_start (&enc, with_topic_seqs? 3: 2, 0);
    s_uint (&enc, "seq", self->seq);
    s_int (&enc, "sent_ms", self->sent_ms);
    if (with_topic_seqs) {
        s_key (&enc, "topic_seqs");
        enc.rc |= ab_mp_pack_json (&enc.packer, self->topic_seqs, 2);
    }
    return s_enc_finish (&enc, topic, AB_CMD_HEARTBEAT);
}

zmsg_t *
ab_heartbeat_encode (const ab_heartbeat_t *self)
{
    return s_heartbeat_encode (self, NULL);
}

zmsg_t *
ab_heartbeat_encode_pub (const ab_heartbeat_t *self)
{
    return s_heartbeat_encode (self, AB_HEARTBEAT_TOPIC);
}

zmsg_t *
ab_errmsg_encode (const ab_errmsg_t *self)
{
    assert (self);
    s_enc_t enc;
    s_enc_start (&enc, 2, 0);
    s_uint (&enc, "code", (uint64_t) self->code);
    s_str (&enc, "message", self->message);
    return s_enc_finish (&enc, NULL, AB_CMD_ERROR);
}

zmsg_t *
ab_snapshot_encode (const ab_snapshot_t *self)
{
    assert (self);
    s_enc_t enc;
    s_enc_start (&enc, self->is_reply? 6: 2, 0);
    s_str (&enc, "topic", self->topic);
    s_bool (&enc, "reply", self->is_reply);
    if (self->is_reply) {
        s_uint (&enc, "seq", self->seq);
        //  Missing containers go out empty rather than as nil: a reply
        //  always carries a (possibly empty) state
        s_key (&enc, "topic_seqs");
        if (self->topic_seqs)
            enc.rc |= ab_mp_pack_json (&enc.packer, self->topic_seqs, 2);
        else
            enc.rc |= msgpack_pack_map (&enc.packer, 0);
        s_key (&enc, "items");
        if (self->items)
            enc.rc |= ab_mp_pack_json (&enc.packer, self->items, 2);
        else
            enc.rc |= msgpack_pack_array (&enc.packer, 0);
        s_json (&enc, "summary", self->summary, 2);
    }
    return s_enc_finish (&enc, NULL, AB_CMD_SNAPSHOT);
}

zmsg_t *
ab_delta_encode (const ab_delta_t *self)
{
    assert (self);
    s_enc_t enc;
    s_enc_start (&enc, 7, 0);
    s_uint (&enc, "seq", self->seq);
    s_uint (&enc, "topic_seq", self->topic_seq);
    s_str (&enc, "op", self->op);
    s_str (&enc, "topic", self->topic);
    s_str (&enc, "key", self->key);
    s_json (&enc, "item", self->item, 2);
    s_json (&enc, "summary", self->summary, 2);
    return s_enc_finish (&enc, self->topic? self->topic: "", AB_CMD_DELTA);
}

//  ---------------------------------------------------------------------
//  Classification

static ab_cmd_t
s_command_of (zframe_t *frame)
{
    if (!frame)
        return AB_CMD_UNKNOWN;
    size_t size = zframe_size (frame);
    const byte *data = zframe_data (frame);
    for (size_t cmd = 1; cmd < S_CMD_COUNT; cmd++)
        if (strlen (s_cmd_names [cmd]) == size
        &&  memcmp (s_cmd_names [cmd], data, size) == 0)
            return (ab_cmd_t) cmd;
    return AB_CMD_UNKNOWN;
}

ab_cmd_t
ab_msg_command (zmsg_t *msg)
{
    if (!msg)
        return AB_CMD_UNKNOWN;
    return s_command_of (zmsg_first (msg));
}

ab_cmd_t
ab_msg_pub_command (zmsg_t *msg)
{
    if (!msg || !zmsg_first (msg))
        return AB_CMD_UNKNOWN;
    return s_command_of (zmsg_next (msg));
}

//  ---------------------------------------------------------------------
//  Decoding

//  The parts of a message a decoder works on; s_open fills it and
//  s_close releases it.
typedef struct {
    ab_mp_ctx_t ctx;
    ab_proto_error_t own_error; //  used when the caller passed NULL
    msgpack_unpacked unpacked;
    zframe_t *topic;            //  PUB form only
    const msgpack_object *map;  //  frame's top map, once checked
} s_dec_t;

//  Printable excerpt of a frame for messages about it.
static void
s_excerpt (zframe_t *frame, char *out, size_t size)
{
    size_t len = zframe_size (frame), used = 0;
    const byte *data = zframe_data (frame);
    for (size_t index = 0; index < len && used + 4 < size && index < 24; index++)
        out [used++] = (data [index] >= 0x20 && data [index] < 0x7f)? (char) data [index]: '?';
    if (len > 24 && used + 4 < size) {
        memcpy (out + used, "...", 3);
        used += 3;
    }
    out [used] = 0;
}

//  Check framing and command, scan and unpack frame 1 (the last frame),
//  check it is a map, check "v".  pub selects [topic][cmd][map].
//  Returns 0 with dec->map set, or -1 with the error recorded.
static int
s_open (s_dec_t *dec, zmsg_t *msg, ab_cmd_t cmd, bool pub, ab_proto_error_t *error)
{
    ab_mp_ctx_t *ctx = &dec->ctx;
    ab_mp_ctx_init (ctx, s_cmd_names [cmd], error? error: &dec->own_error);
    msgpack_unpacked_init (&dec->unpacked);
    dec->topic = NULL;
    dec->map = NULL;
    if (!msg)
        return ab_mp_fail (ctx, AB_PROTO_ERR_FRAMES, "no message");
    size_t frames = zmsg_size (msg), expected = pub? 3: 2;
    if (frames != expected)
        return ab_mp_fail (ctx, AB_PROTO_ERR_FRAMES, "expected %zu frames, got %zu",
                           expected, frames);
    zframe_t *frame = zmsg_first (msg);
    if (pub) {
        dec->topic = frame;
        frame = zmsg_next (msg);
    }
    if (s_command_of (frame) != cmd) {
        char excerpt [40];
        s_excerpt (frame, excerpt, sizeof excerpt);
        return ab_mp_fail (ctx, AB_PROTO_ERR_COMMAND, "expected command %s, got \"%s\"",
                           s_cmd_names [cmd], excerpt);
    }
    frame = zmsg_next (msg);
    size_t size = zframe_size (frame);
    if (size > AB_MAX_FRAME)
        return ab_mp_fail (ctx, AB_PROTO_ERR_SIZE, "frame is %zu bytes, limit %u",
                           size, AB_MAX_FRAME);
    const char *data = (const char *) zframe_data (frame);
    if (ab_mp_scan (ctx, (const uint8_t *) data, size))
        return -1;
    size_t offset = 0;
    msgpack_unpack_return rc = msgpack_unpack_next (&dec->unpacked, data, size, &offset);
    if (rc == MSGPACK_UNPACK_NOMEM_ERROR)
        return ab_mp_fail (ctx, AB_PROTO_ERR_NOMEM, "out of memory unpacking %zu bytes", size);
    //  The scan accepted it, so msgpack-c must too; if the two ever
    //  disagree, say so rather than read a half-built object
    if (rc != MSGPACK_UNPACK_SUCCESS || offset != size)
        return ab_mp_fail (ctx, AB_PROTO_ERR_TRUNCATED, "msgpack did not parse (%d)", (int) rc);
    const msgpack_object *map = &dec->unpacked.data;
    if (map->type != MSGPACK_OBJECT_MAP)
        return ab_mp_fail (ctx, AB_PROTO_ERR_TYPE, "frame has type %s, expected map",
                           ab_mp_type_name (map));
    //  The version comes before any other field: a v2 map may give old
    //  names new types, and "wrong type" would then be the wrong diagnosis
    const msgpack_object *version = NULL;
    for (uint32_t index = 0; index < map->via.map.size; index++) {
        const msgpack_object *key = &map->via.map.ptr [index].key;
        if (key->type == MSGPACK_OBJECT_STR && key->via.str.size == 1
        &&  key->via.str.ptr [0] == 'v') {
            if (version)
                return ab_mp_fail (ctx, AB_PROTO_ERR_VERSION, "field 'v' appears twice");
            version = &map->via.map.ptr [index].val;
        }
    }
    if (!version)
        return ab_mp_fail (ctx, AB_PROTO_ERR_VERSION, "field 'v' is missing");
    if (version->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        return ab_mp_fail (ctx, AB_PROTO_ERR_VERSION, "version %lld is not supported (expected %d)",
                           (long long) version->via.i64, AB_PROTO_VERSION);
    if (version->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return ab_mp_fail (ctx, AB_PROTO_ERR_VERSION, "field 'v' has type %s, expected int",
                           ab_mp_type_name (version));
    if (version->via.u64 != AB_PROTO_VERSION)
        return ab_mp_fail (ctx, AB_PROTO_ERR_VERSION, "version %llu is not supported (expected %d)",
                           (unsigned long long) version->via.u64, AB_PROTO_VERSION);
    dec->map = map;
    return 0;
}

static void
s_close (s_dec_t *dec)
{
    msgpack_unpacked_destroy (&dec->unpacked);
}

//  Allocate the result struct or record NOMEM.
static void *
s_alloc (s_dec_t *dec, size_t size)
{
    void *self = calloc (1, size);
    if (!self)
        ab_mp_fail (&dec->ctx, AB_PROTO_ERR_NOMEM, "out of memory");
    return self;
}

//  ARTICLE ---------------------------------------------------------------

static int
s_article_body (ab_mp_ctx_t *ctx, const msgpack_object *o, void *self)
{
    ab_article_t *article = (ab_article_t *) self;
    return ab_mp_read_bytes (ctx, o, AB_MAX_BODY, &article->body, &article->body_size);
}

//  Field table rows; name is always a string literal, so sizeof gives
//  its length at compile time
#define F(type, name, kind, member) \
    { name, sizeof (name) - 1, kind, offsetof (type, member), false, 0, NULL, NULL }
#define F_MIN(type, name, kind, member, minimum) \
    { name, sizeof (name) - 1, kind, offsetof (type, member), false, minimum, NULL, NULL }
#define F_WORD(type, name, member, words) \
    { name, sizeof (name) - 1, AB_MP_WORD, offsetof (type, member), false, 0, words, NULL }
#define F_CUSTOM(name, fn, optional) \
    { name, sizeof (name) - 1, AB_MP_CUSTOM, 0, optional, 0, NULL, fn }
#define COUNT(table) (sizeof table / sizeof table [0])

static const ab_mp_field_t s_article_fields [] = {
    F (ab_article_t, "id", AB_MP_ID, id),
    F (ab_article_t, "source", AB_MP_STR, source),
    F (ab_article_t, "url", AB_MP_STR, url),
    F (ab_article_t, "title", AB_MP_STR, title),
    F (ab_article_t, "published", AB_MP_DATE, published),
    F (ab_article_t, "origin", AB_MP_STR, origin),
    F (ab_article_t, "received_ms", AB_MP_I64, received_ms),
    F_MIN (ab_article_t, "attempt", AB_MP_U32, attempt, 1),
    F_CUSTOM ("body", s_article_body, false),
};

ab_article_t *
ab_article_decode (zmsg_t *msg, ab_proto_error_t *error)
{
    s_dec_t dec;
    ab_article_t *self = NULL;
    if (s_open (&dec, msg, AB_CMD_ARTICLE, false, error) == 0
    &&  (self = (ab_article_t *) s_alloc (&dec, sizeof *self))
    &&  ab_mp_decode_fields (&dec.ctx, dec.map, s_article_fields,
                             COUNT (s_article_fields), self))
        ab_article_destroy (&self);
    s_close (&dec);
    return self;
}

//  RESULT ----------------------------------------------------------------

static int
s_claim_actors (ab_mp_ctx_t *ctx, const msgpack_object *o, void *self)
{
    ab_claim_t *claim = (ab_claim_t *) self;
    if (ab_mp_expect (ctx, o, MSGPACK_OBJECT_ARRAY, "array"))
        return -1;
    uint32_t count = o->via.array.size;
    if (count > AB_MAX_LIST)
        return ab_mp_fail (ctx, AB_PROTO_ERR_SIZE, "has %u elements, limit %d",
                           count, AB_MAX_LIST);
    if (count == 0)
        return 0;
    claim->actors = (char **) calloc (s_capacity (count), sizeof (char *));
    if (!claim->actors)
        return ab_mp_fail (ctx, AB_PROTO_ERR_NOMEM, "out of memory");
    claim->actor_count = count;
    for (uint32_t index = 0; index < count; index++) {
        size_t mark = ab_mp_push_index (ctx, index);
        int rc = ab_mp_read_str (ctx, &o->via.array.ptr [index], AB_MAX_FIELD,
                                 &claim->actors [index]);
        ab_mp_pop (ctx, mark);
        if (rc)
            return -1;
    }
    return 0;
}

//  Slots travel as a map name -> value; a name given twice would make the
//  claim's identity ambiguous, so it is refused.
static int
s_read_slots (ab_mp_ctx_t *ctx, const msgpack_object *o, ab_slot_t **slots, uint32_t *count_p)
{
    if (ab_mp_expect (ctx, o, MSGPACK_OBJECT_MAP, "map"))
        return -1;
    uint32_t count = o->via.map.size;
    if (count > AB_MAX_LIST)
        return ab_mp_fail (ctx, AB_PROTO_ERR_SIZE, "has %u entries, limit %d",
                           count, AB_MAX_LIST);
    if (count == 0)
        return 0;
    *slots = (ab_slot_t *) calloc (s_capacity (count), sizeof (ab_slot_t));
    if (!*slots)
        return ab_mp_fail (ctx, AB_PROTO_ERR_NOMEM, "out of memory");
    *count_p = count;
    for (uint32_t index = 0; index < count; index++) {
        const msgpack_object_kv *kv = &o->via.map.ptr [index];
        ab_slot_t *slot = &(*slots) [index];
        size_t mark = ab_mp_push_index (ctx, index);
        int rc = ab_mp_read_str (ctx, &kv->key, AB_MAX_FIELD, &slot->name);
        ab_mp_pop (ctx, mark);
        if (rc)
            return -1;
        mark = ab_mp_push_key (ctx, kv->key.via.str.ptr, kv->key.via.str.size);
        for (uint32_t other = 0; other < index && rc == 0; other++)
            if (strcmp ((*slots) [other].name, slot->name) == 0)
                rc = ab_mp_fail (ctx, AB_PROTO_ERR_VALUE, "appears twice");
        if (rc == 0)
            rc = ab_mp_read_str (ctx, &kv->val, AB_MAX_FIELD, &slot->value);
        ab_mp_pop (ctx, mark);
        if (rc)
            return -1;
    }
    return 0;
}

static int
s_claim_keys (ab_mp_ctx_t *ctx, const msgpack_object *o, void *self)
{
    ab_claim_t *claim = (ab_claim_t *) self;
    return s_read_slots (ctx, o, &claim->keys, &claim->key_count);
}

static int
s_claim_values (ab_mp_ctx_t *ctx, const msgpack_object *o, void *self)
{
    ab_claim_t *claim = (ab_claim_t *) self;
    return s_read_slots (ctx, o, &claim->values, &claim->value_count);
}

static const ab_mp_field_t s_claim_fields [] = {
    F (ab_claim_t, "type", AB_MP_STR, type),
    F (ab_claim_t, "rule", AB_MP_STR, rule),
    F_CUSTOM ("actors", s_claim_actors, false),
    F_CUSTOM ("keys", s_claim_keys, false),
    F_CUSTOM ("values", s_claim_values, false),
    F_WORD (ab_claim_t, "hedge", hedge, s_hedges),
    F (ab_claim_t, "attribution", AB_MP_STR, attribution),
    F (ab_claim_t, "evidence", AB_MP_STR, evidence),
    F (ab_claim_t, "evidence_start", AB_MP_U32, evidence_start),
    F (ab_claim_t, "evidence_end", AB_MP_U32, evidence_end),
    F (ab_claim_t, "match_start", AB_MP_U32, match_start),
    F (ab_claim_t, "match_end", AB_MP_U32, match_end),
};

static int
s_result_claims (ab_mp_ctx_t *ctx, const msgpack_object *o, void *self)
{
    ab_result_t *result = (ab_result_t *) self;
    if (ab_mp_expect (ctx, o, MSGPACK_OBJECT_ARRAY, "array"))
        return -1;
    uint32_t count = o->via.array.size;
    if (count > AB_MAX_CLAIMS)
        return ab_mp_fail (ctx, AB_PROTO_ERR_SIZE, "has %u claims, limit %d",
                           count, AB_MAX_CLAIMS);
    if (count == 0)
        return 0;
    result->claims = (ab_claim_t *) calloc (count, sizeof (ab_claim_t));
    if (!result->claims)
        return ab_mp_fail (ctx, AB_PROTO_ERR_NOMEM, "out of memory");
    result->claim_count = count;
    result->claim_capacity = count;
    for (uint32_t index = 0; index < count; index++) {
        ab_claim_t *claim = &result->claims [index];
        size_t mark = ab_mp_push_index (ctx, index);
        int rc = ab_mp_decode_fields (ctx, &o->via.array.ptr [index], s_claim_fields,
                                      COUNT (s_claim_fields), claim);
        //  Offsets index the normalized text: the match lies inside the
        //  evidence sentence, and both spans run forwards
        if (rc == 0 && !(claim->evidence_start <= claim->match_start
                      && claim->match_start <= claim->match_end
                      && claim->match_end <= claim->evidence_end))
            rc = ab_mp_fail (ctx, AB_PROTO_ERR_VALUE,
                             "has offsets evidence %u..%u, match %u..%u; expected "
                             "evidence_start <= match_start <= match_end <= evidence_end",
                             claim->evidence_start, claim->evidence_end,
                             claim->match_start, claim->match_end);
        ab_mp_pop (ctx, mark);
        if (rc)
            return -1;
    }
    return 0;
}

static const ab_mp_field_t s_result_fields [] = {
    F (ab_result_t, "article_id", AB_MP_ID, article_id),
    F (ab_result_t, "source", AB_MP_STR, source),
    F (ab_result_t, "url", AB_MP_STR, url),
    F (ab_result_t, "title", AB_MP_STR, title),
    F (ab_result_t, "published", AB_MP_DATE, published),
    F (ab_result_t, "origin", AB_MP_STR, origin),
    F (ab_result_t, "received_ms", AB_MP_I64, received_ms),
    F (ab_result_t, "worker", AB_MP_STR, worker),
    F (ab_result_t, "fingerprint", AB_MP_U64, fingerprint),
    F (ab_result_t, "invalid_utf8", AB_MP_U32, invalid_utf8),
    F (ab_result_t, "homoglyphs", AB_MP_U32, homoglyphs),
    F (ab_result_t, "boilerplate", AB_MP_U32, boilerplate),
    F (ab_result_t, "sentences", AB_MP_U32, sentences),
    F (ab_result_t, "text_size", AB_MP_U32, text_size),
    F_CUSTOM ("claims", s_result_claims, false),
};

ab_result_t *
ab_result_decode (zmsg_t *msg, ab_proto_error_t *error)
{
    s_dec_t dec;
    ab_result_t *self = NULL;
    if (s_open (&dec, msg, AB_CMD_RESULT, false, error) == 0
    &&  (self = (ab_result_t *) s_alloc (&dec, sizeof *self))
    &&  ab_mp_decode_fields (&dec.ctx, dec.map, s_result_fields,
                             COUNT (s_result_fields), self))
        ab_result_destroy (&self);
    s_close (&dec);
    return self;
}

//  ACK, CREDIT, HEARTBEAT, ERROR ------------------------------------------

static const ab_mp_field_t s_ack_fields [] = {
    F (ab_ack_t, "article_id", AB_MP_ID, article_id),
    F (ab_ack_t, "claims", AB_MP_U32, claims),
    F (ab_ack_t, "duplicate", AB_MP_BOOL, duplicate),
};

ab_ack_t *
ab_ack_decode (zmsg_t *msg, ab_proto_error_t *error)
{
    s_dec_t dec;
    ab_ack_t *self = NULL;
    if (s_open (&dec, msg, AB_CMD_ACK, false, error) == 0
    &&  (self = (ab_ack_t *) s_alloc (&dec, sizeof *self))
    &&  ab_mp_decode_fields (&dec.ctx, dec.map, s_ack_fields, COUNT (s_ack_fields), self))
        ab_ack_destroy (&self);
    s_close (&dec);
    return self;
}

static const ab_mp_field_t s_credit_fields [] = {
    F_MIN (ab_credit_t, "credit", AB_MP_U32, credit, 1),
    F (ab_credit_t, "worker", AB_MP_STR, worker),
};

ab_credit_t *
ab_credit_decode (zmsg_t *msg, ab_proto_error_t *error)
{
    s_dec_t dec;
    ab_credit_t *self = NULL;
    if (s_open (&dec, msg, AB_CMD_CREDIT, false, error) == 0
    &&  (self = (ab_credit_t *) s_alloc (&dec, sizeof *self))
    &&  ab_mp_decode_fields (&dec.ctx, dec.map, s_credit_fields,
                             COUNT (s_credit_fields), self))
        ab_credit_destroy (&self);
    s_close (&dec);
    return self;
}

static int s_topic_seqs (ab_mp_ctx_t *ctx, const msgpack_object *o, json_t **topic_seqs);

static int
s_heartbeat_topic_seqs (ab_mp_ctx_t *ctx, const msgpack_object *o, void *self)
{
    return s_topic_seqs (ctx, o, &((ab_heartbeat_t *) self)->topic_seqs);
}

static const ab_mp_field_t s_heartbeat_fields [] = {
    F (ab_heartbeat_t, "seq", AB_MP_U64, seq),
    F (ab_heartbeat_t, "sent_ms", AB_MP_I64, sent_ms),
    F_CUSTOM ("topic_seqs", s_heartbeat_topic_seqs, true),
};

static ab_heartbeat_t *
s_heartbeat_decode (zmsg_t *msg, bool pub, ab_proto_error_t *error)
{
    s_dec_t dec;
    ab_heartbeat_t *self = NULL;
    if (s_open (&dec, msg, AB_CMD_HEARTBEAT, pub, error) == 0) {
        if (pub && zframe_size (dec.topic) != 0 && !zframe_streq (dec.topic, AB_HEARTBEAT_TOPIC))
            ab_mp_fail (&dec.ctx, AB_PROTO_ERR_VALUE,
                        "topic frame is not \"" AB_HEARTBEAT_TOPIC "\" (nor empty)");
        else
        if ((self = (ab_heartbeat_t *) s_alloc (&dec, sizeof *self))
        &&  ab_mp_decode_fields (&dec.ctx, dec.map, s_heartbeat_fields,
                                 COUNT (s_heartbeat_fields), self))
            ab_heartbeat_destroy (&self);
    }
    s_close (&dec);
    return self;
}

ab_heartbeat_t *
ab_heartbeat_decode (zmsg_t *msg, ab_proto_error_t *error)
{
    return s_heartbeat_decode (msg, false, error);
}

ab_heartbeat_t *
ab_heartbeat_decode_pub (zmsg_t *msg, ab_proto_error_t *error)
{
    return s_heartbeat_decode (msg, true, error);
}

static int
s_errmsg_code (ab_mp_ctx_t *ctx, const msgpack_object *o, void *self)
{
    uint64_t code;
    if (ab_mp_read_uint (ctx, o, AB_PROTO_ERR_FRAMES, AB_PROTO_ERR_NOMEM, &code))
        return -1;
    ((ab_errmsg_t *) self)->code = (ab_proto_code_t) code;
    return 0;
}

static const ab_mp_field_t s_errmsg_fields [] = {
    F_CUSTOM ("code", s_errmsg_code, false),
    F (ab_errmsg_t, "message", AB_MP_STR, message),
};

ab_errmsg_t *
ab_errmsg_decode (zmsg_t *msg, ab_proto_error_t *error)
{
    s_dec_t dec;
    ab_errmsg_t *self = NULL;
    if (s_open (&dec, msg, AB_CMD_ERROR, false, error) == 0
    &&  (self = (ab_errmsg_t *) s_alloc (&dec, sizeof *self))
    &&  ab_mp_decode_fields (&dec.ctx, dec.map, s_errmsg_fields,
                             COUNT (s_errmsg_fields), self))
        ab_errmsg_destroy (&self);
    s_close (&dec);
    return self;
}

//  SNAPSHOT and DELTA -----------------------------------------------------

//  A JSON object from a msgpack map; nil gives NULL when allowed.
static int
s_json_map (ab_mp_ctx_t *ctx, const msgpack_object *o, bool nil_ok, json_t **out)
{
    if (nil_ok && o->type == MSGPACK_OBJECT_NIL)
        return 0;
    if (ab_mp_expect (ctx, o, MSGPACK_OBJECT_MAP, nil_ok? "map or nil": "map"))
        return -1;
    *out = ab_mp_to_json (ctx, o, 2);
    return *out? 0: -1;
}

static int
s_delta_item (ab_mp_ctx_t *ctx, const msgpack_object *o, void *self)
{
    //  nil is allowed here and refused later unless op is item_removed,
    //  once op is known whatever the key order
    return s_json_map (ctx, o, true, &((ab_delta_t *) self)->item);
}

static int
s_delta_summary (ab_mp_ctx_t *ctx, const msgpack_object *o, void *self)
{
    return s_json_map (ctx, o, true, &((ab_delta_t *) self)->summary);
}

static const ab_mp_field_t s_delta_fields [] = {
    F_MIN (ab_delta_t, "seq", AB_MP_U64, seq, 1),
    F_MIN (ab_delta_t, "topic_seq", AB_MP_U64, topic_seq, 1),
    F_WORD (ab_delta_t, "op", op, s_ops),
    F (ab_delta_t, "topic", AB_MP_STR, topic),
    F (ab_delta_t, "key", AB_MP_STR, key),
    F_CUSTOM ("item", s_delta_item, false),
    F_CUSTOM ("summary", s_delta_summary, true),
};

ab_delta_t *
ab_delta_decode (zmsg_t *msg, ab_proto_error_t *error)
{
    s_dec_t dec;
    ab_delta_t *self = NULL;
    if (s_open (&dec, msg, AB_CMD_DELTA, true, error) == 0
    &&  (self = (ab_delta_t *) s_alloc (&dec, sizeof *self))) {
        ab_mp_ctx_t *ctx = &dec.ctx;
        int rc = ab_mp_decode_fields (ctx, dec.map, s_delta_fields, COUNT (s_delta_fields), self);
        if (rc == 0 && !self->item && strcmp (self->op, "item_removed") != 0) {
            size_t mark = ab_mp_push_key (ctx, "item", 4);
            rc = ab_mp_fail (ctx, AB_PROTO_ERR_TYPE, "has type nil, expected map (op is %s)",
                             self->op);
            ab_mp_pop (ctx, mark);
        }
        //  Subscribers filter on the topic frame and read the map: the two
        //  must agree or a filter would let through what it should not
        if (rc == 0 && (zframe_size (dec.topic) != strlen (self->topic)
                    ||  memcmp (zframe_data (dec.topic), self->topic, strlen (self->topic))))
            rc = ab_mp_fail (ctx, AB_PROTO_ERR_VALUE,
                             "topic frame differs from field 'topic' (\"%.40s\")", self->topic);
        if (rc)
            ab_delta_destroy (&self);
    }
    s_close (&dec);
    return self;
}

//  A map topic -> last topic_seq (SNAPSHOT reply, PUB HEARTBEAT)
static int
s_topic_seqs (ab_mp_ctx_t *ctx, const msgpack_object *o, json_t **topic_seqs)
{
    if (ab_mp_expect (ctx, o, MSGPACK_OBJECT_MAP, "map"))
        return -1;
    //  Values are last topic_seq numbers: checked as unsigned here because
    //  the generic converter would also accept negatives and floats
    for (uint32_t index = 0; index < o->via.map.size; index++) {
        const msgpack_object_kv *kv = &o->via.map.ptr [index];
        if (kv->key.type != MSGPACK_OBJECT_STR)
            continue;           //  the converter below reports it
        uint64_t value;
        size_t mark = ab_mp_push_key (ctx, kv->key.via.str.ptr, kv->key.via.str.size);
        int rc = ab_mp_read_uint (ctx, &kv->val, 0, INT64_MAX, &value);
        ab_mp_pop (ctx, mark);
        if (rc)
            return -1;
    }
    *topic_seqs = ab_mp_to_json (ctx, o, 2);
    return *topic_seqs? 0: -1;
}

static int
s_snapshot_topic_seqs (ab_mp_ctx_t *ctx, const msgpack_object *o, void *self)
{
    return s_topic_seqs (ctx, o, &((ab_snapshot_t *) self)->topic_seqs);
}

static int
s_snapshot_items (ab_mp_ctx_t *ctx, const msgpack_object *o, void *self)
{
    ab_snapshot_t *snapshot = (ab_snapshot_t *) self;
    if (ab_mp_expect (ctx, o, MSGPACK_OBJECT_ARRAY, "array"))
        return -1;
    for (uint32_t index = 0; index < o->via.array.size; index++) {
        size_t mark = ab_mp_push_index (ctx, index);
        int rc = ab_mp_expect (ctx, &o->via.array.ptr [index], MSGPACK_OBJECT_MAP, "map");
        ab_mp_pop (ctx, mark);
        if (rc)
            return -1;
    }
    snapshot->items = ab_mp_to_json (ctx, o, 2);
    return snapshot->items? 0: -1;
}

static int
s_snapshot_summary (ab_mp_ctx_t *ctx, const msgpack_object *o, void *self)
{
    return s_json_map (ctx, o, true, &((ab_snapshot_t *) self)->summary);
}

static const ab_mp_field_t s_snapshot_fields [] = {
    F (ab_snapshot_t, "topic", AB_MP_STR, topic),
    F (ab_snapshot_t, "reply", AB_MP_BOOL, is_reply),
};

static const ab_mp_field_t s_snapshot_reply_fields [] = {
    F (ab_snapshot_t, "seq", AB_MP_U64, seq),
    F_CUSTOM ("topic_seqs", s_snapshot_topic_seqs, false),
    F_CUSTOM ("items", s_snapshot_items, false),
    F_CUSTOM ("summary", s_snapshot_summary, true),
};

ab_snapshot_t *
ab_snapshot_decode (zmsg_t *msg, ab_proto_error_t *error)
{
    s_dec_t dec;
    ab_snapshot_t *self = NULL;
    if (s_open (&dec, msg, AB_CMD_SNAPSHOT, false, error) == 0
    &&  (self = (ab_snapshot_t *) s_alloc (&dec, sizeof *self))) {
        int rc = ab_mp_decode_fields (&dec.ctx, dec.map, s_snapshot_fields,
                                      COUNT (s_snapshot_fields), self);
        //  A request's other keys are ignored like any unknown key
        if (rc == 0 && self->is_reply)
            rc = ab_mp_decode_fields (&dec.ctx, dec.map, s_snapshot_reply_fields,
                                      COUNT (s_snapshot_reply_fields), self);
        if (rc)
            ab_snapshot_destroy (&self);
    }
    s_close (&dec);
    return self;
}
