/*  =========================================================================
    test_histogram - fixed-bucket latency histograms and their percentiles
    =========================================================================
*/
#include "ab_histogram.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

static void
test_empty (void **state)
{
    ab_histogram_t histogram;
    ab_histogram_reset (&histogram);
    assert_int_equal (ab_histogram_quantile (&histogram, 0.5), 0);
    char text [96];
    assert_string_equal (ab_histogram_format (&histogram, text, sizeof text), "p50 0us p99 0us max 0us (n=0)");
}

static void
test_quantiles_are_bucket_bounds (void **state)
{
    ab_histogram_t histogram;
    ab_histogram_reset (&histogram);
    //  98 fast (under 1 ms), 2 slow (about 40 ms)
    for (int index = 0; index < 98; index++)
        ab_histogram_observe (&histogram, 700);
    ab_histogram_observe (&histogram, 40000);
    ab_histogram_observe (&histogram, 42000);
    assert_int_equal (histogram.count, 100);
    assert_int_equal (histogram.max_us, 42000);
    assert_int_equal (histogram.sum_us, 98 * 700 + 82000);
    assert_int_equal (ab_histogram_quantile (&histogram, 0.50), 1000);
    assert_int_equal (ab_histogram_quantile (&histogram, 0.98), 1000);
    //  The 99th falls in the 25-50 ms bucket, capped by the real maximum
    assert_int_equal (ab_histogram_quantile (&histogram, 0.99), 42000);
    assert_int_equal (ab_histogram_quantile (&histogram, 1.0), 42000);
    char text [96];
    assert_string_equal (ab_histogram_format (&histogram, text, sizeof text),
                         "p50 1.0ms p99 42.0ms max 42.0ms (n=100)");
}

static void
test_overflow_bucket (void **state)
{
    ab_histogram_t histogram;
    ab_histogram_reset (&histogram);
    ab_histogram_observe (&histogram, 0);
    ab_histogram_observe (&histogram, 90000000);       //  90 s: past the last bound
    assert_int_equal (histogram.counts [0], 1);
    assert_int_equal (histogram.counts [AB_HISTOGRAM_BUCKETS], 1);
    assert_int_equal (ab_histogram_quantile (&histogram, 1.0), 90000000);
    assert_true (ab_histogram_bound (AB_HISTOGRAM_BUCKETS) == UINT64_MAX);
    assert_true (ab_histogram_bound (0) == 100);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_empty),
        cmocka_unit_test (test_quantiles_are_bucket_bounds),
        cmocka_unit_test (test_overflow_bucket),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
