/*  =========================================================================
    allybrief-producer - takes articles in and streams them to workers

    Binds ROUTER on --work: workers (DEALER) send CREDIT and HEARTBEAT,
        receive ARTICLE.
    Binds PULL on --ack: the sink (PUSH) sends ACK once a result is durable.

    Every accepted article is journaled before it is sent and stays in the
    journal until its ACK, so a crash of any process loses nothing: on
    restart the journal is replayed and unacked articles are sent again.
    =========================================================================
*/
#include "ab_config.h"
#include "ab_deadletter.h"
#include "ab_dispatch.h"
#include "ab_journal.h"
#include "ab_log.h"
#include "ab_metrics.h"
#include "ab_number.h"
#include "ab_security.h"
#include "ab_source.h"

#include <getopt.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define MAX_SOURCES 32

static void
s_usage (FILE *out)
{
    fprintf (out,
"Usage: allybrief-producer [OPTIONS] [DIR...]\n"
"Read articles from directories of *.txt files, watched folders, RSS/Atom\n"
"feeds and/or JSON Lines on stdin, journal them, and stream them to\n"
"allybrief workers.  Folders and feeds are live: the producer runs until\n"
"SIGINT/SIGTERM.\n"
"\n"
"  DIR                    a directory of *.txt articles (optional Key: value\n"
"                         header, blank line, body; manifest.jsonl beside them)\n"
"      --stdin            also read JSON Lines articles from standard input\n"
"      --watch DIR        also read *.txt files written or renamed into DIR while\n"
"                         running, and those there at start (repeatable)\n"
"      --feeds FILE       also poll the RSS/Atom feeds listed in FILE, one a line:\n"
"                         URL INTERVAL [timeout=S] [max-bytes=N] [NAME]\n"
"      --feed-state PATH  SQLite file remembering feed items already taken in\n"
"                         and HTTP validators (default: JOURNAL-feeds.db)\n"
"      --config FILE      settings from FILE's producer and curve sections\n"
"                         (CURVE keys, endpoints, limits); flags override it\n"
"  -W, --work ENDPOINT    bind ROUTER for workers   (default tcp://127.0.0.1:5701)\n"
"  -A, --ack ENDPOINT     bind PULL for sink acks  (default tcp://127.0.0.1:5702)\n"
"  -j, --journal FILE     journal of unacked articles (default allybrief-producer.journal)\n"
"      --fsync POLICY     always | batch | never   (default batch: every 50 ms)\n"
"  -d, --dead-letter FILE refused articles as JSON Lines (default dead-letter.jsonl)\n"
"      --max-body BYTES   refuse larger articles   (default 4194304)\n"
"      --ack-timeout MS   resend unacked articles after MS (default 30000)\n"
"      --worker-timeout MS  a silent worker is dead after MS (default 5000)\n"
"      --max-attempts N   dead-letter an article after N deliveries (default 5)\n"
"      --queue N          articles held in memory ahead of credit (default 1000)\n"
"      --exit-when-done   exit once every input is read and every article acked\n"
"      --stats SECONDS    print counters every SECONDS (default 0: progress only);\n"
"                         SIGUSR1 prints them at any time\n"
"      --metrics ADDRESS  serve Prometheus metrics on HOST:PORT/metrics (default off)\n"
"  -q, --quiet            warnings and errors only\n"
"  -v, --verbose          debug output\n"
"  -h, --help             this help\n");
}

typedef struct {
    const char *work_endpoint;
    const char *ack_endpoint;
    const char *journal_path;
    const char *dead_letter_path;
    const char *feeds_path;
    const char *feed_state_path;
    ab_journal_fsync_t fsync;
    int64_t max_body;
    int64_t queue_limit;
    int64_t stats_seconds;
    const char *metrics_address;
    bool use_stdin;
    bool exit_when_done;
    ab_dispatch_options_t dispatch;
} options_t;

//  Parse argv into options; returns 0, 1 after --help, or 2 on bad usage
static int
s_parse_args (int argc, char *argv [], options_t *options, zlistx_t *dirs, zlistx_t *watched)
{
    static const struct option longopts [] = {
        { "stdin", no_argument, NULL, 'S' },
        { "watch", required_argument, NULL, 'D' },
        { "feeds", required_argument, NULL, 'f' },
        { "feed-state", required_argument, NULL, 'g' },
        { "config", required_argument, NULL, 'C' },
        { "work", required_argument, NULL, 'W' },
        { "ack", required_argument, NULL, 'A' },
        { "journal", required_argument, NULL, 'j' },
        { "fsync", required_argument, NULL, 'F' },
        { "dead-letter", required_argument, NULL, 'd' },
        { "max-body", required_argument, NULL, 'B' },
        { "ack-timeout", required_argument, NULL, 'T' },
        { "worker-timeout", required_argument, NULL, 'K' },
        { "max-attempts", required_argument, NULL, 'M' },
        { "queue", required_argument, NULL, 'Q' },
        { "exit-when-done", no_argument, NULL, 'X' },
        { "stats", required_argument, NULL, 's' },
        { "metrics", required_argument, NULL, 'm' },
        { "quiet", no_argument, NULL, 'q' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int opt;
    int64_t number;
    while ((opt = getopt_long (argc, argv, "W:A:j:d:qvh", longopts, NULL)) != -1) {
        switch (opt) {
            case 'S': options->use_stdin = true; break;
            case 'D': zlistx_add_end (watched, optarg); break;
            case 'f': options->feeds_path = optarg; break;
            case 'g': options->feed_state_path = optarg; break;
            case 'C': break;    //  read before the flags, by s_apply_config
            case 'W': options->work_endpoint = optarg; break;
            case 'A': options->ack_endpoint = optarg; break;
            case 'j': options->journal_path = optarg; break;
            case 'd': options->dead_letter_path = optarg; break;
            case 'X': options->exit_when_done = true; break;
            case 'm': options->metrics_address = optarg; break;
            case 'q': ab_log_init ("producer", AB_LOG_WARN); break;
            case 'v': ab_log_init ("producer", AB_LOG_DEBUG); break;
            case 'h': s_usage (stdout); return 1;
            case 'F':
                if (ab_journal_fsync_parse (optarg, &options->fsync) == 0)
                    break;
                ab_error ("--fsync: '%s' is not always, batch or never", optarg);
                return 2;
            default: {
                //  Every remaining option takes a positive whole number
                int64_t *targets [] = { &options->max_body, &options->dispatch.ack_timeout_ms,
                                        &options->dispatch.worker_timeout_ms, &number,
                                        &options->queue_limit, &options->stats_seconds };
                const char *letters = "BTKMQs";
                const char *found = opt > 0? strchr (letters, opt): NULL;
                if (!found) {
                    fprintf (stderr, "Try 'allybrief-producer --help'.\n");
                    return 2;
                }
                int64_t *target = targets [found - letters];
                if (!ab_number_parse (optarg, opt == 's'? 0: 1, INT64_MAX, target)) {
                    ab_error ("option needs a positive whole number, not '%s'", optarg);
                    return 2;
                }
                if (opt == 'M')
                    options->dispatch.max_attempts = (uint32_t) number;
            }
        }
    }
    for (int index = optind; index < argc; index++)
        zlistx_add_end (dirs, argv [index]);
    if (zlistx_size (dirs) + zlistx_size (watched) == 0 && !options->use_stdin && !options->feeds_path) {
        ab_error ("no input: give a directory of articles, --watch, --feeds or --stdin (see --help)");
        return 2;
    }
    return 0;
}

//  Settings from the configuration file, before flags override them
static void
s_apply_config (ab_config_t *config, options_t *options)
{
    options->work_endpoint = ab_config_get (config, "producer/work", options->work_endpoint);
    options->ack_endpoint = ab_config_get (config, "producer/ack", options->ack_endpoint);
    options->journal_path = ab_config_get (config, "producer/journal", options->journal_path);
    options->dead_letter_path = ab_config_get (config, "producer/dead_letter", options->dead_letter_path);
    options->max_body = ab_config_number (config, "producer/max_body", options->max_body);
    options->queue_limit = ab_config_number (config, "producer/queue", options->queue_limit);
    options->metrics_address = ab_config_get (config, "producer/metrics", options->metrics_address);
    ab_dispatch_options_t *dispatch = &options->dispatch;
    dispatch->ack_timeout_ms = ab_config_number (config, "producer/ack_timeout", dispatch->ack_timeout_ms);
    dispatch->worker_timeout_ms = ab_config_number (config, "producer/worker_timeout",
                                                    dispatch->worker_timeout_ms);
    dispatch->max_attempts = (uint32_t) ab_config_number (config, "producer/max_attempts",
                                                          dispatch->max_attempts);
    //  The value was checked when the file was loaded
    const char *fsync = ab_config_get (config, "producer/fsync", NULL);
    if (fsync)
        ab_journal_fsync_parse (fsync, &options->fsync);
}

static void
s_print_progress (ab_dispatch_t *dispatch, ab_deadletter_t *dead, ab_source_t **sources,
                  size_t source_count, bool full)
{
    const ab_dispatch_stats_t *stats = ab_dispatch_stats (dispatch);
    ab_info ("in %llu, sent %llu, acked %llu, queued %zu, in flight %zu, workers %zu, dead-lettered %llu",
             (unsigned long long) stats->accepted, (unsigned long long) stats->sent,
             (unsigned long long) stats->acked, ab_dispatch_queued (dispatch),
             ab_dispatch_in_flight (dispatch), ab_dispatch_workers (dispatch),
             (unsigned long long) ab_deadletter_total (dead));
    if (!full)
        return;
    for (size_t index = 0; index < source_count; index++)
        if (sources [index]) {
            ab_info ("  source %s: %llu articles", sources [index]->name,
                     (unsigned long long) sources [index]->articles);
            ab_source_report (sources [index]);
        }
    ab_info ("  redelivered %llu, duplicates %llu, late acks %llu, malformed %llu, "
             "workers lost %llu, given up %llu",
             (unsigned long long) stats->redelivered, (unsigned long long) stats->duplicates,
             (unsigned long long) stats->late_acks, (unsigned long long) stats->malformed,
             (unsigned long long) stats->workers_lost, (unsigned long long) stats->given_up);
    char latency [96];
    ab_info ("  received to acked: %s", ab_histogram_format (&stats->ack_latency, latency, sizeof latency));
}

static void
s_metric_dead_letters (void *metrics, const char *reason, uint64_t count)
{
    ab_metrics_labeled_counter (metrics, "articles_dead_lettered", "Articles refused, by reason", "reason",
                                reason, count);
}

static void
s_render_metrics (ab_metrics_t *metrics, ab_dispatch_t *dispatch, ab_deadletter_t *dead)
{
    const ab_dispatch_stats_t *stats = ab_dispatch_stats (dispatch);
    ab_metrics_begin (metrics);
    ab_metrics_counter (metrics, "articles_in", "Articles accepted from every source", stats->accepted);
    ab_metrics_counter (metrics, "articles_sent", "ARTICLE messages sent, redeliveries included", stats->sent);
    ab_metrics_counter (metrics, "articles_redelivered", "Sends after the first", stats->redelivered);
    ab_metrics_counter (metrics, "articles_acked", "Articles the sink acknowledged as durable", stats->acked);
    ab_metrics_counter (metrics, "articles_duplicate", "Articles added again while pending", stats->duplicates);
    ab_metrics_counter (metrics, "articles_given_up", "Articles past the delivery limit", stats->given_up);
    ab_deadletter_each (dead, s_metric_dead_letters, metrics);
    ab_metrics_counter (metrics, "acks_late", "ACKs for articles not pending here", stats->late_acks);
    ab_metrics_counter (metrics, "frames_malformed", "Malformed frames from workers, dropped", stats->malformed);
    ab_metrics_counter (metrics, "workers_lost", "Workers declared dead after silence", stats->workers_lost);
    ab_metrics_gauge (metrics, "queue_depth", "Articles waiting for credit", (double) ab_dispatch_queued (dispatch));
    ab_metrics_gauge (metrics, "in_flight", "Articles sent and not yet acked",
                      (double) ab_dispatch_in_flight (dispatch));
    ab_metrics_gauge (metrics, "workers", "Workers connected", (double) ab_dispatch_workers (dispatch));
    ab_metrics_histogram (metrics, "ack_latency", "Time from receipt to the sink's ACK", &stats->ack_latency);
    ab_metrics_commit (metrics);
}

int
main (int argc, char *argv [])
{
    ab_log_init ("producer", AB_LOG_INFO);
    options_t options = {
        .work_endpoint = "tcp://127.0.0.1:5701",
        .ack_endpoint = "tcp://127.0.0.1:5702",
        .journal_path = "allybrief-producer.journal",
        .dead_letter_path = "dead-letter.jsonl",
        .fsync = AB_JOURNAL_FSYNC_BATCH,
        .max_body = 4 * 1024 * 1024,
        .queue_limit = 1000,
        .dispatch = { .ack_timeout_ms = 30000, .worker_timeout_ms = 5000, .max_attempts = 5 }
    };
    char message [256] = "";
    ab_config_t *config = NULL;
    if (ab_config_from_args (argc, argv, &config, message, sizeof message) != 0) {
        ab_error ("%s", message);
        return 2;
    }
    s_apply_config (config, &options);
    zlistx_t *dirs = zlistx_new ();
    zlistx_t *watched = zlistx_new ();
    int rc = s_parse_args (argc, argv, &options, dirs, watched);
    if (rc) {
        zlistx_destroy (&dirs);
        zlistx_destroy (&watched);
        ab_config_destroy (&config);
        return rc == 1? 0: 2;
    }
    //  SIGUSR1 asks for the full counters.  It is blocked before czmq
    //  starts its threads and read from a signalfd in the poll loop, so no
    //  handler and no global flag are needed.
    sigset_t usr1;
    sigemptyset (&usr1);
    sigaddset (&usr1, SIGUSR1);
    pthread_sigmask (SIG_BLOCK, &usr1, NULL);
    int stats_signal_fd = signalfd (-1, &usr1, SFD_NONBLOCK | SFD_CLOEXEC);
    zsys_init ();
    zsys_set_logstream (NULL);

    ab_source_t *sources [MAX_SOURCES] = { NULL };
    size_t source_count = 0;
    for (const char *dir = zlistx_first (dirs); dir && rc == 0; dir = zlistx_next (dirs)) {
        if (source_count == MAX_SOURCES - 1) {
            ab_error ("too many inputs (at most %d)", MAX_SOURCES - 1);
            rc = 2;
            break;
        }
        sources [source_count] = ab_source_dir_new (dir, (size_t) options.max_body, message, sizeof message);
        if (!sources [source_count++]) {
            ab_error ("%s", message);
            rc = 2;
        }
    }
    for (const char *dir = zlistx_first (watched); dir && rc == 0; dir = zlistx_next (watched)) {
        if (source_count == MAX_SOURCES - 1) {
            ab_error ("too many inputs (at most %d)", MAX_SOURCES - 1);
            rc = 2;
            break;
        }
        sources [source_count] = ab_source_watch_new (dir, (size_t) options.max_body, message, sizeof message);
        if (!sources [source_count++]) {
            ab_error ("%s", message);
            rc = 2;
        }
    }
    if (rc == 0 && options.feeds_path) {
        char *state_path = options.feed_state_path? strdup (options.feed_state_path):
                           zsys_sprintf ("%s-feeds.db", options.journal_path);
        sources [source_count] = ab_source_feeds_new (options.feeds_path, state_path,
                                                      (size_t) options.max_body, message, sizeof message);
        zstr_free (&state_path);
        if (!sources [source_count++]) {
            ab_error ("%s", message);
            rc = 2;
        }
    }
    if (rc == 0 && options.use_stdin) {
        sources [source_count] = ab_source_jsonl_new (STDIN_FILENO, "stdin", (size_t) options.max_body,
                                                      message, sizeof message);
        if (!sources [source_count++]) {
            ab_error ("%s", message);
            rc = 2;
        }
    }
    ab_deadletter_t *dead = rc? NULL: ab_deadletter_new (options.dead_letter_path, message, sizeof message);
    if (rc == 0 && !dead) {
        ab_error ("%s", message);
        rc = 2;
    }
    zlistx_t *replayed = zlistx_new ();
    ab_journal_t *journal = rc? NULL:
        ab_journal_open (options.journal_path, options.fsync, replayed, message, sizeof message);
    if (rc == 0 && !journal) {
        ab_error ("%s", message);
        rc = 2;
    }
    ab_security_t *security = rc? NULL:
        ab_security_new (ab_config_get (config, "producer/cert", NULL),
                         ab_config_get (config, "curve/allow", NULL), message, sizeof message);
    if (rc == 0 && !security) {
        ab_error ("%s", message);
        rc = 2;
    }
    zsock_t *router = zsock_new (ZMQ_ROUTER);
    zsock_t *acks = zsock_new (ZMQ_PULL);
    if (rc == 0) {
        //  Unroutable sends fail instead of vanishing, so a worker that
        //  left is noticed at once and its article requeued.
        zsock_set_router_mandatory (router, 1);
        if (ab_security_bind (security, router, options.work_endpoint, "--work") != 0
        ||  ab_security_bind (security, acks, options.ack_endpoint, "--ack") != 0)
            rc = 2;
    }
    ab_dispatch_t *dispatch = rc? NULL: ab_dispatch_new (router, journal, &options.dispatch);
    ab_metrics_t *metrics = rc? NULL: ab_metrics_start ("producer", options.metrics_address,
                                                        message, sizeof message);
    if (rc == 0 && !metrics) {
        ab_error ("%s", message);
        rc = 2;
    }
    if (rc == 0) {
        if (zlistx_size (replayed))
            ab_info ("journal: %zu unacked articles from the last run will be sent again",
                     zlistx_size (replayed));
        for (ab_article_t *article = zlistx_first (replayed); article; article = zlistx_next (replayed))
            ab_dispatch_add (dispatch, &article, false);
        ab_info ("workers on %s, acks on %s%s", options.work_endpoint, options.ack_endpoint,
                 ab_security_enabled (security)? " (CURVE)": "");
    }
    zlistx_destroy (&replayed);

    zlistx_t *given_up = zlistx_new ();
    int64_t next_progress = ab_mono_ms () + 1000;
    int64_t next_stats = options.stats_seconds? ab_mono_ms () + options.stats_seconds * 1000: INT64_MAX;
    int64_t next_sync = ab_mono_ms () + 50;
    uint64_t last_progress = UINT64_MAX;
    while (rc == 0 && !zsys_interrupted) {
        //  Pull from the sources while the queue has room
        bool more_now = false;
        bool sources_open = false;
        for (size_t index = 0; index < source_count; index++) {
            while (sources [index] && ab_dispatch_queued (dispatch) < (size_t) options.queue_limit) {
                ab_article_t *article = NULL;
                ab_source_status_t status = ab_source_next (sources [index], &article, dead);
                if (status == AB_SOURCE_ARTICLE)
                    ab_dispatch_add (dispatch, &article, true);
                else {
                    if (status == AB_SOURCE_DONE) {
                        ab_info ("%s: done, %llu articles", sources [index]->name,
                                 (unsigned long long) sources [index]->articles);
                        ab_source_destroy (&sources [index]);
                    }
                    break;
                }
            }
            if (sources [index]) {
                sources_open = true;
                if (ab_dispatch_queued (dispatch) < (size_t) options.queue_limit
                &&  ab_source_fd (sources [index]) < 0)
                    more_now = true;
            }
        }
        ab_dispatch_pump (dispatch, given_up);
        for (ab_article_t *article = zlistx_first (given_up); article; article = zlistx_next (given_up)) {
            ab_deadletter_add (dead, article->origin, article->source, "gave_up",
                               "no ack after the maximum number of deliveries",
                               article->body, article->body_size);
            ab_article_destroy (&article);
        }
        zlistx_purge (given_up);
        if (options.exit_when_done && !sources_open
        &&  ab_dispatch_queued (dispatch) == 0 && ab_dispatch_in_flight (dispatch) == 0)
            break;

        zmq_pollitem_t items [3 + MAX_SOURCES];
        size_t item_count = 0;
        items [item_count++] = (zmq_pollitem_t) { zsock_resolve (router), 0, ZMQ_POLLIN, 0 };
        items [item_count++] = (zmq_pollitem_t) { zsock_resolve (acks), 0, ZMQ_POLLIN, 0 };
        items [item_count++] = (zmq_pollitem_t) { NULL, stats_signal_fd, stats_signal_fd >= 0? ZMQ_POLLIN: 0, 0 };
        if (ab_dispatch_queued (dispatch) < (size_t) options.queue_limit)
            for (size_t index = 0; index < source_count; index++)
                if (sources [index] && ab_source_fd (sources [index]) >= 0)
                    items [item_count++] = (zmq_pollitem_t) { NULL, ab_source_fd (sources [index]), ZMQ_POLLIN, 0 };
        if (zmq_poll (items, (int) item_count, more_now? 0: 100) < 0 && zmq_errno () != EINTR)
            break;
        if (items [0].revents & ZMQ_POLLIN) {
            zmsg_t *msg = zmsg_recv (router);
            if (msg)
                ab_dispatch_on_worker (dispatch, &msg);
        }
        while (zsock_events (acks) & ZMQ_POLLIN) {
            zmsg_t *msg = zmsg_recv (acks);
            if (!msg)
                break;
            ab_proto_error_t error;
            ab_ack_t *ack = ab_ack_decode (msg, &error);
            if (ack)
                ab_dispatch_on_ack (dispatch, ack->article_id);
            else
                ab_warn ("sink: bad ACK dropped: %s", error.message);
            ab_ack_destroy (&ack);
            zmsg_destroy (&msg);
        }
        if (items [2].revents & ZMQ_POLLIN) {
            struct signalfd_siginfo info;
            while (read (stats_signal_fd, &info, sizeof info) == sizeof info)
                s_print_progress (dispatch, dead, sources, source_count, true);
        }
        int64_t now = ab_mono_ms ();
        if (now >= next_sync) {
            ab_journal_sync (journal);
            next_sync = now + 50;
        }
        if (now >= next_progress) {
            if (ab_metrics_active (metrics))
                s_render_metrics (metrics, dispatch, dead);
            //  A line only when something moved, so an idle producer is quiet
            const ab_dispatch_stats_t *stats = ab_dispatch_stats (dispatch);
            uint64_t progress = stats->accepted + stats->sent + stats->acked
                              + ab_deadletter_total (dead) + ab_dispatch_workers (dispatch);
            if (progress != last_progress)
                s_print_progress (dispatch, dead, sources, source_count, false);
            last_progress = progress;
            next_progress = now + 1000;
        }
        if (now >= next_stats) {
            s_print_progress (dispatch, dead, sources, source_count, true);
            next_stats = now + options.stats_seconds * 1000;
        }
    }
    if (dispatch) {
        s_print_progress (dispatch, dead, sources, source_count, true);
        if (ab_dispatch_queued (dispatch) + ab_dispatch_in_flight (dispatch))
            ab_info ("%zu articles not yet acked stay in the journal for the next run",
                     ab_dispatch_queued (dispatch) + ab_dispatch_in_flight (dispatch));
    }
    zlistx_destroy (&given_up);
    ab_metrics_destroy (&metrics);
    ab_dispatch_destroy (&dispatch);
    for (size_t index = 0; index < source_count; index++)
        ab_source_destroy (&sources [index]);
    zsock_destroy (&router);
    zsock_destroy (&acks);
    if (ab_security_denied (security))
        ab_info ("refused %llu peers without an allowed key",
                 (unsigned long long) ab_security_denied (security));
    ab_security_destroy (&security);
    ab_config_destroy (&config);
    ab_journal_destroy (&journal);
    ab_deadletter_destroy (&dead);
    zlistx_destroy (&dirs);
    zlistx_destroy (&watched);
    if (stats_signal_fd >= 0)
        close (stats_signal_fd);
    return rc;
}
