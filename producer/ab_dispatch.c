/*  =========================================================================
    ab_dispatch - hands articles to workers by credit and takes them back
    =========================================================================
*/
#include "ab_dispatch.h"
#include "ab_log.h"

typedef struct {
    char *name;             //  hex of the ROUTER identity, the table key
    zframe_t *identity;     //  routing frame
    uint32_t credit;        //  articles it asked for and has not received
    int64_t last_seen_ms;   //  monotonic time of its last message
    char *label;            //  the worker's own id, for logs
} worker_t;

typedef struct {
    ab_article_t *article;
    char worker [64];       //  name of the worker holding it, "" if none
    int64_t sent_ms;
    uint32_t sends;         //  deliveries so far in this process
} flight_t;

struct ab_dispatch_t {
    zsock_t *router;
    ab_journal_t *journal;
    ab_dispatch_options_t options;
    zlistx_t *queue;        //  ab_article_t *, owned, waiting for credit
    zhashx_t *flights;      //  article id -> flight_t *, owned, sent or queued
    zhashx_t *workers;      //  name -> worker_t *
    int64_t next_heartbeat_ms;
    ab_dispatch_stats_t stats;
};

static void
s_worker_destroy (worker_t **self_p)
{
    if (*self_p) {
        zframe_destroy (&(*self_p)->identity);
        free ((*self_p)->name);
        free ((*self_p)->label);
        free (*self_p);
        *self_p = NULL;
    }
}

static void
s_flight_destroy (flight_t **self_p)
{
    if (*self_p) {
        ab_article_destroy (&(*self_p)->article);
        free (*self_p);
        *self_p = NULL;
    }
}

ab_dispatch_t *
ab_dispatch_new (zsock_t *router, ab_journal_t *journal, const ab_dispatch_options_t *options)
{
    ab_dispatch_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->router = router;
    self->journal = journal;
    self->options = *options;
    //  The queue holds pointers into flights' articles: a flight owns its
    //  article from add until ack, and the queue only says what to send next.
    self->queue = zlistx_new ();
    self->flights = zhashx_new ();
    zhashx_set_destructor (self->flights, (zhashx_destructor_fn *) s_flight_destroy);
    self->workers = zhashx_new ();
    zhashx_set_destructor (self->workers, (zhashx_destructor_fn *) s_worker_destroy);
    return self;
}

void
ab_dispatch_destroy (ab_dispatch_t **self_p)
{
    if (!*self_p)
        return;
    ab_dispatch_t *self = *self_p;
    zlistx_destroy (&self->queue);
    zhashx_destroy (&self->flights);
    zhashx_destroy (&self->workers);
    free (self);
    *self_p = NULL;
}

int
ab_dispatch_add (ab_dispatch_t *self, ab_article_t **article_p, bool journal)
{
    assert (self);
    ab_article_t *article = *article_p;
    *article_p = NULL;
    if (zhashx_lookup (self->flights, article->id)) {
        self->stats.duplicates++;
        ab_article_destroy (&article);
        return 1;
    }
    if (journal && self->journal && ab_journal_append (self->journal, article) != 0) {
        ab_error ("cannot journal article %s: %s", article->id, strerror (errno));
        ab_article_destroy (&article);
        return -1;
    }
    flight_t *flight = calloc (1, sizeof *flight);
    if (!flight) {
        ab_article_destroy (&article);
        return -1;
    }
    flight->article = article;
    zhashx_insert (self->flights, article->id, flight);
    zlistx_add_end (self->queue, flight);
    self->stats.accepted++;
    return 0;
}

static worker_t *
s_worker_require (ab_dispatch_t *self, zframe_t *identity, bool *is_new)
{
    char *name = zframe_strhex (identity);
    worker_t *worker = zhashx_lookup (self->workers, name);
    *is_new = !worker;
    if (!worker) {
        worker = calloc (1, sizeof *worker);
        worker->name = name;
        worker->identity = zframe_dup (identity);
        worker->label = strdup ("?");
        zhashx_insert (self->workers, name, worker);
        ab_info ("worker %s connected (%zu now)", name, zhashx_size (self->workers));
    }
    else
        free (name);
    worker->last_seen_ms = ab_mono_ms ();
    return worker;
}

void
ab_dispatch_on_worker (ab_dispatch_t *self, zmsg_t **msg_p)
{
    assert (self);
    zmsg_t *msg = *msg_p;
    zframe_t *identity = zmsg_pop (msg);
    if (!identity || zmsg_size (msg) < 1) {
        self->stats.malformed++;
        zframe_destroy (&identity);
        zmsg_destroy (msg_p);
        return;
    }
    bool is_new;
    worker_t *worker = s_worker_require (self, identity, &is_new);
    ab_cmd_t command = ab_msg_command (msg);
    if (is_new && command != AB_CMD_CREDIT) {
        //  A worker we have never seen that does not announce its credit
        //  was talking to an earlier producer on this endpoint.  Its credit
        //  is unknown here, so ask it to announce it again, or it would
        //  wait for work forever while we wait for its credit.
        ab_errmsg_t ask = { AB_PROTO_ERR_VALUE, "unknown worker: announce your credit" };
        zmsg_t *reply = ab_errmsg_encode (&ask);
        zmsg_pushmem (reply, zframe_data (identity), zframe_size (identity));
        if (zmsg_send (&reply, self->router) != 0)
            zmsg_destroy (&reply);
    }
    zframe_destroy (&identity);
    ab_proto_error_t error;
    switch (command) {
        case AB_CMD_CREDIT: {
            ab_credit_t *credit = ab_credit_decode (msg, &error);
            if (credit) {
                //  Credit is capped so a confused worker cannot ask for the world
                uint64_t total = (uint64_t) worker->credit + credit->credit;
                worker->credit = total > 10000? 10000: (uint32_t) total;
                if (credit->worker && *credit->worker && streq (worker->label, "?")) {
                    free (worker->label);
                    worker->label = strdup (credit->worker);
                }
                ab_credit_destroy (&credit);
            }
            else {
                self->stats.malformed++;
                ab_warn ("worker %s: bad CREDIT: %s", worker->name, error.message);
            }
            break;
        }
        case AB_CMD_HEARTBEAT:
            break;                  //  last_seen_ms was updated above
        default: {
            zframe_t *name = zmsg_first (msg);
            self->stats.malformed++;
            ab_warn ("worker %s: unexpected message '%.*s'", worker->name,
                     (int) (zframe_size (name) < 32? zframe_size (name): 32),
                     (const char *) zframe_data (name));
            break;
        }
    }
    zmsg_destroy (msg_p);
}

bool
ab_dispatch_on_ack (ab_dispatch_t *self, const char *article_id)
{
    assert (self);
    flight_t *flight = zhashx_lookup (self->flights, article_id);
    if (!flight) {
        self->stats.late_acks++;
        return false;
    }
    if (self->journal)
        ab_journal_done (self->journal, article_id);
    //  It may still sit in the queue if it was requeued for redelivery
    void *handle = zlistx_find (self->queue, flight);
    if (handle)
        zlistx_delete (self->queue, handle);
    //  From the producer's receipt: includes queueing, every delivery and
    //  the sink's commit, which is what an operator waits for
    int64_t latency_ms = ab_wall_ms () - flight->article->received_ms;
    ab_histogram_observe (&self->stats.ack_latency, latency_ms > 0? (uint64_t) latency_ms * 1000: 0);
    zhashx_delete (self->flights, article_id);
    self->stats.acked++;
    return true;
}

//  Pick the worker with the most credit: spreads work evenly and sends
//  nothing to workers that have not asked.
static worker_t *
s_worker_with_credit (ab_dispatch_t *self)
{
    worker_t *best = NULL;
    for (worker_t *worker = zhashx_first (self->workers); worker; worker = zhashx_next (self->workers))
        if (worker->credit > 0 && (!best || worker->credit > best->credit))
            best = worker;
    return best;
}

static void
s_requeue (ab_dispatch_t *self, flight_t *flight)
{
    flight->worker [0] = 0;
    flight->sent_ms = 0;
    zlistx_add_start (self->queue, flight);
}

void
ab_dispatch_pump (ab_dispatch_t *self, zlistx_t *given_up)
{
    assert (self);
    int64_t now = ab_mono_ms ();

    //  Dead workers: forget them and take their articles back
    zlistx_t *dead = zlistx_new ();
    for (worker_t *worker = zhashx_first (self->workers); worker; worker = zhashx_next (self->workers))
        if (now - worker->last_seen_ms > self->options.worker_timeout_ms)
            zlistx_add_end (dead, worker->name);
    for (char *name = zlistx_first (dead); name; name = zlistx_next (dead)) {
        ab_warn ("worker %s silent for %lld ms: taking its articles back", name,
                 (long long) self->options.worker_timeout_ms);
        for (flight_t *flight = zhashx_first (self->flights); flight; flight = zhashx_next (self->flights))
            if (streq (flight->worker, name))
                s_requeue (self, flight);
        zhashx_delete (self->workers, name);
        self->stats.workers_lost++;
    }
    zlistx_destroy (&dead);

    //  Timed-out articles go back to the front of the queue.  This scans
    //  the in-flight table, which credit bounds to workers x K entries.
    for (flight_t *flight = zhashx_first (self->flights); flight; flight = zhashx_next (self->flights))
        if (flight->sent_ms && now - flight->sent_ms > self->options.ack_timeout_ms) {
            ab_warn ("article %s not acked after %lld ms: sending again",
                     flight->article->id, (long long) self->options.ack_timeout_ms);
            s_requeue (self, flight);
        }

    //  Heartbeat every worker once a second, so a worker can tell a quiet
    //  producer from a dead one and reconnect (Paranoid Pirate)
    if (now >= self->next_heartbeat_ms) {
        ab_heartbeat_t beat = { .seq = 0, .sent_ms = ab_wall_ms () };
        for (worker_t *worker = zhashx_first (self->workers); worker; worker = zhashx_next (self->workers)) {
            zmsg_t *msg = ab_heartbeat_encode (&beat);
            zmsg_pushmem (msg, zframe_data (worker->identity), zframe_size (worker->identity));
            if (zmsg_send (&msg, self->router) != 0)
                zmsg_destroy (&msg);
        }
        self->next_heartbeat_ms = now + 1000;
    }

    //  Send while there is work and credit
    flight_t *flight;
    worker_t *worker;
    while ((flight = zlistx_first (self->queue)) && (worker = s_worker_with_credit (self))) {
        zlistx_delete (self->queue, zlistx_cursor (self->queue));
        ab_article_t *article = flight->article;
        if (flight->sends >= self->options.max_attempts) {
            flight->article = NULL;         //  the caller takes it
            zhashx_delete (self->flights, article->id);
            if (self->journal)
                ab_journal_done (self->journal, article->id);
            self->stats.given_up++;
            zlistx_add_end (given_up, article);
            continue;
        }
        article->attempt = ++flight->sends;
        zmsg_t *msg = ab_article_encode (article);
        if (!msg)
            break;
        zmsg_pushmem (msg, zframe_data (worker->identity), zframe_size (worker->identity));
        if (zmsg_send (&msg, self->router) != 0) {
            //  Unroutable (worker vanished) or full: put it back and let
            //  the dead-worker check sort out the worker
            zmsg_destroy (&msg);
            flight->sends--;
            s_requeue (self, flight);
            worker->credit = 0;
            break;
        }
        worker->credit--;
        snprintf (flight->worker, sizeof flight->worker, "%s", worker->name);
        flight->sent_ms = now;
        self->stats.sent++;
        if (flight->sends > 1)
            self->stats.redelivered++;
    }
}

size_t
ab_dispatch_queued (ab_dispatch_t *self)
{
    return zlistx_size (self->queue);
}

size_t
ab_dispatch_in_flight (ab_dispatch_t *self)
{
    return zhashx_size (self->flights) - zlistx_size (self->queue);
}

size_t
ab_dispatch_workers (ab_dispatch_t *self)
{
    return zhashx_size (self->workers);
}

const ab_dispatch_stats_t *
ab_dispatch_stats (ab_dispatch_t *self)
{
    return &self->stats;
}
