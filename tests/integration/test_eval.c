/*  =========================================================================
    test_eval - allybrief-eval, the scorer behind `make eval`, as a process

    A hand-written briefing.json and gold file with one claim found, one
    wrong merge (two summits on different days in one item), one split (a
    treaty's two reports under two keys) and one missed claim: the scorer
    must count them, name the merge and the split, and exit 1 below the
    thresholds, 0 when the thresholds are lowered, 2 on bad usage.
    =========================================================================
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ab_file.h"
#include "ab_testutil.h"

static const char *s_briefing =
"{\"schema\":\"allybrief.briefing/1\",\"summary\":{},\"conflicts\":[],\"items\":["
"{\"key\":\"summit_meeting{date=2024-04,participants=JP+US}\",\"type\":\"summit_meeting\","
" \"sides\":[{\"value\":\"event=summit\",\"articles\":["
"  {\"id\":\"a1\",\"hedge\":\"asserted\",\"attribution\":\"\",\"copies\":[]},"
"  {\"id\":\"a2\",\"hedge\":\"asserted\",\"attribution\":\"\",\"copies\":[]}]}]},"
"{\"key\":\"treaty{parties=PH+US,treaty=MDT}\",\"type\":\"treaty\","
" \"sides\":[{\"value\":\"year=1951\",\"articles\":["
"  {\"id\":\"a3\",\"hedge\":\"asserted\",\"attribution\":\"\",\"copies\":[]}]}]},"
"{\"key\":\"treaty{parties=US,treaty=MDT}\",\"type\":\"treaty\","
" \"sides\":[{\"value\":\"year=1951\",\"articles\":["
"  {\"id\":\"a4\",\"hedge\":\"asserted\",\"attribution\":\"\",\"copies\":[]}]}]},"
"{\"key\":\"membership{alliance=NATO,member=SE}\",\"type\":\"membership\","
" \"sides\":[{\"value\":\"date=2024-03-07\",\"articles\":["
"  {\"id\":\"a5\",\"hedge\":\"reported\",\"attribution\":\"Reuters\",\"copies\":[\"a6\"]}]}]}"
"]}\n";

//  Slots in the gold may come in any order: the scorer sorts them
static const char *s_gold =
"# fact\tarticles\ttype\tkey\tvalue\thedge\tattribution\n"
"F1\ta1\tsummit_meeting\tsummit_meeting{participants=JP+US,date=2024-04-10}\tevent=summit\tasserted\t-\n"
"F2\ta2\tsummit_meeting\tsummit_meeting{date=2024-04-20,participants=JP+US}\tevent=summit\tasserted\t-\n"
"F3\ta3,a4\ttreaty\ttreaty{treaty=MDT,parties=PH+US}\tyear=1951\tasserted\t-\n"
"F4\ta5,a6\tmembership\tmembership{member=SE,alliance=NATO}\tdate=2024-03-07\treported\tReuters\n"
"F5\ta7\tmembership\tmembership{alliance=NATO,member=FI}\tdate=2023-04-04\tasserted\t-\n";

static int
s_run (ab_fixture_t *fx, const char *const *args)
{
    FILE *log = fopen (fx->log, "w");     //  each run's output alone
    if (log)
        fclose (log);
    pid_t pid = ab_procs_start (fx->procs, "allybrief-eval", args, fx->log, NULL);
    assert_true (pid > 0);
    int status = ab_procs_wait (fx->procs, pid, 20000);
    assert_true (status >= 0);
    return status;
}

static void
test_scores_merges_and_splits (void **state)
{
    ab_fixture_t *fx = *state;
    char briefing [512], gold [512], err [256];
    snprintf (briefing, sizeof briefing, "%s/briefing.json", fx->dir);
    snprintf (gold, sizeof gold, "%s/gold.tsv", fx->dir);
    assert_int_equal (ab_file_write_atomic (briefing, s_briefing, strlen (s_briefing),
                                            err, sizeof err), 0);
    assert_int_equal (ab_file_write_atomic (gold, s_gold, strlen (s_gold), err, sizeof err), 0);

    const char *args [] = { briefing, gold, NULL };
    int status = s_run (fx, args);
    char *out = ab_test_read (fx->log);
    assert_non_null (out);
    if (status != 1)
        fprintf (stderr, "%s", out);
    assert_int_equal (status, 1);
    //  found: a3's treaty, a5 and its copy a6; spurious: a1, a2, a4; missed:
    //  F1, F2, a4's F3, F5
    assert_non_null (strstr (out, "OVERALL                      3     3     4"));
    assert_non_null (strstr (out, "summit_meeting{date=2024-04,participants=JP+US} holds F1"));
    assert_non_null (strstr (out, "F3 (treaty{parties=PH+US,treaty=MDT}) is in"));
    assert_non_null (strstr (out, "hedge agreement 3/3, attribution agreement 3/3"));
    assert_non_null (strstr (out, "FAIL: precision 0.500"));
    free (out);

    const char *lenient [] = { "--min-precision", "0.5", "--min-recall", "0.4", briefing, gold,
                               NULL };
    assert_int_equal (s_run (fx, lenient), 0);
}

static void
test_bad_usage (void **state)
{
    ab_fixture_t *fx = *state;
    char missing [512];
    snprintf (missing, sizeof missing, "%s/none.json", fx->dir);
    const char *one_arg [] = { missing, NULL };
    assert_int_equal (s_run (fx, one_arg), 2);
    const char *bad_threshold [] = { "--min-recall", "1.5", missing, missing, NULL };
    assert_int_equal (s_run (fx, bad_threshold), 2);
    const char *no_files [] = { missing, missing, NULL };
    assert_int_equal (s_run (fx, no_files), 2);
    const char *help [] = { "--help", NULL };
    assert_int_equal (s_run (fx, help), 0);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_scores_merges_and_splits,
                                         ab_fixture_setup, ab_fixture_teardown),
        cmocka_unit_test_setup_teardown (test_bad_usage, ab_fixture_setup, ab_fixture_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
