/*  =========================================================================
    ab_histogram - latency histogram with fixed buckets

    Each program keeps a few of these (time to ack, time per article, time
    from acceptance to publication) and shows them twice: as percentiles on
    its --stats line and as a Prometheus histogram (ab_metrics).  The
    buckets are fixed so that histograms from many processes can be summed
    by Prometheus; percentiles are therefore bucket upper bounds, which is
    as precise as an operator needs and costs one array of counters.

    A plain value type: embed it, zero it with ab_histogram_reset, no
    allocation.  Not thread-safe; the owner's thread observes.
    =========================================================================
*/
#ifndef AB_HISTOGRAM_H_INCLUDED
#define AB_HISTOGRAM_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

//  Upper bounds in microseconds: 100 us ... 30 s, then +Inf
#define AB_HISTOGRAM_BUCKETS 17

typedef struct {
    uint64_t counts [AB_HISTOGRAM_BUCKETS + 1];     //  last: over the top bound
    uint64_t count;
    uint64_t sum_us;
    uint64_t max_us;
} ab_histogram_t;

void ab_histogram_reset (ab_histogram_t *self);
void ab_histogram_observe (ab_histogram_t *self, uint64_t value_us);
//  The upper bound (us) of the bucket holding quantile q (0 < q <= 1),
//  or max_us for the overflow bucket; 0 when empty.
uint64_t ab_histogram_quantile (const ab_histogram_t *self, double q);
//  Upper bound of bucket index (us); UINT64_MAX for the overflow bucket.
uint64_t ab_histogram_bound (size_t index);
//  "p50 1ms p99 5ms max 7.2ms (n=123)" into buffer; returns buffer.
const char *ab_histogram_format (const ab_histogram_t *self, char *buffer, size_t size);

#endif
