/*  =========================================================================
    test_number - the one rule for whole numbers users type
    =========================================================================
*/
#include "ab_number.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static void
test_accepts_whole_numbers_in_range (void **state)
{
    int64_t value = -1;
    assert_true (ab_number_parse ("0", 0, 10, &value));
    assert_int_equal (value, 0);
    assert_true (ab_number_parse ("65535", 1, 65535, &value));
    assert_int_equal (value, 65535);
    assert_true (ab_number_parse ("-5", -10, 10, &value));
    assert_int_equal (value, -5);
    assert_true (ab_number_parse ("9223372036854775807", 0, INT64_MAX, &value));
    assert_true (value == INT64_MAX);
}

static void
test_refuses_everything_else (void **state)
{
    const char *bad [] = { "", " 5", "5 ", "10ms", "0x10", "1e3", "+", "-", "65536",
                           "99999999999999999999", NULL };
    for (const char **text = bad; *text; text++) {
        int64_t value = 42;
        assert_false (ab_number_parse (*text, 0, 65535, &value));
        assert_int_equal (value, 42);
    }
    int64_t value = 42;
    assert_false (ab_number_parse (NULL, 0, 1, &value));
    assert_false (ab_number_parse ("0", 1, 5, &value));
    assert_int_equal (value, 42);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_accepts_whole_numbers_in_range),
        cmocka_unit_test (test_refuses_everything_else),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
