/*  =========================================================================
    ab_store - the sink's durable log of merged results (SQLite)

    The briefing is a pure function of the results merged into it, in
    order.  So the sink stores each new RESULT's msgpack frame, and with it
    the delta sequence numbers reached, in one transaction per batch; only
    after that commit does it publish the batch's deltas and ack the
    producer.  On restart it replays the stored results into a fresh
    briefing and continues the same sequence numbers, so subscribers see no
    reuse and no gap.

    SQLite (WAL mode) was chosen over a hand-made log: crash-safe commits,
    a unique index that makes "already have this article" cheap, and a file
    an operator can inspect with the sqlite3 shell.
    =========================================================================
*/
#ifndef AB_STORE_H_INCLUDED
#define AB_STORE_H_INCLUDED

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ab_store_t ab_store_t;

//  Called for each stored result in merge order during ab_store_open.
typedef void (ab_store_replay_fn) (void *arg, const void *frame, size_t size);

//  Open or create the store at path; replay every stored result through
//  replay, then set *seq and *topic_seqs (new reference, an object of
//  topic -> last topic sequence) to what was last committed.  durable
//  selects synchronous=FULL (survives power loss) over NORMAL (survives
//  process crashes).  Returns NULL with a message in errbuf on failure.
ab_store_t *ab_store_open (const char *path, bool durable, ab_store_replay_fn *replay, void *arg,
                           uint64_t *seq, json_t **topic_seqs, char *errbuf, size_t errlen);
void ab_store_destroy (ab_store_t **self_p);

//  Start a batch, add results to it, commit it with the sequence numbers
//  reached.  Each returns 0 or -1 (message logged); after a failed commit
//  nothing of the batch is stored and the caller must not ack it.
int ab_store_begin (ab_store_t *self);
int ab_store_add (ab_store_t *self, const char *article_id, const void *frame, size_t size);
int ab_store_commit (ab_store_t *self, uint64_t seq, json_t *topic_seqs);

//  Number of stored results.
uint64_t ab_store_count (ab_store_t *self);

#endif
