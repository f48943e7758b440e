/*  =========================================================================
    ab_msg - allybrief wire protocol v1: message types, encoders, decoders

    Every message is a multipart ZeroMQ message:

        frame 0   command name, ASCII (ARTICLE, RESULT, ACK, CREDIT,
                  HEARTBEAT, SNAPSHOT, DELTA, ERROR)
        frame 1   a msgpack map; key "v" holds the protocol version (1)

    PROTOCOL.md beside this file is the specification.  Decoders are strict:
    they accept exactly what the spec says and report anything else with an
    error code and a one-line human message, never by crashing.  Unknown map
    keys are ignored so that a v1 peer can read a v1 message with additions.

    Ownership: every struct here owns its strings and arrays (heap copies).
    The *_destroy functions take T **, accept NULL and set the pointer NULL.
    Encoders never take ownership of their input.
    =========================================================================
*/
#ifndef AB_MSG_H_INCLUDED
#define AB_MSG_H_INCLUDED

#include <czmq.h>
#include <jansson.h>
#include <stdint.h>

#define AB_PROTO_VERSION 1

//  Size limits a decoder enforces (bytes unless said otherwise).  They keep
//  one hostile peer from making a process allocate without bound.
#define AB_MAX_BODY        (16u * 1024 * 1024)  //  article body
#define AB_MAX_FIELD       (64u * 1024)         //  any other string
#define AB_MAX_CLAIMS      4096                 //  claims in one RESULT
#define AB_MAX_LIST        256                  //  actors, slots per claim
#define AB_MAX_FRAME       (32u * 1024 * 1024)  //  a whole msgpack frame
#define AB_MAX_JSON_DEPTH  32                   //  nesting of DELTA items

typedef enum {
    AB_PROTO_OK = 0,
    AB_PROTO_ERR_FRAMES,        //  wrong number of frames
    AB_PROTO_ERR_COMMAND,       //  unknown or unexpected command frame
    AB_PROTO_ERR_TRUNCATED,     //  msgpack ended early or did not parse
    AB_PROTO_ERR_TYPE,          //  a field has the wrong msgpack type
    AB_PROTO_ERR_MISSING,       //  a required field is absent
    AB_PROTO_ERR_VERSION,       //  "v" is not a version we speak
    AB_PROTO_ERR_SIZE,          //  a field or frame exceeds its limit
    AB_PROTO_ERR_VALUE,         //  a field is well-typed but not allowed
    AB_PROTO_ERR_NOMEM
} ab_proto_code_t;

typedef struct {
    ab_proto_code_t code;
    char message [200];
} ab_proto_error_t;

//  Human name of an error code ("truncated", "wrong type", ...).
const char *ab_proto_code_name (ab_proto_code_t code);

//  ---------------------------------------------------------------------
//  ARTICLE: producer -> worker.  One article to process.

typedef struct {
    char *id;               //  stable id, 16 lowercase hex digits
    char *source;           //  outlet name ("" if unknown)
    char *url;              //  "" if unknown
    char *title;            //  "" if unknown
    char *published;        //  "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ", "" if unknown
    char *origin;           //  where it came in: file path, "stdin:LINE", feed URL
    int64_t received_ms;    //  producer's arrival time (Unix ms)
    uint32_t attempt;       //  1 for the first delivery, +1 per redelivery
    char *body;             //  raw bytes as received, NUL-terminated copy
    size_t body_size;       //  bytes in body, excluding the terminator
} ab_article_t;

//  Create an empty article (all strings ""); returns NULL on no memory.
ab_article_t *ab_article_new (void);
void ab_article_destroy (ab_article_t **self_p);
//  Replace a string field with a copy of value (NULL means "").
//  Returns 0, or -1 on no memory.
int ab_article_set (char **field, const char *value);
//  Replace the body with a copy of size bytes.  Returns 0 or -1.
int ab_article_set_body (ab_article_t *self, const char *body, size_t size);

//  ---------------------------------------------------------------------
//  RESULT: worker -> sink.  The claims extracted from one article.

typedef struct {
    char *name;             //  slot name, e.g. "unit", "rank", "percent_gdp"
    char *value;            //  normalized value as text, e.g. "USFJ", "4", "2"
} ab_slot_t;

typedef struct {
    char *type;             //  claim type, e.g. "commander_rank"
    char *rule;             //  id of the rule that fired
    char **actors;          //  canonical entity ids, e.g. "US", "USFJ"
    uint32_t actor_count;
    ab_slot_t *keys;        //  slots that identify what the claim is about
    uint32_t key_count;
    ab_slot_t *values;      //  slots that say what is claimed
    uint32_t value_count;
    char *hedge;            //  asserted|reported|expected|considered|denied|hoped
    char *attribution;      //  cited outlet or official, "" if none
    char *evidence;         //  the sentence, normalized text
    uint32_t evidence_start;    //  byte offsets of the sentence in the
    uint32_t evidence_end;      //  normalized article text
    uint32_t match_start;       //  byte offsets of the matched phrase, same
    uint32_t match_end;         //  coordinates (within the sentence's span)
    void *block;                //  private: a packed claim's strings and
                                //  arrays (see ab_result_add_claim_copy)
} ab_claim_t;

typedef struct {
    char *article_id;
    char *source;
    char *url;
    char *title;
    char *published;
    char *origin;
    int64_t received_ms;
    char *worker;           //  id of the worker that produced it
    uint64_t fingerprint;   //  64-bit simhash of the normalized text
    uint32_t invalid_utf8;  //  sequences replaced by U+FFFD
    uint32_t homoglyphs;    //  confusable letters repaired to Latin
    uint32_t boilerplate;   //  boilerplate spans removed
    uint32_t sentences;     //  sentences in the normalized text
    uint32_t text_size;     //  bytes of normalized text
    ab_claim_t *claims;
    uint32_t claim_count;
    uint32_t claim_capacity;
} ab_result_t;

//  Create an empty result; returns NULL on no memory.
ab_result_t *ab_result_new (void);
void ab_result_destroy (ab_result_t **self_p);
//  Copy the article's metadata (id, source, url, ...) into the result.
//  Returns 0 or -1.
int ab_result_set_article (ab_result_t *self, const ab_article_t *article);
//  Append a zeroed claim (all strings "") and return it; the result owns it.
//  The pointer is valid until the next ab_result_add_claim*.  NULL on no memory.
ab_claim_t *ab_result_add_claim (ab_result_t *self);
//  Append a deep copy of claim (its strings, actors and slots; NULL
//  strings become "") and return it; the result owns the copy and claim
//  stays the caller's.  The copy is PACKED: all its strings and arrays in
//  one allocation (the extractor emits thousands of claims a second, and
//  twenty allocations a claim cost more than finding it).  Read a packed
//  claim's fields freely, grow it with ab_claim_add_* (which first gives
//  each string and array its own allocation), but never free or replace
//  one of its strings or arrays (ab_article_set) yourself.  The pointer
//  is valid until the next ab_result_add_claim*.  NULL on no memory.
ab_claim_t *ab_result_add_claim_copy (ab_result_t *self, const ab_claim_t *claim);
//  Append an actor / key slot / value slot (copies).  Returns 0 or -1.
int ab_claim_add_actor (ab_claim_t *self, const char *actor);
int ab_claim_add_key (ab_claim_t *self, const char *name, const char *value);
int ab_claim_add_value (ab_claim_t *self, const char *name, const char *value);
//  Look up a key or value slot by name; returns its value or NULL.
const char *ab_claim_key (const ab_claim_t *self, const char *name);
const char *ab_claim_value (const ab_claim_t *self, const char *name);

//  ---------------------------------------------------------------------
//  Small messages

typedef struct {
    char *article_id;       //  ACK: sink -> producer, the result is durable
    uint32_t claims;        //  how many claims the sink merged from it
    bool duplicate;         //  the sink already had this article
} ab_ack_t;

typedef struct {
    uint32_t credit;        //  CREDIT: worker -> producer, "send me n more"
    char *worker;           //  the worker's id, for logs
} ab_credit_t;

typedef struct {
    uint64_t seq;           //  HEARTBEAT: latest sequence (sink PUB) or 0
    int64_t sent_ms;
    json_t *topic_seqs;     //  sink PUB: topic -> last topic_seq, or NULL;
                            //  a decoded heartbeat owns it, an encoder borrows
} ab_heartbeat_t;

//  Topic frame of the sink's PUB heartbeat.  Claim types start with a
//  lowercase letter, so no topic subscription matches this but "" and
//  this one: a filtered subscriber subscribes to both (PROTOCOL.md 6).
#define AB_HEARTBEAT_TOPIC "!heartbeat"

typedef struct {
    ab_proto_code_t code;   //  ERROR: a peer's complaint about our message
    char *message;
} ab_errmsg_t;

//  ---------------------------------------------------------------------
//  SNAPSHOT and DELTA: the sink's live briefing (zguide Clone pattern).
//  Items are JSON objects in memory (jansson) and native msgpack maps on
//  the wire; their fields are the briefing.json item schema.

typedef struct {
    uint64_t seq;           //  sequence number, 1, 2, 3, ... no gaps
    uint64_t topic_seq;     //  per-topic sequence, for filtered subscribers
    char *op;               //  item_added|support_changed|conflict_opened|value_superseded|item_removed
    char *topic;            //  claim type (the PUB subscription prefix)
    char *key;              //  item key, e.g. "commander_rank{unit=USFJ}"
    json_t *item;           //  the item after the change (owned)
    json_t *summary;        //  briefing header after the change (owned, may be NULL)
} ab_delta_t;

typedef struct {
    char *topic;            //  request: "" for all, or a claim type prefix
    uint64_t seq;           //  reply: the sequence the state corresponds to
    json_t *topic_seqs;     //  reply: object topic -> last topic_seq (owned)
    json_t *items;          //  reply: array of items (owned)
    json_t *summary;        //  reply: briefing header (owned)
    bool is_reply;
} ab_snapshot_t;

void ab_ack_destroy (ab_ack_t **self_p);
void ab_credit_destroy (ab_credit_t **self_p);
void ab_heartbeat_destroy (ab_heartbeat_t **self_p);
void ab_errmsg_destroy (ab_errmsg_t **self_p);
void ab_delta_destroy (ab_delta_t **self_p);
void ab_snapshot_destroy (ab_snapshot_t **self_p);

//  ---------------------------------------------------------------------
//  Encoding.  Each returns a new zmsg_t (caller owns it) holding the
//  command frame and the msgpack frame, or NULL on no memory.

zmsg_t *ab_article_encode (const ab_article_t *self);
zmsg_t *ab_result_encode (const ab_result_t *self);
zmsg_t *ab_ack_encode (const ab_ack_t *self);
zmsg_t *ab_credit_encode (const ab_credit_t *self);
zmsg_t *ab_heartbeat_encode (const ab_heartbeat_t *self);
zmsg_t *ab_errmsg_encode (const ab_errmsg_t *self);
zmsg_t *ab_snapshot_encode (const ab_snapshot_t *self);
//  DELTA on a PUB socket carries the topic as an extra first frame, so
//  that subscribers can filter with ZeroMQ prefixes: [topic][DELTA][map].
zmsg_t *ab_delta_encode (const ab_delta_t *self);

//  ---------------------------------------------------------------------
//  Decoding.  A message is first classified by its command frame, then
//  decoded by the matching function.  Each decoder reads the message
//  without consuming it; it returns a new struct (caller owns it) or NULL
//  and fills *error.

typedef enum {
    AB_CMD_UNKNOWN = 0,
    AB_CMD_ARTICLE,
    AB_CMD_RESULT,
    AB_CMD_ACK,
    AB_CMD_CREDIT,
    AB_CMD_HEARTBEAT,
    AB_CMD_SNAPSHOT,
    AB_CMD_DELTA,
    AB_CMD_ERROR
} ab_cmd_t;

//  Command of a message whose first frame is the command name.
ab_cmd_t ab_msg_command (zmsg_t *msg);
//  Wire name of a command ("ARTICLE", ...); "?" for unknown.
const char *ab_cmd_name (ab_cmd_t cmd);

ab_article_t *ab_article_decode (zmsg_t *msg, ab_proto_error_t *error);
ab_result_t *ab_result_decode (zmsg_t *msg, ab_proto_error_t *error);
ab_ack_t *ab_ack_decode (zmsg_t *msg, ab_proto_error_t *error);
ab_credit_t *ab_credit_decode (zmsg_t *msg, ab_proto_error_t *error);
ab_heartbeat_t *ab_heartbeat_decode (zmsg_t *msg, ab_proto_error_t *error);
ab_errmsg_t *ab_errmsg_decode (zmsg_t *msg, ab_proto_error_t *error);
ab_snapshot_t *ab_snapshot_decode (zmsg_t *msg, ab_proto_error_t *error);
//  Expects the PUB form [topic][DELTA][map]; a HEARTBEAT on the same
//  socket arrives as [AB_HEARTBEAT_TOPIC][HEARTBEAT][map] and is decoded
//  with ab_heartbeat_decode_pub after ab_msg_pub_command.
ab_delta_t *ab_delta_decode (zmsg_t *msg, ab_proto_error_t *error);
//  Command of a PUB-form message (skips the topic frame).
ab_cmd_t ab_msg_pub_command (zmsg_t *msg);
//  HEARTBEAT in PUB form: [AB_HEARTBEAT_TOPIC][HEARTBEAT][map], with
//  topic_seqs when set.  The decoder also takes the empty topic frame that
//  sinks before the reserved topic sent.
zmsg_t *ab_heartbeat_encode_pub (const ab_heartbeat_t *self);
ab_heartbeat_t *ab_heartbeat_decode_pub (zmsg_t *msg, ab_proto_error_t *error);

#endif
