/*  =========================================================================
    ab_dispatch - hands articles to workers by credit and takes them back

    The producer's ROUTER socket faces the workers.  A worker announces
    itself with CREDIT n ("I can hold n more") and sends CREDIT 1 each time
    it finishes one, plus a HEARTBEAT every second.  Articles go only to
    workers with credit, so a slow worker never hoards the stream and a new
    worker gets work as soon as it asks.

    An article stays "in flight" until the sink's ACK arrives for it.  If no
    ACK comes within ack_timeout_ms, or its worker stops heartbeating for
    worker_timeout_ms, the article goes back to the front of the queue and
    is sent again (attempt + 1).  A redelivered article can reach the sink
    twice; the sink is idempotent, so that costs work, never correctness.

    Owns: the queue and in-flight articles.  Borrows: the ROUTER socket and
    the journal, which the caller keeps alive longer than the dispatcher.
    =========================================================================
*/
#ifndef AB_DISPATCH_H_INCLUDED
#define AB_DISPATCH_H_INCLUDED

#include "ab_histogram.h"
#include "ab_journal.h"
#include "ab_msg.h"

typedef struct {
    int64_t ack_timeout_ms;         //  resend if not acked by then
    int64_t worker_timeout_ms;      //  a silent worker is dead after this
    uint32_t max_attempts;          //  dead-letter an article after this many
} ab_dispatch_options_t;

typedef struct {
    uint64_t accepted;      //  articles added
    uint64_t duplicates;    //  added again while queued or in flight
    uint64_t sent;          //  ARTICLE messages sent (redeliveries included)
    uint64_t redelivered;   //  sends after the first
    uint64_t acked;         //  articles acknowledged by the sink
    uint64_t late_acks;     //  acks for articles not in flight
    uint64_t malformed;     //  bad frames from workers
    uint64_t given_up;      //  articles past max_attempts
    uint64_t workers_lost;  //  workers declared dead
    ab_histogram_t ack_latency;     //  article received -> sink's ACK
} ab_dispatch_stats_t;

typedef struct ab_dispatch_t ab_dispatch_t;

ab_dispatch_t *ab_dispatch_new (zsock_t *router, ab_journal_t *journal,
                                const ab_dispatch_options_t *options);
void ab_dispatch_destroy (ab_dispatch_t **self_p);

//  Take ownership of an article and queue it.  If journal is set and the
//  article is new, it is journaled first.  Returns 0, 1 if an article with
//  the same id is already queued or in flight (then it is destroyed), or
//  -1 if it could not be journaled (then it is destroyed too).
int ab_dispatch_add (ab_dispatch_t *self, ab_article_t **article_p, bool journal);

//  Handle one message read from the ROUTER socket.
void ab_dispatch_on_worker (ab_dispatch_t *self, zmsg_t **msg_p);

//  Handle an ACK from the sink: the article is done.  Returns true if it
//  was in flight (or queued for redelivery) here.
bool ab_dispatch_on_ack (ab_dispatch_t *self, const char *article_id);

//  Send what credit allows, resend timed-out articles, drop dead workers.
//  Call after every event and at least every 100 ms.  Articles past
//  max_attempts are returned in given_up (caller owns and dead-letters).
void ab_dispatch_pump (ab_dispatch_t *self, zlistx_t *given_up);

//  Articles waiting to be sent, and sent but not acked.
size_t ab_dispatch_queued (ab_dispatch_t *self);
size_t ab_dispatch_in_flight (ab_dispatch_t *self);
size_t ab_dispatch_workers (ab_dispatch_t *self);
const ab_dispatch_stats_t *ab_dispatch_stats (ab_dispatch_t *self);

#endif
