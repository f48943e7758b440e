/*  =========================================================================
    ab_webfeed - the briefing as a Server-Sent Events stream for many readers
    =========================================================================
*/
#include "ab_webfeed.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef enum { EVENT_DELTA, EVENT_SNAPSHOT } event_kind_t;

//  One immutable event, shared by the ring, the feed and the readers that
//  are writing it; freed by whoever drops the last reference (counted
//  under the feed's mutex).
typedef struct {
    size_t refs;
    event_kind_t kind;
    uint64_t seq;
    size_t size;                //  of json, without the terminator
    char json [];
} event_t;

struct ab_webfeed_t {
    pthread_mutex_t mutex;
    pthread_cond_t changed;     //  broadcast on every publish, status and stop
    event_t **ring;             //  delta seq lives at ring [seq % capacity]
    size_t capacity;
    uint64_t head;              //  last delta seq published (0: none)
    uint64_t oldest;            //  oldest seq held in the ring (head + 1 when empty)
    uint64_t generation;        //  bumped when the sequence restarts
    event_t *snapshot;          //  what new readers start from, or NULL
    bool stopping;
    bool sink_live;
    int64_t sink_heard_ms;
    uint64_t status_version;    //  bumped when the sink state changes
    ab_webfeed_stats_t stats;
};

struct ab_webfeed_reader_t {
    ab_webfeed_t *feed;
    uint64_t cursor;            //  last seq written (or being written)
    uint64_t generation;        //  feed generation the cursor belongs to
    bool needs_snapshot;
    uint64_t status_version;    //  last sink state reported
    //  What is being written: the prefix, then current's JSON and a blank
    //  line if current is set (a delta or snapshot), or the prefix alone
    //  (a status event); a small buffer may take it over several reads
    bool writing;
    event_t *current;           //  event being written, or NULL
    char prefix [192];          //  "event:/id:/data:" lines, or a status event
    size_t prefix_size;
    size_t offset;              //  bytes of the whole written so far
};

static event_t *
s_event_new (event_kind_t kind, uint64_t seq, const char *json)
{
    size_t size = strlen (json);
    event_t *event = malloc (sizeof *event + size + 1);
    assert (event);
    event->refs = 1;
    event->kind = kind;
    event->seq = seq;
    event->size = size;
    memcpy (event->json, json, size + 1);
    return event;
}

//  Drop one reference; the caller holds the feed's mutex.
static void
s_event_release (event_t **event_p)
{
    if (*event_p && --(*event_p)->refs == 0)
        free (*event_p);
    *event_p = NULL;
}

ab_webfeed_t *
ab_webfeed_new (size_t history)
{
    ab_webfeed_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->capacity = history? history: 1;
    self->ring = calloc (self->capacity, sizeof (event_t *));
    if (!self->ring) {
        free (self);
        return NULL;
    }
    self->oldest = 1;
    pthread_mutex_init (&self->mutex, NULL);
    pthread_condattr_t attributes;
    pthread_condattr_init (&attributes);
    //  Waits are timeouts: a wall clock step must not stretch them
    pthread_condattr_setclock (&attributes, CLOCK_MONOTONIC);
    pthread_cond_init (&self->changed, &attributes);
    pthread_condattr_destroy (&attributes);
    return self;
}

void
ab_webfeed_destroy (ab_webfeed_t **self_p)
{
    if (!*self_p)
        return;
    ab_webfeed_t *self = *self_p;
    assert (self->stats.readers == 0);
    for (size_t index = 0; index < self->capacity; index++)
        s_event_release (&self->ring [index]);
    s_event_release (&self->snapshot);
    free (self->ring);
    pthread_cond_destroy (&self->changed);
    pthread_mutex_destroy (&self->mutex);
    free (self);
    *self_p = NULL;
}

void
ab_webfeed_publish_delta (ab_webfeed_t *self, uint64_t seq, const char *json)
{
    event_t *event = s_event_new (EVENT_DELTA, seq, json);
    pthread_mutex_lock (&self->mutex);
    assert (seq == self->head + 1);
    event_t **slot = &self->ring [seq % self->capacity];
    if (*slot) {
        //  Overwriting the oldest event: the ring is full
        assert ((*slot)->seq == self->oldest);
        s_event_release (slot);
        self->oldest++;
    }
    *slot = event;
    self->head = seq;
    //  Keep the invariant: a snapshot older than the ring cannot be followed
    if (self->snapshot && self->snapshot->seq + 1 < self->oldest)
        s_event_release (&self->snapshot);
    self->stats.seq = seq;
    self->stats.deltas++;
    pthread_cond_broadcast (&self->changed);
    pthread_mutex_unlock (&self->mutex);
}

void
ab_webfeed_publish_snapshot (ab_webfeed_t *self, uint64_t seq, const char *json, bool restart)
{
    event_t *event = s_event_new (EVENT_SNAPSHOT, seq, json);
    pthread_mutex_lock (&self->mutex);
    if (restart) {
        for (size_t index = 0; index < self->capacity; index++)
            s_event_release (&self->ring [index]);
        self->head = seq;
        self->oldest = seq + 1;
        self->generation++;
        self->stats.resyncs++;
        self->stats.seq = seq;
    }
    assert (seq == self->head);
    s_event_release (&self->snapshot);
    self->snapshot = event;
    self->stats.snapshot_seq = seq;
    pthread_cond_broadcast (&self->changed);
    pthread_mutex_unlock (&self->mutex);
}

bool
ab_webfeed_wants_snapshot (ab_webfeed_t *self)
{
    pthread_mutex_lock (&self->mutex);
    bool wants = self->snapshot == NULL;
    pthread_mutex_unlock (&self->mutex);
    return wants;
}

void
ab_webfeed_set_sink_state (ab_webfeed_t *self, bool live, int64_t last_heard_ms)
{
    pthread_mutex_lock (&self->mutex);
    if (live != self->sink_live) {
        self->status_version++;
        pthread_cond_broadcast (&self->changed);
    }
    self->sink_live = live;
    self->sink_heard_ms = last_heard_ms;
    pthread_mutex_unlock (&self->mutex);
}

void
ab_webfeed_stop (ab_webfeed_t *self)
{
    pthread_mutex_lock (&self->mutex);
    self->stopping = true;
    pthread_cond_broadcast (&self->changed);
    pthread_mutex_unlock (&self->mutex);
}

char *
ab_webfeed_snapshot_json (ab_webfeed_t *self, uint64_t *seq)
{
    pthread_mutex_lock (&self->mutex);
    char *json = self->snapshot? strdup (self->snapshot->json): NULL;
    if (seq)
        *seq = self->snapshot? self->snapshot->seq: 0;
    pthread_mutex_unlock (&self->mutex);
    return json;
}

void
ab_webfeed_stats (ab_webfeed_t *self, ab_webfeed_stats_t *stats)
{
    pthread_mutex_lock (&self->mutex);
    *stats = self->stats;
    pthread_mutex_unlock (&self->mutex);
}

ab_webfeed_reader_t *
ab_webfeed_reader_new (ab_webfeed_t *feed, bool has_last_seen, uint64_t last_seen)
{
    ab_webfeed_reader_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->feed = feed;
    pthread_mutex_lock (&feed->mutex);
    //  Resume only within the current sequence (generation 0: none yet) and
    //  if every delta after last_seen is still in the ring
    if (has_last_seen && feed->generation > 0 && last_seen + 1 >= feed->oldest && last_seen <= feed->head) {
        self->cursor = last_seen;
        self->generation = feed->generation;
        feed->stats.resumed++;
    }
    else
        self->needs_snapshot = true;
    //  Report the sink's state once at the start
    self->status_version = feed->status_version - 1;
    feed->stats.readers++;
    feed->stats.readers_total++;
    pthread_mutex_unlock (&feed->mutex);
    return self;
}

void
ab_webfeed_reader_destroy (ab_webfeed_reader_t **self_p)
{
    if (!*self_p)
        return;
    ab_webfeed_reader_t *self = *self_p;
    pthread_mutex_lock (&self->feed->mutex);
    s_event_release (&self->current);
    self->feed->stats.readers--;
    pthread_mutex_unlock (&self->feed->mutex);
    free (self);
    *self_p = NULL;
}

//  Take the next event to write, if there is one; the caller holds the
//  mutex.  Returns 1 when self->current is set, 0 if nothing is ready,
//  AB_WEBFEED_BEHIND if the ring overwrote what the reader still needed.
static int
s_take_next (ab_webfeed_reader_t *self)
{
    ab_webfeed_t *feed = self->feed;
    if (!self->needs_snapshot && self->generation != feed->generation)
        self->needs_snapshot = true;        //  the sequence restarted
    if (self->needs_snapshot) {
        if (!feed->snapshot)
            return 0;
        self->current = feed->snapshot;
        self->current->refs++;
        self->cursor = feed->snapshot->seq;
        self->generation = feed->generation;
        self->needs_snapshot = false;
    }
    else
    if (self->cursor < feed->head) {
        if (self->cursor + 1 < feed->oldest) {
            feed->stats.behind++;
            return AB_WEBFEED_BEHIND;
        }
        self->cursor++;
        self->current = feed->ring [self->cursor % feed->capacity];
        assert (self->current && self->current->seq == self->cursor);
        self->current->refs++;
    }
    else
        return 0;
    int size = snprintf (self->prefix, sizeof self->prefix, "event: %s\nid: %" PRIu64 "\ndata: ",
                         self->current->kind == EVENT_SNAPSHOT? "snapshot": "delta", self->current->seq);
    assert (size > 0 && (size_t) size < sizeof self->prefix);
    self->prefix_size = (size_t) size;
    self->offset = 0;
    self->writing = true;
    return 1;
}

//  Start writing a status event; the caller holds the mutex
static void
s_start_status (ab_webfeed_reader_t *self)
{
    ab_webfeed_t *feed = self->feed;
    self->status_version = feed->status_version;
    int size = snprintf (self->prefix, sizeof self->prefix, "event: status\ndata: {\"sink\":\"%s\",\"last_heard_ms\":%"
                         PRId64 ",\"seq\":%" PRIu64 "}\n\n", feed->sink_live? "live": "stale",
                         feed->sink_heard_ms, feed->head);
    assert (size > 0 && (size_t) size < sizeof self->prefix);
    self->prefix_size = (size_t) size;
    self->offset = 0;
    self->writing = true;
}

static size_t
s_write_size (ab_webfeed_reader_t *self)
{
    return self->prefix_size + (self->current? self->current->size + 2: 0);
}

//  Copy what fits of what is being written into buffer; returns bytes
//  copied.  An event's text is immutable and referenced: no lock needed.
static size_t
s_copy_current (ab_webfeed_reader_t *self, char *buffer, size_t max)
{
    const char *parts [3] = { self->prefix, self->current? self->current->json: "", "\n\n" };
    size_t sizes [3] = { self->prefix_size, self->current? self->current->size: 0, self->current? 2: 0 };
    size_t copied = 0, start = 0;
    for (int part = 0; part < 3 && copied < max; part++) {
        if (self->offset < start + sizes [part]) {
            size_t from = self->offset - start;
            size_t count = sizes [part] - from;
            if (count > max - copied)
                count = max - copied;
            memcpy (buffer + copied, parts [part] + from, count);
            copied += count;
            self->offset += count;
        }
        start += sizes [part];
    }
    return copied;
}

ssize_t
ab_webfeed_reader_read (ab_webfeed_reader_t *self, char *buffer, size_t max, int wait_ms)
{
    assert (max > 0);
    ab_webfeed_t *feed = self->feed;
    struct timespec deadline;
    clock_gettime (CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += wait_ms / 1000;
    deadline.tv_nsec += (long) (wait_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    size_t written = 0;
    pthread_mutex_lock (&feed->mutex);
    while (written < max) {
        if (self->writing) {
            pthread_mutex_unlock (&feed->mutex);
            written += s_copy_current (self, buffer + written, max - written);
            pthread_mutex_lock (&feed->mutex);
            if (self->offset == s_write_size (self)) {
                s_event_release (&self->current);
                self->writing = false;
            }
            continue;
        }
        if (feed->stopping) {
            pthread_mutex_unlock (&feed->mutex);
            return written? (ssize_t) written: AB_WEBFEED_END;
        }
        int taken = s_take_next (self);
        if (taken == AB_WEBFEED_BEHIND) {
            pthread_mutex_unlock (&feed->mutex);
            return AB_WEBFEED_BEHIND;
        }
        if (taken == 1)
            continue;
        //  Nothing more to send now
        if (written)
            break;
        if (self->status_version != feed->status_version)
            s_start_status (self);
        else
        if (pthread_cond_timedwait (&feed->changed, &feed->mutex, &deadline) == ETIMEDOUT)
            s_start_status (self);
    }
    pthread_mutex_unlock (&feed->mutex);
    return (ssize_t) written;
}
