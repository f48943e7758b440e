/*  =========================================================================
    fuzz_proto - libFuzzer harness for the wire protocol decoders

    Input layout (tests/unit/test_proto.c writes seeds in it when run with
    AB_PROTO_CORPUS=dir):

        byte 0          frame count - 1, low two bits (1..4 frames)
        then per frame but the last: 2-byte big-endian length, bytes
        last frame      every remaining byte

    Every decoder runs on every input.  Whatever a decoder accepts must
    survive a round trip: encoding the decoded struct and decoding again
    must succeed, or the encoder and decoder disagree about the spec.
    =========================================================================
*/
#include "ab_msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static zmsg_t *
s_frames (const uint8_t *data, size_t size)
{
    if (size == 0)
        return NULL;
    size_t frames = (data [0] & 3) + 1;
    size_t pos = 1;
    zmsg_t *msg = zmsg_new ();
    for (size_t index = 0; index < frames; index++) {
        size_t len = size - pos;
        if (index + 1 < frames) {
            if (size - pos < 2)
                len = 0;
            else {
                len = ((size_t) data [pos] << 8) | data [pos + 1];
                pos += 2;
                if (len > size - pos)
                    len = size - pos;
            }
        }
        zmsg_addmem (msg, data + pos, len);
        pos += len;
    }
    return msg;
}

static void
s_check (const char *what, ab_proto_error_t *error, bool ok)
{
    //  A failure must carry a code and a terminated, prefixed message
    if (!ok && (error->code == AB_PROTO_OK
             || memchr (error->message, 0, sizeof error->message) == NULL)) {
        fprintf (stderr, "%s failed without an error record\n", what);
        abort ();
    }
}

//  Decode, and on success re-encode and decode again.
#define ROUND(type, decode, encode)                                         \
    do {                                                                    \
        ab_proto_error_t error;                                             \
        type *first = decode (msg, &error);                                 \
        s_check (#decode, &error, first != NULL);                           \
        if (first) {                                                        \
            zmsg_t *again = encode (first);                                 \
            type *second = again? decode (again, &error): NULL;             \
            if (!second) {                                                  \
                fprintf (stderr, #decode " round trip failed: %s\n",        \
                         again? error.message: "encode returned NULL");     \
                abort ();                                                   \
            }                                                               \
            type##_destroy_wrap (&second);                                  \
            zmsg_destroy (&again);                                          \
            type##_destroy_wrap (&first);                                   \
        }                                                                   \
    } while (0)

#define ab_article_t_destroy_wrap ab_article_destroy
#define ab_result_t_destroy_wrap ab_result_destroy
#define ab_ack_t_destroy_wrap ab_ack_destroy
#define ab_credit_t_destroy_wrap ab_credit_destroy
#define ab_heartbeat_t_destroy_wrap ab_heartbeat_destroy
#define ab_errmsg_t_destroy_wrap ab_errmsg_destroy
#define ab_snapshot_t_destroy_wrap ab_snapshot_destroy
#define ab_delta_t_destroy_wrap ab_delta_destroy

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    zmsg_t *msg = s_frames (data, size);
    if (!msg)
        return 0;
    (void) ab_msg_command (msg);
    (void) ab_msg_pub_command (msg);
    ROUND (ab_article_t, ab_article_decode, ab_article_encode);
    ROUND (ab_result_t, ab_result_decode, ab_result_encode);
    ROUND (ab_ack_t, ab_ack_decode, ab_ack_encode);
    ROUND (ab_credit_t, ab_credit_decode, ab_credit_encode);
    ROUND (ab_heartbeat_t, ab_heartbeat_decode, ab_heartbeat_encode);
    ROUND (ab_heartbeat_t, ab_heartbeat_decode_pub, ab_heartbeat_encode_pub);
    ROUND (ab_errmsg_t, ab_errmsg_decode, ab_errmsg_encode);
    ROUND (ab_snapshot_t, ab_snapshot_decode, ab_snapshot_encode);
    ROUND (ab_delta_t, ab_delta_decode, ab_delta_encode);
    zmsg_destroy (&msg);
    return 0;
}
