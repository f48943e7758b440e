/*  =========================================================================
    test_config - the one configuration file: check, load, lookups

    Files are written to a temporary directory; certificates are real ones
    made by ab_security_keygen, so the check loads them as programs do.
    =========================================================================
*/
#include "ab_config.h"
#include "ab_security.h"
#include "ab_testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

typedef struct {
    char *dir;
    char path [512];
} fixture_t;

static int
s_setup (void **state)
{
    fixture_t *self = calloc (1, sizeof *self);
    self->dir = ab_test_tempdir ();
    snprintf (self->path, sizeof self->path, "%s/allybrief.cfg", self->dir);
    char message [256];
    if (ab_security_keygen (self->dir, "node", message, sizeof message) != 0)
        return -1;
    *state = self;
    return 0;
}

static int
s_teardown (void **state)
{
    fixture_t *self = *state;
    ab_test_rmtree (self->dir);
    free (self->dir);
    free (self);
    return 0;
}

//  Write text to the fixture's file, with @ replaced by the directory
static void
s_write (fixture_t *self, const char *text)
{
    FILE *file = fopen (self->path, "w");
    assert_non_null (file);
    for (const char *cursor = text; *cursor; cursor++)
        if (*cursor == '@')
            fputs (self->dir, file);
        else
            fputc (*cursor, file);
    fclose (file);
}

static zlistx_t *
s_check (fixture_t *self, size_t *count)
{
    zlistx_t *problems = zlistx_new ();
    zlistx_set_destructor (problems, (zlistx_destructor_fn *) zstr_free);
    *count = ab_config_check (self->path, problems);
    assert_int_equal (*count, zlistx_size (problems));
    return problems;
}

static const char *s_valid =
    "#   every section, comments, quoting\n"
    "curve\n"
    "    allow = @                 # public certs live here\n"
    "    producer_key = @/node.cert\n"
    "    sink_key = \"@/node.cert\"\n"
    "\n"
    "producer\n"
    "    work = tcp://0.0.0.0:5701\n"
    "    ack = tcp://*:5702\n"
    "    cert = @/node.cert_secret\n"
    "    fsync = always\n"
    "    queue = 50\n"
    "sink\n"
    "    results = ipc:///tmp/allybrief-results\n"
    "    write_interval = 0\n"
    "worker\n"
    "    work = tcp://producer.example:5701\n"
    "    cert = @/node.cert_secret\n"
    "    credit = 8\n"
    "subscriber\n"
    "    pub = tcp://[::1]:5704\n";

static void
test_valid_file_loads_and_answers_lookups (void **state)
{
    fixture_t *self = *state;
    s_write (self, s_valid);
    size_t count;
    zlistx_t *problems = s_check (self, &count);
    for (const char *problem = zlistx_first (problems); problem; problem = zlistx_next (problems))
        fprintf (stderr, "unexpected: %s\n", problem);
    assert_int_equal (count, 0);
    zlistx_destroy (&problems);

    char message [256] = "";
    ab_config_t *config = ab_config_load (self->path, message, sizeof message);
    assert_non_null (config);
    assert_string_equal (ab_config_get (config, "producer/work", "x"), "tcp://0.0.0.0:5701");
    assert_string_equal (ab_config_get (config, "worker/work", "x"), "tcp://producer.example:5701");
    assert_int_equal (ab_config_number (config, "worker/credit", 4), 8);
    assert_int_equal (ab_config_number (config, "sink/write_interval", 500), 0);
    //  Unset keys give the program's default
    assert_string_equal (ab_config_get (config, "sink/pub", "tcp://127.0.0.1:5704"), "tcp://127.0.0.1:5704");
    assert_int_equal (ab_config_number (config, "producer/max_body", 77), 77);
    char expected [600];
    snprintf (expected, sizeof expected, "%s/node.cert", self->dir);
    assert_string_equal (ab_config_get (config, "curve/sink_key", NULL), expected);
    ab_config_destroy (&config);
    assert_null (config);
    //  No config at all: every lookup is the default
    assert_string_equal (ab_config_get (NULL, "producer/work", "dflt"), "dflt");
}

//  Each broken line is reported with its own line number
static void
test_each_problem_has_its_line_number (void **state)
{
    fixture_t *self = *state;
    s_write (self,
        "producer\n"                                    //  1
        "    work = tcp://0.0.0.0\n"                    //  2 no port
        "    queue = many\n"                            //  3 not a number
        "    fsync = sometimes\n"                       //  4
        "    colour = blue\n"                           //  5 unknown key
        "  ack = tcp://127.0.0.1:5702\n"                //  6 indent
        "    cert = @/node.cert\n"                      //  7 public only
        "    queue = 5\n"                               //  8 (queue bad already, but set twice)
        "database\n"                                    //  9 unknown section
        "    size = 3\n"                                //  10 under unknown: not reported again
        "curve\n"                                       //  11
        "    allow = @/missing\n"                       //  12
        "    sink_key = \"@/node.cert\n"                //  13 unterminated quote
        "worker\n"                                      //  14
        "    credit = 0\n"                              //  15 not positive
        "    work tcp://127.0.0.1:5701\n"               //  16 no '='
        "\tresults = tcp://127.0.0.1:5703\n"            //  17 tab
        "    metrics = localhost\n");                   //  18 not HOST:PORT
    size_t count;
    zlistx_t *problems = s_check (self, &count);
    const char *expected [] = {
        ":2: producer/work", ":3: producer/queue", ":4: producer/fsync", ":5: unknown key 'colour'",
        ":6: indent", ":7: producer/cert", ":8: producer/queue is set twice (first on line 3)",
        ":9: unknown section 'database'", ":12: curve/allow", ":13: sink_key: unterminated",
        ":15: worker/credit", ":16: key 'work' needs '= value'", ":17: tab character",
        ":18: worker/metrics",
        //  after the line-by-line pass, settings that need each other
        ":7: producer/cert is set but worker/cert is not"
    };
    size_t expected_count = sizeof expected / sizeof expected [0];
    const char *problem = zlistx_first (problems);
    for (size_t index = 0; index < expected_count; index++) {
        assert_non_null (problem);
        if (!strstr (problem, expected [index]))
            fprintf (stderr, "expected '%s' in '%s'\n", expected [index], problem);
        assert_non_null (strstr (problem, expected [index]));
        assert_true (strncmp (problem, self->path, strlen (self->path)) == 0);
        problem = zlistx_next (problems);
    }
    assert_int_equal (count, expected_count);
    zlistx_destroy (&problems);

    //  Loading refuses the file and names the first problem
    char message [512] = "";
    ab_config_t *config = ab_config_load (self->path, message, sizeof message);
    assert_null (config);
    assert_non_null (strstr (message, ":2: producer/work"));
}

//  CURVE needs both ends: a key on one side without its partner is reported
//  on the line that turned CURVE on
static void
test_curve_settings_that_cannot_work_together (void **state)
{
    fixture_t *self = *state;
    s_write (self,
        "producer\n"                                    //  1
        "    cert = @/node.cert_secret\n"               //  2 no allow-list, workers keyless
        "worker\n"                                      //  3
        "    credit = 2\n"                              //  4
        "subscriber\n"                                  //  5
        "    cert = @/node.cert_secret\n");             //  6 no sink key
    size_t count;
    zlistx_t *problems = s_check (self, &count);
    const char *expected [] = {
        ":2: producer/cert is set but curve/allow is not",
        ":6: subscriber/cert is set but curve/sink_key is not",
        ":2: producer/cert is set but worker/cert is not"
    };
    assert_int_equal (count, 3);
    const char *problem = zlistx_first (problems);
    for (size_t index = 0; index < 3; index++, problem = zlistx_next (problems)) {
        if (!strstr (problem, expected [index]))
            fprintf (stderr, "expected '%s' in '%s'\n", expected [index], problem);
        assert_non_null (strstr (problem, expected [index]));
    }
    zlistx_destroy (&problems);
}

static void
test_missing_file_is_one_problem (void **state)
{
    fixture_t *self = *state;
    size_t count;
    zlistx_t *problems = s_check (self, &count);
    assert_int_equal (count, 1);
    assert_non_null (strstr (zlistx_first (problems), "allybrief.cfg"));
    zlistx_destroy (&problems);
}

//  Programs find --config in either spelling before parsing their flags
static void
test_config_option_is_found_in_argv (void **state)
{
    fixture_t *self = *state;
    s_write (self, "worker\n    credit = 9\n");
    char joined [600];
    snprintf (joined, sizeof joined, "--config=%s", self->path);
    char *separate [] = { "prog", "-q", "--config", self->path, "--credit", "2", NULL };
    char *together [] = { "prog", joined, NULL };
    char *absent [] = { "prog", "--credit", "2", NULL };
    char *dangling [] = { "prog", "--config", NULL };
    char message [256];
    ab_config_t *config = NULL;
    assert_int_equal (ab_config_from_args (6, separate, &config, message, sizeof message), 0);
    assert_int_equal (ab_config_number (config, "worker/credit", 4), 9);
    ab_config_destroy (&config);
    assert_int_equal (ab_config_from_args (2, together, &config, message, sizeof message), 0);
    assert_int_equal (ab_config_number (config, "worker/credit", 4), 9);
    ab_config_destroy (&config);
    assert_int_equal (ab_config_from_args (3, absent, &config, message, sizeof message), 0);
    assert_null (config);
    assert_int_equal (ab_config_from_args (2, dangling, &config, message, sizeof message), -1);
    assert_null (config);
}

static void
test_endpoint_public_or_loopback (void **state)
{
    assert_true (ab_security_endpoint_is_public ("tcp://0.0.0.0:5701"));
    assert_true (ab_security_endpoint_is_public ("tcp://*:5701"));
    assert_true (ab_security_endpoint_is_public ("tcp://10.1.2.3:5701"));
    assert_false (ab_security_endpoint_is_public ("tcp://127.0.0.1:5701"));
    assert_false (ab_security_endpoint_is_public ("tcp://localhost:5701"));
    assert_false (ab_security_endpoint_is_public ("tcp://[::1]:5701"));
    assert_false (ab_security_endpoint_is_public ("ipc:///tmp/x"));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_valid_file_loads_and_answers_lookups, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_each_problem_has_its_line_number, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_curve_settings_that_cannot_work_together, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_missing_file_is_one_problem, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_config_option_is_found_in_argv, s_setup, s_teardown),
        cmocka_unit_test (test_endpoint_public_or_loopback),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
