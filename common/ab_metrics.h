/*  =========================================================================
    ab_metrics - counters and histograms in Prometheus text format, over HTTP

    Each program owns one ab_metrics_t.  Its main loop, whose counters are
    plain fields it alone writes, renders them every second into a new
    exposition (begin, counter/gauge/labeled/histogram..., commit); commit
    swaps the text in under a mutex, and libmicrohttpd's own thread serves
    the latest committed text on GET /metrics.  So the HTTP side never
    touches live counters, needs no atomics, and can never slow the loop:
    a scrape sees figures at most one render old.

    Off by default: nothing listens until ab_metrics_listen is called
    (the programs' --metrics ADDRESS).  Every name is prefixed with
    "allybrief_<program>_".

    Owns: the daemon, both text buffers.  Not thread-safe except between
    commit (owner's thread) and the HTTP thread.
    =========================================================================
*/
#ifndef AB_METRICS_H_INCLUDED
#define AB_METRICS_H_INCLUDED

#include "ab_histogram.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct ab_metrics_t ab_metrics_t;

//  program: "producer", "worker", "sink" ...  NULL on no memory.
ab_metrics_t *ab_metrics_new (const char *program);
//  ab_metrics_new, then ab_metrics_listen when address is not NULL (and
//  says where on the log): what each program's --metrics does.  NULL with
//  a message in errbuf on failure.
ab_metrics_t *ab_metrics_start (const char *program, const char *address, char *errbuf, size_t errlen);
//  Stops the HTTP daemon (if any) and frees.
void ab_metrics_destroy (ab_metrics_t **self_p);

//  Serve GET /metrics on address "HOST:PORT" (IPv4 or [IPv6]; port 0 picks
//  a free one).  Returns 0, or -1 with a message in errbuf.
int ab_metrics_listen (ab_metrics_t *self, const char *address, char *errbuf, size_t errlen);
//  0 if address is a valid HOST:PORT for ab_metrics_listen, else -1 with
//  the reason in errbuf (configuration checks use it).
int ab_metrics_check_address (const char *address, char *errbuf, size_t errlen);
//  The port being served, 0 when not listening.
int ab_metrics_port (ab_metrics_t *self);
//  True when listening (renders are wasted otherwise).
bool ab_metrics_active (ab_metrics_t *self);

//  Build the next exposition.  Names are the part after the prefix;
//  counters get "_total" appended.  A labeled family is written by
//  consecutive calls with the same name (HELP/TYPE once).
void ab_metrics_begin (ab_metrics_t *self);
void ab_metrics_counter (ab_metrics_t *self, const char *name, const char *help, uint64_t value);
void ab_metrics_gauge (ab_metrics_t *self, const char *name, const char *help, double value);
void ab_metrics_labeled_counter (ab_metrics_t *self, const char *name, const char *help,
                                 const char *label, const char *label_value, uint64_t value);
//  A histogram of microsecond observations, exposed in seconds.
void ab_metrics_histogram (ab_metrics_t *self, const char *name, const char *help,
                           const ab_histogram_t *histogram);
//  Publish what was built since begin.
void ab_metrics_commit (ab_metrics_t *self);

#endif
