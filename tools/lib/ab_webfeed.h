/*  =========================================================================
    ab_webfeed - the briefing as a Server-Sent Events stream for many readers

    One writer (the thread that runs the Clone client) publishes the
    briefing's snapshots and its sequenced deltas; any number of readers
    (one per browser connection, each on its own thread) turn them into SSE
    text at their own pace.  The writer never waits for a reader: it only
    takes the mutex to drop a pointer into a ring, so a slow browser cannot
    slow the sink's subscriber.

    Memory is bounded whatever the readers do.  Deltas live in one shared
    ring of `history` events (reference-counted, immutable text); a reader
    is a cursor (the last sequence it sent) plus at most one event it is in
    the middle of writing.  A reader whose cursor the ring has overwritten
    has fallen behind: it gets AB_WEBFEED_BEHIND and its connection is
    closed (the browser reconnects and resumes, see below).

    Resume: a reader created with the last sequence the browser saw (SSE
    Last-Event-ID) gets the deltas after it from the ring when they are all
    still there, the current snapshot otherwise.  Every delta and snapshot
    event carries `id: SEQ`, the briefing sequence, so the browser always
    resumes from what it really has: no duplicates, no gaps.

    Invariant: the snapshot held by the feed, when there is one, is never
    older than the ring (its seq + 1 >= the oldest delta kept), so a reader
    that starts from it can always continue from the ring.
    =========================================================================
*/
#ifndef AB_WEBFEED_H_INCLUDED
#define AB_WEBFEED_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct ab_webfeed_t ab_webfeed_t;
typedef struct ab_webfeed_reader_t ab_webfeed_reader_t;

//  What ab_webfeed_reader_read returns besides a byte count
#define AB_WEBFEED_END    (-1)  //  the feed is stopping
#define AB_WEBFEED_BEHIND (-2)  //  the reader fell behind the ring: close it

typedef struct {
    uint64_t seq;               //  last delta sequence published
    uint64_t snapshot_seq;      //  sequence of the snapshot held (0 if none)
    uint64_t deltas;            //  deltas published
    uint64_t resyncs;           //  snapshots that restarted the sequence
    uint64_t readers;           //  readers now open
    uint64_t readers_total;     //  readers ever opened
    uint64_t resumed;           //  readers that resumed from the ring
    uint64_t behind;            //  readers dropped for falling behind
} ab_webfeed_stats_t;

//  Create a feed keeping the last `history` deltas (at least 1).
//  Returns NULL if out of memory.
ab_webfeed_t *ab_webfeed_new (size_t history);
//  Destroy the feed; every reader must have been destroyed first.
void ab_webfeed_destroy (ab_webfeed_t **self_p);

//  ---- writer side (one thread) -------------------------------------------

//  Publish the delta with sequence seq as its JSON text (the feed keeps a
//  copy).  seq must follow the last one published; anything else is a
//  caller bug (a resync goes through ab_webfeed_publish_snapshot).
void ab_webfeed_publish_delta (ab_webfeed_t *self, uint64_t seq, const char *json);

//  Publish the whole state at sequence seq as JSON text (copied).  With
//  restart false it only refreshes the snapshot that new readers start
//  from (seq must be the last delta published).  With restart true the
//  sequence starts over at seq (the Clone client resynchronized): the ring
//  is emptied and every reader is sent this snapshot next.
void ab_webfeed_publish_snapshot (ab_webfeed_t *self, uint64_t seq, const char *json, bool restart);

//  True when the feed holds no snapshot that new readers can start from
//  (none yet, or dropped because the ring moved past it): the writer
//  should publish one soon.
bool ab_webfeed_wants_snapshot (ab_webfeed_t *self);

//  Set the sink's state as the readers report it in their status events:
//  live or not, and when it was last heard from (wall clock ms).
void ab_webfeed_set_sink_state (ab_webfeed_t *self, bool live, int64_t last_heard_ms);

//  Wake every reader and make them end (AB_WEBFEED_END).
void ab_webfeed_stop (ab_webfeed_t *self);

//  ---- any thread ---------------------------------------------------------

//  A copy of the current snapshot's JSON text and its sequence; caller
//  frees.  NULL if there is none yet.
char *ab_webfeed_snapshot_json (ab_webfeed_t *self, uint64_t *seq);
void ab_webfeed_stats (ab_webfeed_t *self, ab_webfeed_stats_t *stats);

//  ---- reader side (one thread per reader) --------------------------------

//  A reader that resumes after last_seen (the browser's Last-Event-ID), or
//  starts from the snapshot when has_last_seen is false or the ring no
//  longer holds what follows last_seen.  Returns NULL if out of memory.
ab_webfeed_reader_t *ab_webfeed_reader_new (ab_webfeed_t *feed, bool has_last_seen, uint64_t last_seen);
void ab_webfeed_reader_destroy (ab_webfeed_reader_t **self_p);

//  Write the next SSE text into buffer (max > 0 bytes; an event larger
//  than that continues on the next calls): events ready now, else, after
//  waiting up to wait_ms for one, a status event (it keeps the connection
//  busy, so a browser that stops reading is timed out by the HTTP server,
//  and tells the page whether the sink is live); a status event also goes
//  out at once when the sink's state changes.  Returns the number of bytes
//  written (> 0), AB_WEBFEED_END or AB_WEBFEED_BEHIND.
ssize_t ab_webfeed_reader_read (ab_webfeed_reader_t *self, char *buffer, size_t max, int wait_ms);

#endif
