/*  =========================================================================
    allybrief - the launcher: one command runs the whole pipeline locally

    `allybrief run DIR...` starts a sink, N workers and a producer on ipc://
    endpoints in a private temporary directory, waits until the producer
    has every article acknowledged by the sink, then stops the workers and
    the sink cleanly (SIGTERM; the sink writes the final briefing on its
    way out) and says where the briefing is.  SIGINT/SIGTERM to the
    launcher stop everything the same way.  With --web it also starts
    allybrief-web on the pub/snapshot endpoints, and keeps the sink and the
    page up after the articles are in, until interrupted.
    =========================================================================
*/
#include "ab_config.h"
#include "ab_file.h"
#include "ab_log.h"
#include "ab_paths.h"
#include "ab_security.h"

#include <czmq.h>
#include <getopt.h>
#include <jansson.h>
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
"       allybrief run [OPTIONS] [--feeds FILE] [--watch DIR] [--stdin] [DIR...]\n"
"       allybrief keygen NAME [DIR]    write a CURVE key pair: DIR/NAME.cert (public)\n"
"                                      and DIR/NAME.cert_secret (default DIR: .)\n"
"       allybrief config check FILE    validate a configuration file\n"
"Run the whole allybrief pipeline on this machine: a sink, N workers and a\n"
"producer over ipc://, until every article has reached the briefing.  With\n"
"live inputs (--feeds, --watch) it runs until SIGINT/SIGTERM or --duration.\n"
"\n"
"  -w, --workers N     worker processes (default: number of cores)\n"
"  -o, --out DIR       where briefing.md, briefing.json, state and logs go\n"
"                      (default allybrief-out)\n"
"      --stdin         also read JSON Lines articles from standard input\n"
"      --feeds FILE    also poll the RSS/Atom feeds listed in FILE (format:\n"
"                      allybrief-producer --help, deploy/feeds.example)\n"
"      --watch DIR     also take *.txt files written into DIR (repeatable)\n"
"      --feed-state F  feed items already seen (default OUT/state/feeds.db)\n"
"      --duration S    with live inputs, stop after S seconds\n"
"      --fresh         discard state from an earlier run in DIR first\n"
"  -r, --rules DIR     worker rule files (default: built-in location)\n"
"      --print-claims  workers print each article's claims by type\n"
"      --web HOST:PORT also serve the live briefing page there (allybrief-web),\n"
"                      and keep the sink and the page up after the articles are\n"
"                      in, until interrupted\n"
"  -q, --quiet         only warnings and the result\n"
"  -h, --help          this help\n"
"\n"
"Programs: allybrief-producer, allybrief-worker, allybrief-sink, allybrief-sub,\n"
"allybrief-web;\n"
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

//  What came out, from the briefing's own summary: articles, items and
//  the claims of each type (per article, workers print them with
//  --print-claims)
static void
s_print_totals (const char *out_dir)
{
    char *path = zsys_sprintf ("%s/briefing.json", out_dir);
    json_error_t error;
    json_t *briefing = path? json_load_file (path, 0, &error): NULL;
    json_t *summary = json_object_get (briefing, "summary");
    if (!summary) {
        ab_warn ("cannot read the totals from %s", path? path: out_dir);
        json_decref (briefing);
        zstr_free (&path);
        return;
    }
    printf ("articles: %lld (%lld independent), items: %lld, conflicts: %lld, claims: %lld\n",
            json_integer_value (json_object_get (summary, "articles")),
            json_integer_value (json_object_get (summary, "independent_articles")),
            json_integer_value (json_object_get (summary, "items")),
            json_integer_value (json_object_get (summary, "conflicts")),
            json_integer_value (json_object_get (summary, "claims")));
    const char *type;
    json_t *count;
    json_object_foreach (json_object_get (summary, "claims_by_type"), type, count)
        printf ("  %-24s %6lld\n", type, json_integer_value (count));
    json_decref (briefing);
    zstr_free (&path);
}

static int
s_run (int argc, char *argv [])
{
    long workers = sysconf (_SC_NPROCESSORS_ONLN);
    const char *out_dir = "allybrief-out";
    const char *rules = NULL;
    const char *web = NULL;
    bool use_stdin = false, fresh = false, print_claims = false, quiet = false;
    const char *feeds = NULL;
    const char *feed_state = NULL;
    const char *watched [16];
    int watch_count = 0;
    long duration_s = 0;
    static const struct option longopts [] = {
        { "workers", required_argument, NULL, 'w' },
        { "out", required_argument, NULL, 'o' },
        { "stdin", no_argument, NULL, 'S' },
        { "feeds", required_argument, NULL, 'f' },
        { "watch", required_argument, NULL, 'D' },
        { "feed-state", required_argument, NULL, 'g' },
        { "duration", required_argument, NULL, 'U' },
        { "fresh", no_argument, NULL, 'F' },
        { "rules", required_argument, NULL, 'r' },
        { "print-claims", no_argument, NULL, 'P' },
        { "web", required_argument, NULL, 'W' },
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
            case 'f': feeds = optarg; break;
            case 'g': feed_state = optarg; break;
            case 'D':
                if (watch_count == 16) {
                    ab_error ("--watch: at most 16 folders");
                    return 2;
                }
                watched [watch_count++] = optarg;
                break;
            case 'U':
                duration_s = strtol (optarg, &end, 10);
                if (!*optarg || *end || duration_s < 1) {
                    ab_error ("--duration needs a positive number of seconds, not '%s'", optarg);
                    return 2;
                }
                break;
            case 'F': fresh = true; break;
            case 'r': rules = optarg; break;
            case 'P': print_claims = true; break;
            case 'W': web = optarg; break;
            case 'q': quiet = true; break;
            case 'h': s_usage (stdout); return 0;
            default:
                fprintf (stderr, "Try 'allybrief run --help'.\n");
                return 2;
        }
    }
    bool live = feeds || watch_count;
    if (optind >= argc && !use_stdin && !live) {
        ab_error ("run: give a directory of articles (or --stdin, --feeds, --watch); see 'allybrief run --help'");
        return 2;
    }
    if (duration_s && !live) {
        ab_error ("run: --duration is for live inputs (--feeds, --watch)");
        return 2;
    }
    for (int index = 0; index < watch_count; index++) {
        struct stat st;
        if (stat (watched [index], &st) != 0 || !S_ISDIR (st.st_mode)) {
            ab_error ("run: --watch %s is not a directory", watched [index]);
            return 2;
        }
    }
    if (feeds && access (feeds, R_OK) != 0) {
        ab_error ("run: cannot read feeds file %s: %s", feeds, strerror (errno));
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
    char *feed_db = feed_state? strdup (feed_state): zsys_sprintf ("%s/feeds.db", state_dir);
    if (fresh) {
        const char *suffixes [] = { "", "-wal", "-shm" };
        for (int index = 0; index < 3; index++) {
            char *path = zsys_sprintf ("%s%s", db, suffixes [index]);
            unlink (path);
            zstr_free (&path);
            path = zsys_sprintf ("%s%s", feed_db, suffixes [index]);
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
    pid_t web_pid = 0;
    if (web && sink > 0) {
        char *web_args [] = { NULL, "--pub", pub, "--snapshot", snapshot, "--listen", (char *) web,
                              quiet? "-q": NULL, NULL };
        web_pid = s_spawn (exe_dir, "allybrief-web", web_args);
    }
    pid_t worker_pids [MAX_WORKERS] = { 0 };
    for (long index = 0; index < workers && sink > 0; index++) {
        char name [32];
        snprintf (name, sizeof name, "worker-%ld", index + 1);
        char *worker_args [] = { NULL, "--work", work, "--results", results, "--rules", rules_dir,
                                 "--name", name, print_claims? "--print-claims": "-q", NULL };
        worker_pids [index] = s_spawn (exe_dir, "allybrief-worker", worker_args);
    }
    char *producer_args [96] = { NULL, "--work", work, "--ack", ack, "--journal", journal,
                                 "--dead-letter", dead, quiet_flag };
    int producer_argc = 10;
    //  A live input is never done: the producer runs until stopped
    if (!live)
        producer_args [producer_argc++] = "--exit-when-done";
    if (use_stdin)
        producer_args [producer_argc++] = "--stdin";
    if (feeds) {
        producer_args [producer_argc++] = "--feeds";
        producer_args [producer_argc++] = (char *) feeds;
        producer_args [producer_argc++] = "--feed-state";
        producer_args [producer_argc++] = feed_db;
    }
    for (int index = 0; index < watch_count; index++) {
        producer_args [producer_argc++] = "--watch";
        producer_args [producer_argc++] = (char *) watched [index];
    }
    for (int index = optind; index < argc && producer_argc < 62; index++)
        producer_args [producer_argc++] = argv [index];
    producer_args [producer_argc] = NULL;
    pid_t producer = sink > 0 && web_pid >= 0? s_spawn (exe_dir, "allybrief-producer", producer_args): -1;

    //  Wait for the producer (it exits when every article is acked), or
    //  for an interrupt, or for the sink to die under us
    int rc = producer > 0? 0: 1;
    int64_t deadline = duration_s? ab_mono_ms () + duration_s * 1000: INT64_MAX;
    while (rc == 0) {
        int status;
        //  Live runs check the clock and interrupts between short waits
        pid_t done = waitpid (-1, &status, live? WNOHANG: 0);
        if (live && (done == 0 || (done < 0 && errno == EINTR))) {
            if (zsys_interrupted || ab_mono_ms () >= deadline) {
                ab_info ("%s: stopping the pipeline", zsys_interrupted? "interrupted": "duration reached");
                break;
            }
            usleep (50 * 1000);
            continue;
        }
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
        if (done == web_pid) {
            web_pid = 0;
            ab_error ("allybrief-web stopped (status %d): is %s free?", status, web);
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
    //  With --web the page is the point: keep it (and the sink behind it)
    //  up until interrupted, or until one of them stops
    if (rc == 0 && web_pid > 0) {
        //  The articles are in: workers would only wait for a producer
        for (long index = 0; index < workers; index++) {
            s_stop (worker_pids [index], 10000);
            worker_pids [index] = 0;
        }
        printf ("briefing: %s/briefing.md\nlive page: http://%s/ (Ctrl-C to stop)\n", out_dir, web);
        fflush (stdout);
        while (!zsys_interrupted) {
            int status;
            pid_t done = waitpid (-1, &status, 0);
            if (done < 0 && errno != EINTR)
                break;
            if (done == web_pid || done == sink) {
                ab_error ("%s stopped (status %d)", done == sink? "the sink": "allybrief-web", status);
                *(done == sink? &sink: &web_pid) = 0;
                rc = 1;
                break;
            }
        }
    }
    s_stop (producer, 10000);
    if (s_stop (web_pid, 10000) != 0 && rc == 0)
        rc = 1;
    for (long index = 0; index < workers; index++)
        s_stop (worker_pids [index], 10000);
    if (s_stop (sink, 20000) != 0 && rc == 0)
        rc = 1;
    if (rc == 0) {
        s_print_totals (out_dir);
        printf ("briefing: %s/briefing.md\n          %s/briefing.json\n", out_dir, out_dir);
    }
    const char *names [] = { "work", "ack", "results", "pub", "snapshot" };
    for (int index = 0; index < 5; index++) {
        char *path = zsys_sprintf ("%s/%s", run_dir, names [index]);
        unlink (path);
        zstr_free (&path);
    }
    rmdir (run_dir);
    zstr_free (&work); zstr_free (&ack); zstr_free (&results); zstr_free (&pub); zstr_free (&snapshot);
    zstr_free (&state_dir); zstr_free (&db); zstr_free (&journal); zstr_free (&dead);
    zstr_free (&feed_db);
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
