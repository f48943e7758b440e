/*  =========================================================================
    allybrief-sub - follow the briefing live from a terminal

    Connects SUB to the sink's --pub and DEALER to its --snapshot (the
    Clone pattern, see tools/lib/ab_clone.h): prints the state once, then
    every change as it happens, conflicts first and marked.
    =========================================================================
*/
#include "ab_clone.h"
#include "ab_config.h"
#include "ab_file.h"
#include "ab_log.h"
#include "ab_render.h"

#include <getopt.h>

typedef enum { FORMAT_LINE, FORMAT_MD, FORMAT_JSON } format_t;

static void
s_usage (FILE *out)
{
    fprintf (out,
"Usage: allybrief-sub [OPTIONS]\n"
"Follow the allybrief briefing live: a snapshot, then every change.\n"
"\n"
"      --config FILE        settings from FILE's subscriber and curve sections\n"
"                           (CURVE keys, endpoints); flags override it\n"
"  -P, --pub ENDPOINT       sink's update endpoint   (default tcp://127.0.0.1:5704)\n"
"  -S, --snapshot ENDPOINT  sink's snapshot endpoint (default tcp://127.0.0.1:5705)\n"
"  -f, --format FORMAT      line | md | json         (default line)\n"
"  -t, --type TYPE          follow only claim types starting with TYPE\n"
"      --once               print the current briefing and exit\n"
"      --dump FILE          on exit, write the state as briefing JSON to FILE\n"
"      --exit-after-seq N   exit once the state reaches sequence N\n"
"      --idle-exit SECONDS  exit after SECONDS without any change\n"
"      --rcvhwm N           receive high-water mark (testing: small values drop deltas)\n"
"  -q, --quiet              print nothing but errors (with --dump)\n"
"  -h, --help               this help\n");
}

static void
s_print_state (ab_clone_t *clone, format_t format)
{
    json_t *document = ab_clone_document (clone);
    if (format == FORMAT_JSON) {
        char *text = json_dumps (document, JSON_COMPACT | JSON_SORT_KEYS);
        printf ("%s\n", text? text: "{}");
        free (text);
    }
    else
    if (format == FORMAT_MD) {
        char *text = ab_render_markdown (document);
        printf ("%s\n", text? text: "");
        free (text);
    }
    else {
        json_t *summary = json_object_get (document, "summary");
        printf ("SNAPSHOT seq=%llu articles=%lld items=%lld conflicts=%lld\n",
                (unsigned long long) ab_clone_seq (clone),
                json_integer_value (json_object_get (summary, "articles")),
                json_integer_value (json_object_get (summary, "items")),
                json_integer_value (json_object_get (summary, "conflicts")));
        json_t *item;
        size_t index;
        json_array_foreach (json_object_get (document, "items"), index, item) {
            char *line = ab_render_item_line (item);
            printf ("  %s\n", line? line: "?");
            free (line);
        }
    }
    json_decref (document);
    fflush (stdout);
}

static void
s_print_delta (const ab_delta_t *delta, format_t format)
{
    if (format == FORMAT_JSON) {
        json_t *event = json_pack ("{s:I, s:I, s:s, s:s, s:s, s:O?}", "seq", (json_int_t) delta->seq,
                                   "topic_seq", (json_int_t) delta->topic_seq, "op", delta->op,
                                   "topic", delta->topic, "key", delta->key, "item", delta->item);
        char *text = event? json_dumps (event, JSON_COMPACT | JSON_SORT_KEYS): NULL;
        printf ("%s\n", text? text: "{}");
        free (text);
        json_decref (event);
    }
    else {
        char *line = delta->item? ab_render_item_line (delta->item): NULL;
        printf ("#%llu %s %s\n", (unsigned long long) delta->seq, delta->op, line? line: delta->key);
        free (line);
    }
    fflush (stdout);
}

int
main (int argc, char *argv [])
{
    ab_log_init ("sub", AB_LOG_INFO);
    //  NULL until a flag sets them, so the config file fills in the rest
    const char *pub = NULL;
    const char *snapshot = NULL;
    const char *topic = "";
    const char *dump = NULL;
    format_t format = FORMAT_LINE;
    bool once = false, quiet = false;
    long long exit_after_seq = -1, idle_exit = 0, rcvhwm = 0;
    static const struct option longopts [] = {
        { "config", required_argument, NULL, 'C' },
        { "pub", required_argument, NULL, 'P' },
        { "snapshot", required_argument, NULL, 'S' },
        { "format", required_argument, NULL, 'f' },
        { "type", required_argument, NULL, 't' },
        { "once", no_argument, NULL, 'O' },
        { "dump", required_argument, NULL, 'D' },
        { "exit-after-seq", required_argument, NULL, 'E' },
        { "idle-exit", required_argument, NULL, 'I' },
        { "rcvhwm", required_argument, NULL, 'H' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int opt;
    while ((opt = getopt_long (argc, argv, "P:S:f:t:qh", longopts, NULL)) != -1) {
        char *end;
        switch (opt) {
            case 'C': break;    //  read below by ab_config_from_args
            case 'P': pub = optarg; break;
            case 'S': snapshot = optarg; break;
            case 't': topic = optarg; break;
            case 'O': once = true; break;
            case 'D': dump = optarg; break;
            case 'q': quiet = true; break;
            case 'h': s_usage (stdout); return 0;
            case 'f':
                if (streq (optarg, "line")) format = FORMAT_LINE;
                else if (streq (optarg, "md")) format = FORMAT_MD;
                else if (streq (optarg, "json")) format = FORMAT_JSON;
                else {
                    ab_error ("--format must be line, md or json, not '%s'", optarg);
                    return 2;
                }
                break;
            case 'E': case 'I': case 'H': {
                long long value = strtoll (optarg, &end, 10);
                if (!*optarg || *end || value < 0) {
                    ab_error ("option needs a whole number, not '%s'", optarg);
                    return 2;
                }
                *(opt == 'E'? &exit_after_seq: opt == 'I'? &idle_exit: &rcvhwm) = value;
                break;
            }
            default:
                fprintf (stderr, "Try 'allybrief-sub --help'.\n");
                return 2;
        }
    }
    if (optind < argc) {
        ab_error ("unexpected argument '%s' (see --help)", argv [optind]);
        return 2;
    }
    char message [512];
    ab_config_t *config = NULL;
    if (ab_config_from_args (argc, argv, &config, message, sizeof message) != 0) {
        ab_error ("%s", message);
        return 2;
    }
    pub = pub? pub: ab_config_get (config, "subscriber/pub", "tcp://127.0.0.1:5704");
    snapshot = snapshot? snapshot: ab_config_get (config, "subscriber/snapshot", "tcp://127.0.0.1:5705");
    zsys_init ();
    zsys_set_logstream (NULL);
    ab_security_t *security = ab_security_new (ab_config_get (config, "subscriber/cert", NULL), NULL,
                                               message, sizeof message);
    ab_clone_t *clone = security?
        ab_clone_new_secure (pub, snapshot, topic, (int) rcvhwm, security,
                             ab_config_get (config, "curve/sink_key", NULL), message, sizeof message): NULL;
    if (!clone) {
        ab_error ("%s", message);
        ab_security_destroy (&security);
        ab_config_destroy (&config);
        return 2;
    }
    int rc = 0;
    int64_t last_change = ab_mono_ms ();
    int64_t stale_warned = 0;
    while (!zsys_interrupted) {
        ab_clone_event_t event;
        ab_clone_event_kind_t kind = ab_clone_next (clone, 500, &event);
        int64_t now = ab_mono_ms ();
        if (kind == AB_CLONE_SNAPSHOT) {
            if (!quiet)
                s_print_state (clone, format);
            last_change = now;
            if (once)
                break;
        }
        else
        if (kind == AB_CLONE_DELTA) {
            if (!quiet) {
                if (format == FORMAT_MD)
                    s_print_state (clone, format);
                else
                    s_print_delta (event.delta, format);
            }
            last_change = now;
        }
        else
        if (kind == AB_CLONE_ERROR) {
            ab_warn ("no snapshot from %s yet; retrying", snapshot);
            if (once) {
                rc = 1;
                break;
            }
        }
        if (exit_after_seq >= 0 && ab_clone_seq (clone) >= (uint64_t) exit_after_seq)
            break;
        if (idle_exit && now - last_change > idle_exit * 1000)
            break;
        if (now - ab_clone_last_heard (clone) > 5000 && now - stale_warned > 5000) {
            ab_warn ("nothing from the sink for %lld s: state is stale",
                     (long long) (now - ab_clone_last_heard (clone)) / 1000);
            stale_warned = now;
        }
    }
    if (dump) {
        json_t *document = ab_clone_document (clone);
        const ab_clone_stats_t *stats = ab_clone_stats (clone);
        json_object_set_new (document, "client", json_pack ("{s:I, s:I, s:I, s:I}",
            "deltas", (json_int_t) stats->deltas, "gaps", (json_int_t) stats->gaps,
            "snapshots", (json_int_t) stats->snapshots, "stale", (json_int_t) stats->stale));
        char *text = json_dumps (document, JSON_INDENT (2) | JSON_SORT_KEYS);
        char error [256];
        if (!text || ab_file_write_atomic (dump, text, strlen (text), error, sizeof error) != 0) {
            ab_error ("cannot write %s", dump);
            rc = 1;
        }
        free (text);
        json_decref (document);
    }
    ab_clone_destroy (&clone);
    ab_security_destroy (&security);
    ab_config_destroy (&config);
    return rc;
}
