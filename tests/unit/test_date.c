/*  test_date - publication dates normalize to sortable ISO strings  */
#include "ab_date.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

static void
test_formats (void **state)
{
    const char *cases [][2] = {
        { "2024-03-25", "2024-03-25" },
        { "  2024-03-25 ", "2024-03-25" },
        { "2024-03-25T09:30:00Z", "2024-03-25T09:30:00Z" },
        { "2024-03-25T09:30:00+09:00", "2024-03-25T00:30:00Z" },
        { "2024-03-25T09:30:00.123-05:00", "2024-03-25T14:30:00Z" },
        { "Mon, 25 Mar 2024 09:30:00 GMT", "2024-03-25T09:30:00Z" },
        { "25 Mar 2024 09:30:00 +0100", "2024-03-25T08:30:00Z" },
        { "Tue, 9 Apr 2024", "2024-04-09" },
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases [0]; index++) {
        char out [32];
        assert_int_equal (ab_date_normalize (cases [index][0], out, sizeof out), 0);
        assert_string_equal (out, cases [index][1]);
    }
}

static void
test_rejects (void **state)
{
    const char *bad [] = { "", "yesterday", "2024-02-30", "2024-13-01", "2024-03-25T25:00:00Z",
                           "32 Mar 2024", "2024-03-25Tnoon", "Mon, 25 Foo 2024" };
    for (size_t index = 0; index < sizeof bad / sizeof bad [0]; index++) {
        char out [32];
        assert_int_equal (ab_date_normalize (bad [index], out, sizeof out), -1);
        assert_string_equal (out, "");
    }
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_formats),
        cmocka_unit_test (test_rejects),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
