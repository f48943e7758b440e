/*  =========================================================================
    allybrief-worker - normalizes articles and extracts alliance claims

    Connects DEALER to the producer (--work): sends CREDIT n to ask for up
        to n articles and one CREDIT 1 per article finished, HEARTBEAT every
        second; receives ARTICLE and HEARTBEAT.
    Connects PUSH to the sink (--results): sends RESULT.

    Stateless apart from its loaded rules, so any number may run on any
    machine.  If the producer falls silent the worker reconnects with a new
    identity and asks for work again (zguide Paranoid Pirate), which is how
    a restarted producer learns about it.
    =========================================================================
*/
#include "ab_config.h"
#include "ab_extract.h"
#include "ab_log.h"
#include "ab_metrics.h"
#include "ab_normalize.h"
#include "ab_paths.h"
#include "ab_security.h"

#include <getopt.h>
#include <unistd.h>

typedef struct {
    const char *work_endpoint;
    const char *results_endpoint;
    const char *rules_dir;
    const char *name;
    int64_t credit;
    int64_t producer_timeout_ms;
    int64_t stats_seconds;
    const char *metrics_address;
    bool print_claims;
    ab_security_t *security;        //  CURVE keys, or plain sockets
    const char *producer_key;       //  producer's public certificate
    const char *sink_key;           //  sink's public certificate
} options_t;

static void
s_usage (FILE *out)
{
    fprintf (out,
"Usage: allybrief-worker [OPTIONS]\n"
"Take articles from an allybrief producer, normalize them, extract alliance\n"
"claims and send the results to the sink.  Run as many as you like.\n"
"\n"
"      --config FILE        settings from FILE's worker and curve sections\n"
"                           (CURVE keys, endpoints, credit); flags override it\n"
"  -W, --work ENDPOINT      producer's worker endpoint (default tcp://127.0.0.1:5701)\n"
"  -R, --results ENDPOINT   sink's result endpoint     (default tcp://127.0.0.1:5703)\n"
"  -r, --rules DIR          rule files (default: installed or source-tree workers/rules)\n"
"  -c, --credit N           articles held at once      (default 4)\n"
"  -n, --name NAME          worker name in logs        (default worker-PID)\n"
"      --producer-timeout MS  reconnect if the producer is silent this long (default 5000)\n"
"      --stats SECONDS      print counters every SECONDS\n"
"      --print-claims       print each article's claims by type on stderr\n"
"      --metrics ADDRESS    serve Prometheus metrics on HOST:PORT/metrics (default off)\n"
"  -q, --quiet / -v, --verbose / -h, --help\n");
}

typedef struct {
    uint64_t articles;
    uint64_t claims;
    uint64_t bytes;
    uint64_t malformed;
    uint64_t homoglyphs;
    uint64_t invalid_utf8;
    uint64_t reconnects;
    zhashx_t *claims_by_type;       //  type -> count (as a pointer-sized integer)
    ab_histogram_t process_time;    //  ARTICLE in -> RESULT sent
} worker_stats_t;

static zsock_t *
s_connect_producer (const options_t *options)
{
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    zsock_set_linger (dealer, 0);
    if (ab_security_connect (options->security, dealer, options->work_endpoint,
                             options->producer_key, "--work") != 0) {
        zsock_destroy (&dealer);
        return NULL;
    }
    ab_credit_t credit = { (uint32_t) options->credit, (char *) options->name };
    zmsg_t *msg = ab_credit_encode (&credit);
    zmsg_send (&msg, dealer);
    return dealer;
}

//  Print "type: count" for an article's claims, so a person can see what
//  came out of each article
static void
s_print_claims (const ab_result_t *result)
{
    zhashx_t *counts = zhashx_new ();
    for (uint32_t index = 0; index < result->claim_count; index++) {
        const char *type = result->claims [index].type;
        size_t count = (size_t) zhashx_lookup (counts, type);
        zhashx_update (counts, type, (void *) (count + 1));
    }
    char line [1024] = "";
    size_t used = 0;
    for (void *count = zhashx_first (counts); count && used < sizeof line; count = zhashx_next (counts))
        used += (size_t) snprintf (line + used, sizeof line - used, " %s=%zu",
                                   (const char *) zhashx_cursor (counts), (size_t) count);
    ab_info ("article %s (%s): %u claims:%s", result->article_id, result->origin,
             result->claim_count, line);
    zhashx_destroy (&counts);
}

static void
s_render_metrics (ab_metrics_t *metrics, worker_stats_t *stats)
{
    ab_metrics_begin (metrics);
    ab_metrics_counter (metrics, "articles", "Articles processed", stats->articles);
    ab_metrics_counter (metrics, "bytes", "Article bytes processed", stats->bytes);
    ab_metrics_counter (metrics, "claims", "Claims extracted", stats->claims);
    for (void *count = zhashx_first (stats->claims_by_type); count;
         count = zhashx_next (stats->claims_by_type))
        ab_metrics_labeled_counter (metrics, "claims_by_type", "Claims extracted, by type", "type",
                                    (const char *) zhashx_cursor (stats->claims_by_type), (size_t) count);
    ab_metrics_counter (metrics, "homoglyphs_repaired", "Confusable letters repaired to Latin",
                        stats->homoglyphs);
    ab_metrics_counter (metrics, "invalid_utf8", "Invalid UTF-8 sequences replaced", stats->invalid_utf8);
    ab_metrics_counter (metrics, "frames_malformed", "Malformed frames from the producer, dropped",
                        stats->malformed);
    ab_metrics_counter (metrics, "reconnects", "Reconnections after producer silence", stats->reconnects);
    ab_metrics_histogram (metrics, "process_time", "Time to normalize, extract and send one article",
                          &stats->process_time);
    ab_metrics_commit (metrics);
}

static void
s_process (const options_t *options, const ab_normalizer_t *normalizer, const ab_extractor_t *extractor,
           ab_doc_t *doc, zmsg_t *msg, zsock_t *results, worker_stats_t *stats)
{
    ab_proto_error_t error;
    ab_article_t *article = ab_article_decode (msg, &error);
    if (!article) {
        stats->malformed++;
        ab_warn ("producer: bad ARTICLE dropped: %s", error.message);
        return;
    }
    ab_result_t *result = ab_result_new ();
    ab_result_set_article (result, article);
    ab_article_set (&result->worker, options->name);
    if (ab_normalize (normalizer, article->body, article->body_size, doc) == 0) {
        result->fingerprint = doc->fingerprint;
        result->invalid_utf8 = doc->invalid_utf8;
        result->homoglyphs = doc->homoglyphs;
        result->boilerplate = doc->boilerplate;
        result->sentences = doc->sentence_count;
        result->text_size = (uint32_t) doc->size;
        if (ab_extract (extractor, doc, article->published, result) < 0)
            ab_error ("article %s: extraction ran out of memory", article->id);
    }
    else
        ab_error ("article %s: normalization ran out of memory", article->id);
    if (options->print_claims)
        s_print_claims (result);
    stats->articles++;
    stats->claims += result->claim_count;
    for (uint32_t index = 0; index < result->claim_count; index++) {
        const char *type = result->claims [index].type;
        size_t count = (size_t) zhashx_lookup (stats->claims_by_type, type);
        zhashx_update (stats->claims_by_type, type, (void *) (count + 1));
    }
    stats->bytes += article->body_size;
    stats->homoglyphs += result->homoglyphs;
    stats->invalid_utf8 += result->invalid_utf8;
    zmsg_t *out = ab_result_encode (result);
    if (out && zmsg_send (&out, results) != 0)
        zmsg_destroy (&out);
    ab_result_destroy (&result);
    ab_article_destroy (&article);
}

int
main (int argc, char *argv [])
{
    ab_log_init ("worker", AB_LOG_INFO);
    char default_name [64];
    snprintf (default_name, sizeof default_name, "worker-%ld", (long) getpid ());
    options_t options = {
        .work_endpoint = "tcp://127.0.0.1:5701",
        .results_endpoint = "tcp://127.0.0.1:5703",
        .name = default_name,
        .credit = 4,
        .producer_timeout_ms = 5000,
    };
    char message [512] = "";
    ab_config_t *config = NULL;
    if (ab_config_from_args (argc, argv, &config, message, sizeof message) != 0) {
        ab_error ("%s", message);
        return 2;
    }
    options.work_endpoint = ab_config_get (config, "worker/work", options.work_endpoint);
    options.results_endpoint = ab_config_get (config, "worker/results", options.results_endpoint);
    options.rules_dir = ab_config_get (config, "worker/rules", options.rules_dir);
    options.credit = ab_config_number (config, "worker/credit", options.credit);
    options.producer_timeout_ms = ab_config_number (config, "worker/producer_timeout",
                                                    options.producer_timeout_ms);
    options.metrics_address = ab_config_get (config, "worker/metrics", options.metrics_address);
    options.producer_key = ab_config_get (config, "curve/producer_key", NULL);
    options.sink_key = ab_config_get (config, "curve/sink_key", NULL);
    static const struct option longopts [] = {
        { "config", required_argument, NULL, 'C' },
        { "work", required_argument, NULL, 'W' },
        { "results", required_argument, NULL, 'R' },
        { "rules", required_argument, NULL, 'r' },
        { "credit", required_argument, NULL, 'c' },
        { "name", required_argument, NULL, 'n' },
        { "producer-timeout", required_argument, NULL, 'T' },
        { "stats", required_argument, NULL, 's' },
        { "metrics", required_argument, NULL, 'm' },
        { "print-claims", no_argument, NULL, 'P' },
        { "quiet", no_argument, NULL, 'q' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int opt;
    while ((opt = getopt_long (argc, argv, "W:R:r:c:n:qvh", longopts, NULL)) != -1) {
        char *end = NULL;
        switch (opt) {
            case 'C': break;    //  already read, before the flags
            case 'W': options.work_endpoint = optarg; break;
            case 'R': options.results_endpoint = optarg; break;
            case 'r': options.rules_dir = optarg; break;
            case 'm': options.metrics_address = optarg; break;
            case 'n': options.name = optarg; break;
            case 'P': options.print_claims = true; break;
            case 'q': ab_log_init ("worker", AB_LOG_WARN); break;
            case 'v': ab_log_init ("worker", AB_LOG_DEBUG); break;
            case 'h': s_usage (stdout); ab_config_destroy (&config); return 0;
            case 'c': case 'T': case 's': {
                long long value = strtoll (optarg, &end, 10);
                if (!*optarg || *end || value < (opt == 's'? 0: 1) || value > 1000000000) {
                    ab_error ("option -%c needs a positive whole number, not '%s'", opt, optarg);
                    ab_config_destroy (&config);
                    return 2;
                }
                *(opt == 'c'? &options.credit: opt == 'T'? &options.producer_timeout_ms:
                  &options.stats_seconds) = value;
                break;
            }
            default:
                fprintf (stderr, "Try 'allybrief-worker --help'.\n");
                ab_config_destroy (&config);
                return 2;
        }
    }
    if (optind < argc) {
        ab_error ("unexpected argument '%s' (see --help)", argv [optind]);
        ab_config_destroy (&config);
        return 2;
    }
    zsys_init ();
    zsys_set_logstream (NULL);

    char *rules_dir = ab_paths_rules_dir (options.rules_dir);
    ab_normalizer_t *normalizer = ab_normalizer_new (rules_dir, message, sizeof message);
    ab_extractor_t *extractor = normalizer? ab_extractor_new (rules_dir, message, sizeof message): NULL;
    free (rules_dir);
    options.security = extractor? ab_security_new (ab_config_get (config, "worker/cert", NULL), NULL,
                                                   message, sizeof message): NULL;
    if (!options.security) {
        ab_error ("%s", message);
        ab_extractor_destroy (&extractor);
        ab_normalizer_destroy (&normalizer);
        ab_config_destroy (&config);
        return 2;
    }
    zsock_t *results = zsock_new (ZMQ_PUSH);
    //  Results still queued at shutdown get a few seconds to reach the
    //  sink; the producer resends anything that never did.
    zsock_set_linger (results, 5000);
    zsock_t *dealer = NULL;
    int rc = 0;
    if (ab_security_connect (options.security, results, options.results_endpoint,
                             options.sink_key, "--results") != 0)
        rc = 2;
    else
    if (!(dealer = s_connect_producer (&options)))
        rc = 2;
    if (rc == 0)
        ab_info ("%s: work from %s, results to %s, credit %lld%s", options.name,
                 options.work_endpoint, options.results_endpoint, (long long) options.credit,
                 ab_security_enabled (options.security)? " (CURVE)": "");

    ab_doc_t *doc = ab_doc_new ();
    worker_stats_t stats = { .claims_by_type = zhashx_new () };
    ab_metrics_t *metrics = rc? NULL: ab_metrics_start ("worker", options.metrics_address,
                                                        message, sizeof message);
    if (rc == 0 && !metrics) {
        ab_error ("%s", message);
        rc = 2;
    }

    int64_t now = ab_mono_ms ();
    int64_t last_heard = now;
    int64_t next_heartbeat = now + 1000;
    int64_t next_metrics = now;
    int64_t next_stats = options.stats_seconds? now + options.stats_seconds * 1000: INT64_MAX;
    int64_t busy_ms = 0;
    while (rc == 0 && !zsys_interrupted) {
        zmq_pollitem_t item = { zsock_resolve (dealer), 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 250) < 0 && zmq_errno () != EINTR)
            break;
        now = ab_mono_ms ();
        while (zsock_events (dealer) & ZMQ_POLLIN) {
            zmsg_t *msg = zmsg_recv (dealer);
            if (!msg)
                break;
            last_heard = now;
            ab_cmd_t command = ab_msg_command (msg);
            if (command == AB_CMD_ARTICLE) {
                int64_t started_us = zclock_usecs ();
                s_process (&options, normalizer, extractor, doc, msg, results, &stats);
                int64_t took_us = zclock_usecs () - started_us;
                busy_ms += took_us / 1000;
                ab_histogram_observe (&stats.process_time, took_us > 0? (uint64_t) took_us: 0);
                ab_credit_t credit = { 1, (char *) options.name };
                zmsg_t *reply = ab_credit_encode (&credit);
                zmsg_send (&reply, dealer);
            }
            else
            if (command == AB_CMD_ERROR) {
                //  A restarted producer does not know our credit: tell it
                ab_info ("producer asked for our credit: announcing %lld", (long long) options.credit);
                ab_credit_t credit = { (uint32_t) options.credit, (char *) options.name };
                zmsg_t *reply = ab_credit_encode (&credit);
                zmsg_send (&reply, dealer);
            }
            else
            if (command != AB_CMD_HEARTBEAT) {
                stats.malformed++;
                ab_warn ("producer: unexpected message dropped");
            }
            zmsg_destroy (&msg);
        }
        now = ab_mono_ms ();
        if (now - last_heard > options.producer_timeout_ms) {
            ab_warn ("producer silent for %lld ms: reconnecting", (long long) (now - last_heard));
            zsock_destroy (&dealer);
            dealer = s_connect_producer (&options);
            if (!dealer)
                rc = 2;
            stats.reconnects++;
            last_heard = now;
        }
        if (now >= next_heartbeat && dealer) {
            ab_heartbeat_t beat = { .seq = 0, .sent_ms = ab_wall_ms () };
            zmsg_t *msg = ab_heartbeat_encode (&beat);
            if (zmsg_send (&msg, dealer) != 0)
                zmsg_destroy (&msg);
            next_heartbeat = now + 1000;
        }
        if (now >= next_metrics) {
            if (ab_metrics_active (metrics))
                s_render_metrics (metrics, &stats);
            next_metrics = now + 1000;
        }
        if (now >= next_stats) {
            char latency [96];
            ab_info ("articles %llu, claims %llu, %.1f MB, busy %lld ms, homoglyphs %llu, "
                     "invalid utf8 %llu, malformed %llu, reconnects %llu, per article %s",
                     (unsigned long long) stats.articles, (unsigned long long) stats.claims,
                     stats.bytes / 1e6, (long long) busy_ms, (unsigned long long) stats.homoglyphs,
                     (unsigned long long) stats.invalid_utf8, (unsigned long long) stats.malformed,
                     (unsigned long long) stats.reconnects,
                     ab_histogram_format (&stats.process_time, latency, sizeof latency));
            next_stats = now + options.stats_seconds * 1000;
        }
    }
    ab_info ("%s: stopping after %llu articles, %llu claims", options.name,
             (unsigned long long) stats.articles, (unsigned long long) stats.claims);
    ab_metrics_destroy (&metrics);
    zhashx_destroy (&stats.claims_by_type);
    ab_doc_destroy (&doc);
    zsock_destroy (&dealer);
    zsock_destroy (&results);
    ab_security_destroy (&options.security);
    ab_config_destroy (&config);
    ab_extractor_destroy (&extractor);
    ab_normalizer_destroy (&normalizer);
    return rc;
}
