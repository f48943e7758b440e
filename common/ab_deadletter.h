/*  =========================================================================
    ab_deadletter - the record of every input refused, and why

    A refused article is never just a counter: it is appended to a JSON
    Lines file ({"time","origin","source","reason","message","head"}) so an
    operator can see it, fix the cause, and replay it (the lines are valid
    input to `allybrief-producer --stdin` once "head" is replaced by the
    original body).  Counts per reason are kept for --stats.
    =========================================================================
*/
#ifndef AB_DEADLETTER_H_INCLUDED
#define AB_DEADLETTER_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

typedef struct ab_deadletter_t ab_deadletter_t;

//  Open (append) the dead-letter file at path; NULL path means count and
//  log only.  Returns NULL with a message in errbuf if it cannot be opened.
ab_deadletter_t *ab_deadletter_new (const char *path, char *errbuf, size_t errlen);
void ab_deadletter_destroy (ab_deadletter_t **self_p);

//  Record one refusal: log a warning on stderr, bump the reason's counter,
//  append a line with the first 256 bytes of data (made valid UTF-8).
void ab_deadletter_add (ab_deadletter_t *self, const char *origin, const char *source,
                        const char *reason, const char *message,
                        const char *data, size_t size);

//  Total refusals, and refusals for one reason.
uint64_t ab_deadletter_total (ab_deadletter_t *self);
uint64_t ab_deadletter_count (ab_deadletter_t *self, const char *reason);
//  Call fn once per reason seen so far, with its count (for metrics).
typedef void (ab_deadletter_reason_fn) (void *arg, const char *reason, uint64_t count);
void ab_deadletter_each (ab_deadletter_t *self, ab_deadletter_reason_fn *fn, void *arg);

#endif
