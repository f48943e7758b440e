/*  =========================================================================
    ab_testutil - real processes, temp directories and files for tests

    Integration tests start the real programs.  Every process started here
    is remembered in an ab_procs_t and killed by ab_procs_destroy, which the
    tests call from their cmocka teardown, so a failing assertion never
    leaves a process behind.
    =========================================================================
*/
#ifndef AB_TESTUTIL_H_INCLUDED
#define AB_TESTUTIL_H_INCLUDED

#include "ab_msg.h"

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

typedef struct ab_procs_t ab_procs_t;

ab_procs_t *ab_procs_new (void);
//  SIGKILL and reap every process still running, then free.
void ab_procs_destroy (ab_procs_t **self_p);

//  Start bin_dir/program (or program itself if it is an absolute path,
//  e.g. a helper script) with args (NULL-terminated, without argv[0]);
//  stdout and stderr go to log_path (appended), stdin from stdin_path or
//  /dev/null.  Returns the pid, or -1.
pid_t ab_procs_start (ab_procs_t *self, const char *program, const char *const *args,
                      const char *log_path, const char *stdin_path);
//  Wait up to timeout_ms for pid to exit; returns its exit status (0-255,
//  128+signal) or -1 on timeout (the process keeps running).
int ab_procs_wait (ab_procs_t *self, pid_t pid, int timeout_ms);
//  SIGTERM then wait (SIGKILL after timeout_ms); returns the exit status.
int ab_procs_stop (ab_procs_t *self, pid_t pid, int timeout_ms);
//  SIGKILL and reap.
void ab_procs_kill (ab_procs_t *self, pid_t pid);

//  An integration test's world: its processes, a temp directory, one log
//  for every process, and ipc:// endpoints inside the directory for
//  work, ack, results, pub and snapshot (in that order).
typedef struct {
    ab_procs_t *procs;
    char *dir;
    char *log;
    char endpoints [5][256];
    //  Where a run in dir keeps its files: the sink's output directory and
    //  state, the producer's journal and its dead letters
    char out [512];
    char state_db [512];
    char journal [512];
    char dead_letter [512];
} ab_fixture_t;

//  Create the fixture (temp dir and all); destroy kills every process
//  still running and removes the directory.
ab_fixture_t *ab_fixture_new (void);
void ab_fixture_destroy (ab_fixture_t **self_p);
//  The same as cmocka setup/teardown functions (state is ab_fixture_t *).
int ab_fixture_setup (void **state);
int ab_fixture_teardown (void **state);

//  Run the pipeline in the fixture: sink, `workers` workers (at most
//  AB_FIXTURE_MAX_WORKERS) and a producer on input (a directory) or, when
//  stdin_path is set, on JSON Lines from that file; waits for the producer
//  to finish, stops the rest.  Returns the parsed briefing.json (caller
//  owns), or NULL after printing the log if any process failed.
#define AB_FIXTURE_MAX_WORKERS 8
json_t *ab_fixture_run_pipeline (ab_fixture_t *self, const char *input, const char *stdin_path,
                                 int workers);

//  A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0
//  and closed), or -1.
int ab_test_free_port (void);

//  A claim's key as "type{a=1,b=2}" (slots in the claim's order) and its
//  values as "x=1,y=2", into out (cut short at outlen).
void ab_test_claim_key (const ab_claim_t *claim, char *out, size_t outlen);
void ab_test_claim_values (const ab_claim_t *claim, char *out, size_t outlen);
//  Print result's claims to stderr, one a line: key, values, hedge,
//  attribution and rule (what a failing extraction test shows)
void ab_test_dump_claims (const ab_result_t *result);

//  Directory with the programs: $AB_BIN or build/debug/bin.
const char *ab_test_bin_dir (void);
//  The seeds directory (../shared/seeds from the repo root) or NULL.
const char *ab_test_seeds_dir (void);
//  Make a fresh temporary directory (caller frees the path).
char *ab_test_tempdir (void);
//  rm -rf path.
void ab_test_rmtree (const char *path);
//  Load a JSON file; NULL if missing or invalid.
json_t *ab_test_load_json (const char *path);
//  The items of a briefing-shaped JSON file (briefing.json, or an
//  allybrief-sub --dump) as one canonical string (caller frees), NULL if
//  the file is missing or invalid.
char *ab_test_items_text (const char *path);
//  Copy a text file; false if either side cannot be opened.
bool ab_test_copy_file (const char *from, const char *to);
//  Read a whole text file (caller frees) or NULL.
char *ab_test_read (const char *path);
//  Print the last lines of a log file to stderr (for failing tests).
void ab_test_show_log (const char *path);

#endif
