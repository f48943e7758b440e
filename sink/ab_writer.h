/*  =========================================================================
    ab_writer - writes briefing.md and briefing.json on a thread of its own

    Rendering the whole briefing and making two files durable (write,
    fsync, rename) takes milliseconds, and the sink used to do it inside
    its loop every --write-interval: every result arriving meanwhile waited,
    which was half of the latency tail in make bench.  The sink now builds
    the document (cheap: the items already exist) and hands it here; a czmq
    actor renders and writes it while the loop goes on.

    At most one document is in hand: when the writer is busy, offer refuses
    and the sink keeps its "dirty" mark for the next tick, so a slow disk
    means fewer rewrites, never a queue.  Files are written atomically, so a
    reader never sees half of one.

    Owns: the actor and the document it is writing.
    =========================================================================
*/
#ifndef AB_WRITER_H_INCLUDED
#define AB_WRITER_H_INCLUDED

#include <jansson.h>
#include <stdbool.h>

typedef struct ab_writer_t ab_writer_t;

//  Writer of out_dir/briefing.{md,json}.  NULL on no memory.
ab_writer_t *ab_writer_new (const char *out_dir);
//  Finish the write in progress, then stop.
void ab_writer_destroy (ab_writer_t **self_p);

//  If idle, take *document_p (sets it to NULL) and start writing it;
//  returns false, leaving *document_p alone, while a write is in progress.
bool ab_writer_offer (ab_writer_t *self, json_t **document_p);
//  Block until no write is in progress (shutdown, tests).
void ab_writer_wait (ab_writer_t *self);

#endif
