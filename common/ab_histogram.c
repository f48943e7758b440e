/*  =========================================================================
    ab_histogram - latency histogram with fixed buckets
    =========================================================================
*/
#include "ab_histogram.h"

#include <stdio.h>
#include <string.h>

static const uint64_t s_bounds_us [AB_HISTOGRAM_BUCKETS] = {
    100, 250, 500, 1000, 2000, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
    1000000, 2500000, 5000000, 10000000, 30000000
};

void
ab_histogram_reset (ab_histogram_t *self)
{
    memset (self, 0, sizeof *self);
}

void
ab_histogram_observe (ab_histogram_t *self, uint64_t value_us)
{
    size_t index = 0;
    while (index < AB_HISTOGRAM_BUCKETS && value_us > s_bounds_us [index])
        index++;
    self->counts [index]++;
    self->count++;
    self->sum_us += value_us;
    if (value_us > self->max_us)
        self->max_us = value_us;
}

uint64_t
ab_histogram_bound (size_t index)
{
    return index < AB_HISTOGRAM_BUCKETS? s_bounds_us [index]: UINT64_MAX;
}

uint64_t
ab_histogram_quantile (const ab_histogram_t *self, double q)
{
    if (self->count == 0)
        return 0;
    //  The rank of the quantile, 1-based, rounded up
    uint64_t rank = (uint64_t) (q * (double) self->count);
    if ((double) rank < q * (double) self->count)
        rank++;
    if (rank == 0)
        rank = 1;
    uint64_t seen = 0;
    for (size_t index = 0; index < AB_HISTOGRAM_BUCKETS; index++) {
        seen += self->counts [index];
        if (seen >= rank)
            return s_bounds_us [index] < self->max_us? s_bounds_us [index]: self->max_us;
    }
    return self->max_us;
}

static const char *
s_duration (uint64_t us, char *buffer, size_t size)
{
    if (us < 1000)
        snprintf (buffer, size, "%lluus", (unsigned long long) us);
    else
    if (us < 1000000)
        snprintf (buffer, size, "%.1fms", (double) us / 1000.0);
    else
        snprintf (buffer, size, "%.2fs", (double) us / 1e6);
    return buffer;
}

const char *
ab_histogram_format (const ab_histogram_t *self, char *buffer, size_t size)
{
    char p50 [24], p99 [24], max [24];
    snprintf (buffer, size, "p50 %s p99 %s max %s (n=%llu)",
              s_duration (ab_histogram_quantile (self, 0.50), p50, sizeof p50),
              s_duration (ab_histogram_quantile (self, 0.99), p99, sizeof p99),
              s_duration (self->max_us, max, sizeof max), (unsigned long long) self->count);
    return buffer;
}
