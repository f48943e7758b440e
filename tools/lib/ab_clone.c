/*  =========================================================================
    ab_clone - follow the sink's briefing live (zguide Clone pattern client)
    =========================================================================
*/
#include "ab_clone.h"
#include "ab_log.h"

struct ab_clone_t {
    zsock_t *sub;               //  deltas and heartbeats
    zsock_t *snapshot;          //  DEALER to the sink's ROUTER
    char *snapshot_endpoint;
    ab_security_t *security;    //  borrowed; NULL for plain sockets
    char *sink_cert;            //  sink's public certificate, for CURVE
    char *topic;
    bool synced;                //  a snapshot has been applied
    uint64_t seq;               //  last global sequence applied
    json_t *topic_seqs;         //  topic -> last topic sequence applied
    json_t *items;              //  key -> item
    json_t *summary;
    ab_delta_t *current;        //  the delta last returned
    zlistx_t *buffered;         //  ab_delta_t * received while syncing
    int snapshot_timeout_ms;
    int64_t last_heard;
    ab_clone_stats_t stats;
};

static void
s_delta_free (void **item)
{
    ab_delta_destroy ((ab_delta_t **) item);
}

ab_clone_t *
ab_clone_new (const char *pub_endpoint, const char *snapshot_endpoint, const char *topic,
              int rcvhwm, char *errbuf, size_t errlen)
{
    return ab_clone_new_secure (pub_endpoint, snapshot_endpoint, topic, rcvhwm, NULL, NULL,
                                errbuf, errlen);
}

ab_clone_t *
ab_clone_new_secure (const char *pub_endpoint, const char *snapshot_endpoint, const char *topic,
                     int rcvhwm, ab_security_t *security, const char *sink_cert,
                     char *errbuf, size_t errlen)
{
    ab_clone_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->security = security;
    self->sink_cert = sink_cert? strdup (sink_cert): NULL;
    self->topic = strdup (topic? topic: "");
    self->snapshot_endpoint = strdup (snapshot_endpoint);
    self->sub = zsock_new (ZMQ_SUB);
    if (rcvhwm > 0)
        zsock_set_rcvhwm (self->sub, rcvhwm);
    zsock_set_subscribe (self->sub, self->topic);
    //  "" already matches the heartbeat topic; a filter needs it too
    if (self->topic [0])
        zsock_set_subscribe (self->sub, AB_HEARTBEAT_TOPIC);
    self->items = json_object ();
    self->topic_seqs = json_object ();
    self->buffered = zlistx_new ();
    zlistx_set_destructor (self->buffered, s_delta_free);
    self->snapshot_timeout_ms = 3000;
    if (ab_security_connect (security, self->sub, pub_endpoint, sink_cert, "--pub") != 0) {
        snprintf (errbuf, errlen, "cannot connect to %s (see above)", pub_endpoint);
        ab_clone_destroy (&self);
        return NULL;
    }
    self->snapshot = zsock_new (ZMQ_DEALER);
    zsock_set_linger (self->snapshot, 0);
    if (ab_security_connect (security, self->snapshot, snapshot_endpoint, sink_cert, "--snapshot") != 0) {
        snprintf (errbuf, errlen, "cannot connect to %s (see above)", snapshot_endpoint);
        ab_clone_destroy (&self);
        return NULL;
    }
    self->last_heard = ab_mono_ms ();
    return self;
}

void
ab_clone_destroy (ab_clone_t **self_p)
{
    if (!*self_p)
        return;
    ab_clone_t *self = *self_p;
    zsock_destroy (&self->sub);
    zsock_destroy (&self->snapshot);
    json_decref (self->items);
    json_decref (self->summary);
    json_decref (self->topic_seqs);
    ab_delta_destroy (&self->current);
    zlistx_destroy (&self->buffered);
    free (self->topic);
    free (self->snapshot_endpoint);
    free (self->sink_cert);
    free (self);
    *self_p = NULL;
}

void
ab_clone_set_snapshot_timeout (ab_clone_t *self, int timeout_ms)
{
    self->snapshot_timeout_ms = timeout_ms;
}

//  Does this heartbeat say the sink published something we never got?
//  Unfiltered: its seq is past ours.  Filtered: one of our topics' last
//  topic_seq is past ours (sinks that send no topic_seqs cannot tell).
static bool
s_beat_reveals_loss (ab_clone_t *self, const ab_heartbeat_t *beat)
{
    if (self->topic [0] == 0)
        return beat->seq > self->seq;
    const char *topic;
    json_t *value;
    size_t prefix = strlen (self->topic);
    json_object_foreach (beat->topic_seqs, topic, value)
        if (strncmp (topic, self->topic, prefix) == 0
        &&  json_integer_value (value) > json_integer_value (json_object_get (self->topic_seqs, topic)))
            return true;
    return false;
}

//  Read one message from SUB: a delta (returned, caller owns) or a
//  heartbeat (*heartbeat set, *behind when it reveals a loss, returns
//  NULL); NULL on anything else.
static ab_delta_t *
s_read_sub (ab_clone_t *self, bool *heartbeat, bool *behind)
{
    zmsg_t *msg = zmsg_recv (self->sub);
    *heartbeat = false;
    *behind = false;
    if (!msg)
        return NULL;
    self->last_heard = ab_mono_ms ();
    ab_proto_error_t error;
    ab_delta_t *delta = NULL;
    ab_cmd_t command = ab_msg_pub_command (msg);
    if (command == AB_CMD_DELTA)
        delta = ab_delta_decode (msg, &error);
    else
    if (command == AB_CMD_HEARTBEAT) {
        ab_heartbeat_t *beat = ab_heartbeat_decode_pub (msg, &error);
        if (beat) {
            *heartbeat = true;
            *behind = s_beat_reveals_loss (self, beat);
        }
        ab_heartbeat_destroy (&beat);
        zmsg_destroy (&msg);
        return NULL;
    }
    if (!delta) {
        self->stats.malformed++;
        ab_debug ("dropped a malformed message from the sink");
    }
    zmsg_destroy (&msg);
    return delta;
}

//  Request and wait for a snapshot, buffering deltas meanwhile.  Returns
//  0 when applied, -1 on timeout.
static int
s_sync (ab_clone_t *self)
{
    //  A fresh DEALER drops any late reply to an earlier request
    zsock_destroy (&self->snapshot);
    self->snapshot = zsock_new (ZMQ_DEALER);
    zsock_set_linger (self->snapshot, 0);
    ab_security_connect (self->security, self->snapshot, self->snapshot_endpoint, self->sink_cert,
                         "--snapshot");
    ab_snapshot_t request = { .topic = self->topic };
    zmsg_t *msg = ab_snapshot_encode (&request);
    zmsg_send (&msg, self->snapshot);
    int64_t deadline = ab_mono_ms () + self->snapshot_timeout_ms;
    ab_snapshot_t *reply = NULL;
    while (!reply && ab_mono_ms () < deadline && !zsys_interrupted) {
        zmq_pollitem_t items [] = {
            { zsock_resolve (self->snapshot), 0, ZMQ_POLLIN, 0 },
            { zsock_resolve (self->sub), 0, ZMQ_POLLIN, 0 }
        };
        if (zmq_poll (items, 2, 100) < 0)
            break;
        if (items [1].revents & ZMQ_POLLIN) {
            bool heartbeat, behind;
            ab_delta_t *delta = s_read_sub (self, &heartbeat, &behind);
            if (delta)
                zlistx_add_end (self->buffered, delta);
        }
        if (items [0].revents & ZMQ_POLLIN) {
            zmsg_t *answer = zmsg_recv (self->snapshot);
            ab_proto_error_t error;
            reply = answer? ab_snapshot_decode (answer, &error): NULL;
            if (answer && (!reply || !reply->is_reply)) {
                self->stats.malformed++;
                ab_snapshot_destroy (&reply);
            }
            zmsg_destroy (&answer);
        }
    }
    if (!reply)
        return -1;
    json_decref (self->items);
    self->items = json_object ();
    json_t *item;
    size_t index;
    json_array_foreach (reply->items, index, item) {
        const char *key = json_string_value (json_object_get (item, "key"));
        if (key)
            json_object_set (self->items, key, item);
    }
    json_decref (self->summary);
    self->summary = json_incref (reply->summary);
    json_decref (self->topic_seqs);
    self->topic_seqs = json_is_object (reply->topic_seqs)? json_incref (reply->topic_seqs): json_object ();
    self->seq = reply->seq;
    self->synced = true;
    self->stats.snapshots++;
    self->last_heard = ab_mono_ms ();
    ab_snapshot_destroy (&reply);
    return 0;
}

//  Sequence check: in order (1), already applied (0), or a gap (-1)
static int
s_check (ab_clone_t *self, const ab_delta_t *delta)
{
    if (self->topic [0] == 0) {
        if (delta->seq <= self->seq)
            return 0;
        return delta->seq == self->seq + 1? 1: -1;
    }
    //  Filtered: only this topic's deltas arrive, numbered per topic
    uint64_t last = (uint64_t) json_integer_value (json_object_get (self->topic_seqs, delta->topic));
    if (delta->topic_seq <= last)
        return 0;
    return delta->topic_seq == last + 1? 1: -1;
}

static void
s_apply (ab_clone_t *self, ab_delta_t *delta)
{
    if (streq (delta->op, "item_removed"))
        json_object_del (self->items, delta->key);
    else
    if (delta->item)
        json_object_set (self->items, delta->key, delta->item);
    if (delta->summary) {
        json_decref (self->summary);
        self->summary = json_incref (delta->summary);
    }
    if (delta->seq > self->seq)
        self->seq = delta->seq;
    json_object_set_new (self->topic_seqs, delta->topic, json_integer ((json_int_t) delta->topic_seq));
    self->stats.deltas++;
}

//  Offer a delta: apply it, drop it, or (on a gap) resync.  Returns the
//  event kind produced.
static ab_clone_event_kind_t
s_offer (ab_clone_t *self, ab_delta_t *delta)
{
    int order = s_check (self, delta);
    if (order == 0) {
        self->stats.stale++;
        ab_delta_destroy (&delta);
        return AB_CLONE_NOTHING;
    }
    if (order < 0) {
        self->stats.gaps++;
        ab_debug ("gap before sequence %llu: resynchronizing", (unsigned long long) delta->seq);
        ab_delta_destroy (&delta);
        self->synced = false;
        zlistx_purge (self->buffered);
        return s_sync (self) == 0? AB_CLONE_SNAPSHOT: AB_CLONE_ERROR;
    }
    s_apply (self, delta);
    ab_delta_destroy (&self->current);
    self->current = delta;
    return AB_CLONE_DELTA;
}

ab_clone_event_kind_t
ab_clone_next (ab_clone_t *self, int timeout_ms, ab_clone_event_t *event)
{
    assert (self);
    ab_clone_event_t ignored;
    if (!event)
        event = &ignored;
    event->kind = AB_CLONE_NOTHING;
    event->delta = NULL;
    if (!self->synced) {
        event->kind = s_sync (self) == 0? AB_CLONE_SNAPSHOT: AB_CLONE_ERROR;
        return event->kind;
    }
    //  Deltas buffered during the snapshot come first
    ab_delta_t *delta;
    while ((delta = zlistx_first (self->buffered))) {
        zlistx_detach_cur (self->buffered);
        event->kind = s_offer (self, delta);
        if (event->kind != AB_CLONE_NOTHING) {
            event->delta = event->kind == AB_CLONE_DELTA? self->current: NULL;
            return event->kind;
        }
    }
    zmq_pollitem_t item = { zsock_resolve (self->sub), 0, ZMQ_POLLIN, 0 };
    if (zmq_poll (&item, 1, timeout_ms) <= 0)
        return AB_CLONE_NOTHING;
    bool heartbeat, behind;
    delta = s_read_sub (self, &heartbeat, &behind);
    if (heartbeat) {
        //  A lost last delta shows only in the next heartbeat
        if (behind) {
            self->stats.gaps++;
            self->synced = false;
            event->kind = s_sync (self) == 0? AB_CLONE_SNAPSHOT: AB_CLONE_ERROR;
            return event->kind;
        }
        event->kind = AB_CLONE_HEARTBEAT;
        return event->kind;
    }
    if (!delta)
        return AB_CLONE_NOTHING;
    event->kind = s_offer (self, delta);
    event->delta = event->kind == AB_CLONE_DELTA? self->current: NULL;
    return event->kind;
}

json_t *
ab_clone_items (ab_clone_t *self)
{
    return self->items;
}

json_t *
ab_clone_summary (ab_clone_t *self)
{
    return self->summary;
}

static int
s_compare_items (const void *left, const void *right)
{
    json_t *a = *(json_t * const *) left, *b = *(json_t * const *) right;
    int conflict_a = json_is_true (json_object_get (a, "conflict"));
    int conflict_b = json_is_true (json_object_get (b, "conflict"));
    if (conflict_a != conflict_b)
        return conflict_b - conflict_a;
    const char *type_a = json_string_value (json_object_get (a, "type"));
    const char *type_b = json_string_value (json_object_get (b, "type"));
    int order = strcmp (type_a? type_a: "", type_b? type_b: "");
    if (order)
        return order;
    const char *key_a = json_string_value (json_object_get (a, "key"));
    const char *key_b = json_string_value (json_object_get (b, "key"));
    return strcmp (key_a? key_a: "", key_b? key_b: "");
}

json_t *
ab_clone_document (ab_clone_t *self)
{
    size_t count = json_object_size (self->items);
    json_t **sorted = calloc (count + 1, sizeof (json_t *));
    size_t used = 0;
    const char *key;
    json_t *item;
    json_object_foreach (self->items, key, item)
        sorted [used++] = item;
    qsort (sorted, used, sizeof (json_t *), s_compare_items);
    json_t *items = json_array ();
    json_t *conflicts = json_array ();
    for (size_t index = 0; index < used; index++) {
        json_array_append (items, sorted [index]);
        if (json_is_true (json_object_get (sorted [index], "conflict")))
            json_array_append (conflicts, json_object_get (sorted [index], "key"));
    }
    free (sorted);
    return json_pack ("{s:s, s:o, s:o, s:o, s:I}", "schema", "allybrief.briefing/1",
                      "summary", self->summary? json_incref (self->summary): json_object (),
                      "conflicts", conflicts, "items", items, "seq", (json_int_t) self->seq);
}

uint64_t
ab_clone_seq (ab_clone_t *self)
{
    return self->seq;
}

int64_t
ab_clone_last_heard (ab_clone_t *self)
{
    return self->last_heard;
}

const ab_clone_stats_t *
ab_clone_stats (ab_clone_t *self)
{
    return &self->stats;
}
