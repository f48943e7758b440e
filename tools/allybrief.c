/*  =========================================================================
    allybrief - the launcher: one command runs the whole pipeline locally

    `allybrief run DIR...` starts a sink, N workers and a producer on ipc://
    endpoints in a private temporary directory, waits until the producer
    has every article acknowledged by the sink, then stops the workers and
    the sink cleanly (SIGTERM; the sink writes the final briefing on its
    way out) and says where the briefing is.  SIGINT/SIGTERM to the
    launcher stop everything the same way.
    =========================================================================
*/
#include "ab_config.h"
#include "ab_file.h"
#include "ab_log.h"
#include "ab_paths.h"
#include "ab_security.h"

#include <czmq.h>
#include <getopt.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MAX_WORKERS 64

static void
s_usage (FILE *out)
{
    fprintf (out,
"Usage: allybrief run [OPTIONS] DIR...\n"
"       allybrief run [OPTIONS] --stdin [DIR...]\n"
"       allybrief keygen NAME [DIR]    write a CURVE key pair: DIR/NAME.cert (public)\n"
"                                      and DIR/NAME.cert_secret (default DIR: .)\n"
"       allybrief config check FILE    validate a configuration file\n"
"Run the whole allybrief pipeline on this machine: a sink, N workers and a\n"
"producer over ipc://, until every article has reached the briefing.\n"
"\n"
"  -w, --workers N     worker processes (default: number of cores)\n"
"  -o, --out DIR       where briefing.md, briefing.json, state and logs go\n"
"                      (default allybrief-out)\n"
"      --stdin         also read JSON Lines articles from standard input\n"
"      --fresh         discard state from an earlier run in DIR first\n"
"  -r, --rules DIR     worker rule files (default: built-in location)\n"
"      --print-claims  workers print each article's claims by type\n"
"  -q, --quiet         only warnings and the result\n"
"  -h, --help          this help\n"
"\n"
"Programs: allybrief-producer, allybrief-worker, allybrief-sink, allybrief-sub;\n"
"each has --help.\n");
}

static pid_t
s_spawn (const char *exe_dir, const char *program, char **args)
{
    char path [4096];
    snprintf (path, sizeof path, "%s/%s", exe_dir, program);
    args [0] = path;
    pid_t pid;
    int rc = posix_spawn (&pid, path, NULL, NULL, args, environ);
    if (rc != 0) {
        ab_error ("cannot start %s: %s", path, strerror (rc));
        return -1;
    }
    return pid;
}

//  Stop a child with SIGTERM and wait; SIGKILL after timeout_ms
static int
s_stop (pid_t pid, int timeout_ms)
{
    if (pid <= 0)
        return 0;
    kill (pid, SIGTERM);
    int status = 0;
    for (int waited = 0; waited < timeout_ms; waited += 20) {
        if (waitpid (pid, &status, WNOHANG) == pid)
            return WIFEXITED (status)? WEXITSTATUS (status): 128 + WTERMSIG (status);
        usleep (20 * 1000);
    }
    ab_warn ("process %d did not stop in %d ms: killing it", (int) pid, timeout_ms);
    kill (pid, SIGKILL);
    waitpid (pid, &status, 0);
    return 137;
}

static int
s_run (int argc, char *argv [])
{
    long workers = sysconf (_SC_NPROCESSORS_ONLN);
    const char *out_dir = "allybrief-out";
    const char *rules = NULL;
    bool use_stdin = false, fresh = false, print_claims = false, quiet = false;
    static const struct option longopts [] = {
        { "workers", required_argument, NULL, 'w' },
        { "out", required_argument, NULL, 'o' },
        { "stdin", no_argument, NULL, 'S' },
        { "fresh", no_argument, NULL, 'F' },
        { "rules", required_argument, NULL, 'r' },
        { "print-claims", no_argument, NULL, 'P' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int opt;
    while ((opt = getopt_long (argc, argv, "w:o:r:qh", longopts, NULL)) != -1) {
        char *end;
        switch (opt) {
            case 'w':
                workers = strtol (optarg, &end, 10);
                if (!*optarg || *end || workers < 1 || workers > MAX_WORKERS) {
                    ab_error ("--workers needs a number from 1 to %d, not '%s'", MAX_WORKERS, optarg);
                    return 2;
                }
                break;
            case 'o': out_dir = optarg; break;
            case 'S': use_stdin = true; break;
            case 'F': fresh = true; break;
            case 'r': rules = optarg; break;
            case 'P': print_claims = true; break;
            case 'q': quiet = true; break;
            case 'h': s_usage (stdout); return 0;
            default:
                fprintf (stderr, "Try 'allybrief run --help'.\n");
                return 2;
        }
    }
    if (optind >= argc && !use_stdin) {
        ab_error ("run: give a directory of articles (or --stdin); see 'allybrief run --help'");
        return 2;
    }
    for (int index = optind; index < argc; index++) {
        struct stat st;
        if (stat (argv [index], &st) != 0 || !S_ISDIR (st.st_mode)) {
            ab_error ("run: %s is not a directory", argv [index]);
            return 2;
        }
    }
    if (rules) {
        struct stat st;
        if (stat (rules, &st) != 0 || !S_ISDIR (st.st_mode)) {
            ab_error ("run: rules directory %s does not exist", rules);
            return 2;
        }
    }
    char *state_dir = zsys_sprintf ("%s/state", out_dir);
    if (ab_file_mkdirs (state_dir) != 0) {
        ab_error ("run: cannot create %s: %s", state_dir, strerror (errno));
        zstr_free (&state_dir);
        return 2;
    }
    char *db = zsys_sprintf ("%s/sink.db", state_dir);
    char *journal = zsys_sprintf ("%s/producer.journal", state_dir);
    char *dead = zsys_sprintf ("%s/dead-letter.jsonl", out_dir);
    if (fresh) {
        const char *suffixes [] = { "", "-wal", "-shm" };
        for (int index = 0; index < 3; index++) {
            char *path = zsys_sprintf ("%s%s", db, suffixes [index]);
            unlink (path);
            zstr_free (&path);
        }
        unlink (journal);
        unlink (dead);
    }
    //  ipc:// paths must be short (108 bytes), so they live in /tmp
    char run_dir [] = "/tmp/allybrief-XXXXXX";
    if (!mkdtemp (run_dir)) {
        ab_error ("run: cannot create a run directory: %s", strerror (errno));
        return 2;
    }
    char *work = zsys_sprintf ("ipc://%s/work", run_dir);
    char *ack = zsys_sprintf ("ipc://%s/ack", run_dir);
    char *results = zsys_sprintf ("ipc://%s/results", run_dir);
    char *pub = zsys_sprintf ("ipc://%s/pub", run_dir);
    char *snapshot = zsys_sprintf ("ipc://%s/snapshot", run_dir);
    char *exe_dir = ab_paths_exe_dir ();
    char *rules_dir = ab_paths_rules_dir (rules);
    char *quiet_flag = quiet? "-q": "--stats=0";

    char *sink_args [] = { NULL, "--results", results, "--pub", pub, "--snapshot", snapshot,
                           "--ack", ack, "--out", (char *) out_dir, "--state", db, quiet_flag, NULL };
    pid_t sink = s_spawn (exe_dir, "allybrief-sink", sink_args);
    pid_t worker_pids [MAX_WORKERS] = { 0 };
    for (long index = 0; index < workers && sink > 0; index++) {
        char name [32];
        snprintf (name, sizeof name, "worker-%ld", index + 1);
        char *worker_args [] = { NULL, "--work", work, "--results", results, "--rules", rules_dir,
                                 "--name", name, print_claims? "--print-claims": "-q", NULL };
        worker_pids [index] = s_spawn (exe_dir, "allybrief-worker", worker_args);
    }
    char *producer_args [64] = { NULL, "--work", work, "--ack", ack, "--journal", journal,
                                 "--dead-letter", dead, "--exit-when-done", quiet_flag };
    int producer_argc = 11;
    if (use_stdin)
        producer_args [producer_argc++] = "--stdin";
    for (int index = optind; index < argc && producer_argc < 62; index++)
        producer_args [producer_argc++] = argv [index];
    producer_args [producer_argc] = NULL;
    pid_t producer = sink > 0? s_spawn (exe_dir, "allybrief-producer", producer_args): -1;

    //  Wait for the producer (it exits when every article is acked), or
    //  for an interrupt, or for the sink to die under us
    int rc = producer > 0? 0: 1;
    while (rc == 0) {
        int status;
        pid_t done = waitpid (-1, &status, 0);
        if (done < 0 && errno == EINTR) {
            if (zsys_interrupted) {
                ab_warn ("interrupted: stopping the pipeline");
                rc = 130;
            }
            continue;
        }
        if (done == producer) {
            producer = 0;
            rc = WIFEXITED (status) && WEXITSTATUS (status) == 0? 0: 1;
            if (rc)
                ab_error ("the producer failed (status %d)", status);
            break;
        }
        if (done == sink) {
            sink = 0;
            ab_error ("the sink stopped unexpectedly (status %d)", status);
            rc = 1;
        }
        long alive = 0;
        for (long index = 0; index < workers; index++) {
            if (done == worker_pids [index]) {
                ab_warn ("worker %ld stopped (status %d)", index + 1, status);
                worker_pids [index] = 0;
            }
            alive += worker_pids [index] > 0;
        }
        //  Without workers nothing more can reach the briefing: say so
        //  rather than wait forever (the journal keeps the articles)
        if (alive == 0 && rc == 0) {
            ab_error ("every worker has stopped; see the errors above");
            rc = 1;
        }
    }
    s_stop (producer, 10000);
    for (long index = 0; index < workers; index++)
        s_stop (worker_pids [index], 10000);
    if (s_stop (sink, 20000) != 0 && rc == 0)
        rc = 1;
    if (rc == 0)
        printf ("briefing: %s/briefing.md\n          %s/briefing.json\n", out_dir, out_dir);
    const char *names [] = { "work", "ack", "results", "pub", "snapshot" };
    for (int index = 0; index < 5; index++) {
        char *path = zsys_sprintf ("%s/%s", run_dir, names [index]);
        unlink (path);
        zstr_free (&path);
    }
    rmdir (run_dir);
    zstr_free (&work); zstr_free (&ack); zstr_free (&results); zstr_free (&pub); zstr_free (&snapshot);
    zstr_free (&state_dir); zstr_free (&db); zstr_free (&journal); zstr_free (&dead);
    free (exe_dir);
    free (rules_dir);
    return rc;
}

static int
s_keygen (int argc, char *argv [])
{
    if (argc >= 2 && (streq (argv [1], "-h") || streq (argv [1], "--help"))) {
        printf ("Usage: allybrief keygen NAME [DIR]\n"
                "Write a CURVE key pair for one process or machine: DIR/NAME.cert is the\n"
                "public half (copy it into peers' allow-list directories, or name it as\n"
                "curve/producer_key or curve/sink_key); DIR/NAME.cert_secret stays on\n"
                "this machine (the 'cert' key of the program's config section).\n");
        return 0;
    }
    if (argc < 2 || argc > 3) {
        ab_error ("keygen: give a NAME (and optionally a DIR); see 'allybrief keygen --help'");
        return 2;
    }
    const char *dir = argc == 3? argv [2]: ".";
    char message [512];
    if (ab_security_keygen (dir, argv [1], message, sizeof message) != 0) {
        ab_error ("keygen: %s", message);
        return 1;
    }
    printf ("public key: %s/%s.cert\nsecret key: %s/%s.cert_secret\n", dir, argv [1], dir, argv [1]);
    return 0;
}

static int
s_config (int argc, char *argv [])
{
    if (argc >= 2 && (streq (argv [1], "-h") || streq (argv [1], "--help"))) {
        printf ("Usage: allybrief config check FILE\n"
                "Check a configuration file (see deploy/allybrief.cfg): every problem is\n"
                "printed as FILE:LINE: message.  Exit 0 if the file is good, 1 if not.\n");
        return 0;
    }
    if (argc != 3 || !streq (argv [1], "check")) {
        ab_error ("config: use 'allybrief config check FILE'");
        return 2;
    }
    zlistx_t *problems = zlistx_new ();
    zlistx_set_destructor (problems, (zlistx_destructor_fn *) zstr_free);
    size_t count = ab_config_check (argv [2], problems);
    for (const char *problem = zlistx_first (problems); problem; problem = zlistx_next (problems))
        fprintf (stderr, "%s\n", problem);
    if (count)
        fprintf (stderr, "%s: %zu problem%s\n", argv [2], count, count == 1? "": "s");
    else
        printf ("%s: ok\n", argv [2]);
    zlistx_destroy (&problems);
    return count? 1: 0;
}

int
main (int argc, char *argv [])
{
    ab_log_init ("allybrief", AB_LOG_INFO);
    if (argc < 2 || streq (argv [1], "-h") || streq (argv [1], "--help") || streq (argv [1], "help")) {
        s_usage (argc < 2? stderr: stdout);
        return argc < 2? 2: 0;
    }
    //  Catch SIGINT/SIGTERM (sets zsys_interrupted) without the rest of
    //  czmq's start-up, so waitpid returns EINTR and we stop the children
    zsys_catch_interrupts ();
    if (streq (argv [1], "run"))
        return s_run (argc - 1, argv + 1);
    if (streq (argv [1], "keygen"))
        return s_keygen (argc - 1, argv + 1);
    if (streq (argv [1], "config"))
        return s_config (argc - 1, argv + 1);
    ab_error ("unknown command '%s'; see 'allybrief --help'", argv [1]);
    return 2;
}
