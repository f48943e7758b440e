/*  =========================================================================
    ab_clone - follow the sink's briefing live (zguide Clone pattern client)

    Subscribe first, then ask for a snapshot: deltas that arrive while the
    snapshot is on its way are buffered, and those with a sequence at or
    below the snapshot's are dropped when it lands.  From then on every
    delta must carry the next sequence number (per topic, when following a
    topic prefix); a gap means deltas were lost (PUB drops at its HWM, a
    slow consumer, a reconnect), and the client takes a fresh snapshot.  A
    sink HEARTBEAT carries its latest sequence, so a subscriber that has
    seen nothing for a while can tell a quiet sink from a dead one, and
    notices a gap even when the lost delta was the last one.

    Owns its sockets and its copy of the state (items by key, summary).
    Not thread-safe; one client per thread.
    =========================================================================
*/
#ifndef AB_CLONE_H_INCLUDED
#define AB_CLONE_H_INCLUDED

#include "ab_msg.h"
#include "ab_security.h"

typedef struct ab_clone_t ab_clone_t;

typedef enum {
    AB_CLONE_NOTHING = 0,       //  timeout, nothing changed
    AB_CLONE_SNAPSHOT,          //  the whole state was (re)loaded
    AB_CLONE_DELTA,             //  one item changed; see event->delta
    AB_CLONE_HEARTBEAT,         //  the sink is alive; nothing changed
    AB_CLONE_ERROR              //  the sink did not answer a snapshot request
} ab_clone_event_kind_t;

typedef struct {
    ab_clone_event_kind_t kind;
    const ab_delta_t *delta;    //  borrowed, valid until the next call
} ab_clone_event_t;

typedef struct {
    uint64_t deltas;            //  deltas applied
    uint64_t stale;             //  deltas dropped as already in a snapshot
    uint64_t gaps;              //  gaps detected (each led to a resync)
    uint64_t snapshots;         //  snapshots loaded
    uint64_t malformed;         //  bad messages dropped
} ab_clone_stats_t;

//  Connect to the sink's PUB and SNAPSHOT endpoints, following topic (a
//  claim-type prefix, "" or NULL for everything).  rcvhwm 0 keeps the
//  default.  Returns NULL with a message in errbuf on a bad endpoint.
ab_clone_t *ab_clone_new (const char *pub_endpoint, const char *snapshot_endpoint,
                          const char *topic, int rcvhwm, char *errbuf, size_t errlen);
//  The same over CURVE: security (borrowed, must outlive the client)
//  holds our key pair and sink_cert names the sink's public certificate.
//  With security NULL or without keys this is ab_clone_new.
ab_clone_t *ab_clone_new_secure (const char *pub_endpoint, const char *snapshot_endpoint,
                                 const char *topic, int rcvhwm, ab_security_t *security,
                                 const char *sink_cert, char *errbuf, size_t errlen);
void ab_clone_destroy (ab_clone_t **self_p);

//  Wait up to timeout_ms for the next change and apply it.  The first call
//  takes the initial snapshot (waiting up to snapshot_timeout_ms for the
//  sink).  Returns the event kind; event may be NULL.
ab_clone_event_kind_t ab_clone_next (ab_clone_t *self, int timeout_ms, ab_clone_event_t *event);

//  The current state.  Items: object key -> item (borrowed).  Summary: the
//  briefing header (borrowed, may be NULL).  Document: a briefing.json
//  shaped document of the state (caller owns it), for rendering.
json_t *ab_clone_items (ab_clone_t *self);
json_t *ab_clone_summary (ab_clone_t *self);
json_t *ab_clone_document (ab_clone_t *self);
uint64_t ab_clone_seq (ab_clone_t *self);
//  Monotonic ms of the last message from the sink (delta or heartbeat).
int64_t ab_clone_last_heard (ab_clone_t *self);
const ab_clone_stats_t *ab_clone_stats (ab_clone_t *self);

//  How long to wait for a snapshot reply before reporting AB_CLONE_ERROR
//  and retrying on the next call (default 3000 ms).
void ab_clone_set_snapshot_timeout (ab_clone_t *self, int timeout_ms);

#endif
