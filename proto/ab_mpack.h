/*  =========================================================================
    ab_mpack - msgpack helpers private to the wire protocol codec

    Not a public API: only proto/ab_msg.c (and its tests) include this.  It
    holds the pieces every decoder shares: a structural scanner that checks
    a frame before msgpack-c sees it, a decode context that builds precise
    error messages naming the offending field, typed field readers, a table
    driven map decoder, and converters between jansson values and native
    msgpack values.

    Why a scanner before msgpack-c: msgpack_unpack allocates an array or map
    as soon as it reads the header, sized by the count the header declares.
    A five-byte frame declaring 2^32 elements would make it ask for ~100 GB.
    The scanner walks the bytes without allocating and rejects any frame
    whose declared counts are not backed by real bytes, so the allocations
    msgpack-c then makes are bounded by the frame size.
    =========================================================================
*/
#ifndef AB_MPACK_H_INCLUDED
#define AB_MPACK_H_INCLUDED

#include "ab_msg.h"
#include <msgpack.h>

//  One step of a field path: a map key or an array index.  Keys point
//  into the frame being decoded or at static names: the path is rendered
//  to text only when an error is reported, so the success path pays one
//  store per step.
typedef struct {
    const char *key;            //  NULL for an index
    size_t len;                 //  key length, or the index
} ab_mp_step_t;

#define AB_MP_PATH_MAX 40       //  deeper steps are counted, shown as "..."

//  Decode context: the command being decoded, where errors go, and the
//  path of the field being read ("'claims'[3].'hedge'").
typedef struct {
    const char *cmd;            //  command name for messages, e.g. "RESULT"
    ab_proto_error_t *error;    //  caller's error record, never NULL
    size_t depth;               //  steps in path, may exceed AB_MP_PATH_MAX
    ab_mp_step_t path [AB_MP_PATH_MAX];
} ab_mp_ctx_t;

//  Prepare a context; error may be NULL (a private record is then used
//  by the caller, see ab_msg.c).  Sets error to OK.
void ab_mp_ctx_init (ab_mp_ctx_t *ctx, const char *cmd, ab_proto_error_t *error);

//  Record an error: "<cmd>: field <path> <text>" or "<cmd>: <text>" when
//  no field is being read.  Always returns -1 so callers can return it.
int ab_mp_fail (ab_mp_ctx_t *ctx, ab_proto_code_t code, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

//  Path stack.  Each push returns a mark that ab_mp_pop restores.
size_t ab_mp_push_key (ab_mp_ctx_t *ctx, const char *key, size_t len);
size_t ab_mp_push_index (ab_mp_ctx_t *ctx, uint32_t index);
void ab_mp_pop (ab_mp_ctx_t *ctx, size_t mark);

//  Check that data holds exactly one complete msgpack object, nested at
//  most AB_MAX_JSON_DEPTH containers deep (the outer map counts as 1),
//  every declared length backed by bytes.  Returns 0, or -1 with
//  TRUNCATED (ends early, bad byte, trailing bytes) or SIZE (too deep).
int ab_mp_scan (ab_mp_ctx_t *ctx, const uint8_t *data, size_t size);

//  Short type name of an object for messages: nil bool int float str bin
//  array map ext.
const char *ab_mp_type_name (const msgpack_object *o);

//  Typed readers.  Each checks the type and limits, fails with the field
//  path in the message, returns 0 or -1.
//  A str of at most limit bytes, without NUL bytes; *out is a fresh
//  NUL-terminated copy, which replaces (and frees) any previous *out.
int ab_mp_read_str (ab_mp_ctx_t *ctx, const msgpack_object *o, size_t limit, char **out);
//  A str or bin of at most limit bytes, NUL bytes allowed; the copy gets a
//  terminator that is not counted in *size.
int ab_mp_read_bytes (ab_mp_ctx_t *ctx, const msgpack_object *o, size_t limit,
                      char **out, size_t *size);
int ab_mp_read_uint (ab_mp_ctx_t *ctx, const msgpack_object *o,
                     uint64_t min, uint64_t max, uint64_t *out);
int ab_mp_read_int (ab_mp_ctx_t *ctx, const msgpack_object *o, int64_t *out);
int ab_mp_read_bool (ab_mp_ctx_t *ctx, const msgpack_object *o, bool *out);
//  Check the type only: fails with TYPE unless o is of type expected.
int ab_mp_expect (ab_mp_ctx_t *ctx, const msgpack_object *o,
                  msgpack_object_type expected, const char *name);

//  ---------------------------------------------------------------------
//  Table-driven decoding of a msgpack map into a struct.

typedef enum {
    AB_MP_STR,          //  char *, AB_MAX_FIELD, no NUL
    AB_MP_ID,           //  char *, 16 lowercase hex digits
    AB_MP_DATE,         //  char *, "", YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ
    AB_MP_WORD,         //  char *, one of words[]
    AB_MP_I64,          //  int64_t
    AB_MP_U32,          //  uint32_t, at least min
    AB_MP_U64,          //  uint64_t, at least min
    AB_MP_BOOL,         //  bool
    AB_MP_CUSTOM        //  handled by custom()
} ab_mp_kind_t;

typedef struct ab_mp_field_t {
    const char *name;               //  key on the wire
    size_t name_len;                //  strlen (name), kept to spare a strlen per key
    ab_mp_kind_t kind;
    size_t offset;                  //  of the member in the struct
    bool optional;                  //  may be absent
    uint64_t min;                   //  for U32 / U64
    const char *const *words;       //  for WORD, NULL-terminated
    //  For CUSTOM: decode o into the struct at self; 0 or -1.
    int (*custom) (ab_mp_ctx_t *ctx, const msgpack_object *o, void *self);
} ab_mp_field_t;

//  Decode the fields of map into self.  Keys not in the table are ignored;
//  a key given twice, a non-str key, or a missing required field is an
//  error.  Returns 0 or -1.
int ab_mp_decode_fields (ab_mp_ctx_t *ctx, const msgpack_object *map,
                         const ab_mp_field_t *fields, size_t count, void *self);

//  ---------------------------------------------------------------------
//  JSON values (jansson) <-> native msgpack.

//  Convert a msgpack value to JSON: nil bool int float str array map.  str
//  must be UTF-8 without NUL and at most AB_MAX_FIELD bytes; map keys are
//  str and unique; integers fit in int64; floats are finite.  depth is the
//  nesting level of o if it is a container.  Returns a new value (caller
//  owns it) or NULL with the error recorded.
json_t *ab_mp_to_json (ab_mp_ctx_t *ctx, const msgpack_object *o, int depth);

//  Pack a JSON value; depth as above.  Returns 0, or -1 if the value nests
//  deeper than AB_MAX_JSON_DEPTH or the packer failed (no memory).
int ab_mp_pack_json (msgpack_packer *pk, const json_t *json, int depth);

//  Pack a NUL-terminated string (NULL packs as "").  Returns 0 or -1.
int ab_mp_pack_cstr (msgpack_packer *pk, const char *string);

#endif
