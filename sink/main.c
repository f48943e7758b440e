/*  =========================================================================
    allybrief-sink - merges results into the running briefing

    Binds PULL on --results: workers (PUSH) send RESULT.
    Binds PUB on --pub: DELTA per changed item, HEARTBEAT with the latest
        sequence every second (so a subscriber can tell quiet from dead).
    Binds ROUTER on --snapshot: answers SNAPSHOT requests with the whole
        state and the sequence it corresponds to (zguide Clone pattern).
    Connects PUSH to --ack: sends ACK to the producer once a result is
        durable in the store.

    Results are handled in batches: merge, store and commit, then publish
    the batch's deltas and ack its articles.  Publishing or acking before
    the commit could announce state a crash would take back.
    =========================================================================
*/
#include "ab_briefing.h"
#include "ab_config.h"
#include "ab_file.h"
#include "ab_log.h"
#include "ab_metrics.h"
#include "ab_paths.h"
#include "ab_security.h"
#include "ab_store.h"
#include "ab_writer.h"

#include <getopt.h>
#include <malloc.h>

typedef struct {
    const char *results_endpoint;
    const char *pub_endpoint;
    const char *snapshot_endpoint;
    const char *ack_endpoint;
    const char *out_dir;
    const char *state_path;
    const char *topics_path;
    int64_t write_interval_ms;
    int64_t stats_seconds;
    int64_t batch;
    const char *metrics_address;
    bool durable;
} options_t;

typedef struct {
    uint64_t results;
    uint64_t duplicates;
    uint64_t malformed;
    uint64_t deltas;
    uint64_t snapshots;
    uint64_t claims;
    ab_histogram_t publish_latency; //  producer's receipt -> deltas published
    ab_histogram_t commit_time;     //  one batch's durable commit
} sink_stats_t;

//  The sink's whole state, one struct for the loop's handlers
typedef struct {
    options_t options;
    ab_briefing_t *briefing;
    ab_store_t *store;
    zsock_t *results;
    zsock_t *pub;
    zsock_t *snapshot;
    zsock_t *acks;
    uint64_t seq;               //  last sequence number used
    json_t *topic_seqs;         //  topic -> last topic sequence
    zlistx_t *pending_deltas;   //  ab_delta_t * of the batch being built
    zlistx_t *pending_acks;     //  ab_ack_t * of the batch being built
    bool dirty;                 //  briefing files out of date
    int64_t last_malformed_log;
    sink_stats_t stats;
    int64_t *batch_received;    //  received_ms of the batch's new results
    size_t batch_count;
    size_t batch_cap;
    ab_metrics_t *metrics;
    ab_writer_t *writer;        //  briefing files, off the loop's thread
} sink_t;

static void
s_usage (FILE *out)
{
    fprintf (out,
"Usage: allybrief-sink [OPTIONS]\n"
"Merge worker results into the consolidated briefing, keep it durable, write\n"
"briefing.md and briefing.json, and publish every change to subscribers.\n"
"\n"
"      --config FILE        settings from FILE's sink and curve sections\n"
"                           (CURVE keys, endpoints, paths); flags override it\n"
"  -R, --results ENDPOINT   bind PULL for workers     (default tcp://127.0.0.1:5703)\n"
"  -P, --pub ENDPOINT       bind PUB for subscribers  (default tcp://127.0.0.1:5704)\n"
"  -S, --snapshot ENDPOINT  bind ROUTER for snapshots (default tcp://127.0.0.1:5705)\n"
"  -A, --ack ENDPOINT       producer's ack endpoint   (default tcp://127.0.0.1:5702)\n"
"  -o, --out DIR            where briefing.md/.json go (default .)\n"
"      --state FILE         durable state (default DIR/allybrief-sink.db)\n"
"      --topics FILE        topic labels (default: the shipped sink/topics.tsv)\n"
"      --write-interval MS  rewrite the briefing at most every MS (default 500)\n"
"      --durable            fsync every commit to survive power loss (default: crash-safe)\n"
"      --stats SECONDS      print counters every SECONDS\n"
"      --metrics ADDRESS    serve Prometheus metrics on HOST:PORT/metrics (default off)\n"
"  -q, --quiet / -v, --verbose / -h, --help\n");
}

static void
s_delta_free (void **item)
{
    ab_delta_destroy ((ab_delta_t **) item);
}

static void
s_ack_free (void **item)
{
    ab_ack_destroy ((ab_ack_t **) item);
}

//  Change callback: number the change and keep it until the batch commits
static void
s_on_change (void *arg, const char *op, const char *topic, const char *key, json_t *item)
{
    sink_t *self = arg;
    ab_delta_t *delta = calloc (1, sizeof *delta);
    delta->seq = ++self->seq;
    json_t *topic_seq = json_object_get (self->topic_seqs, topic);
    delta->topic_seq = (uint64_t) json_integer_value (topic_seq) + 1;
    json_object_set_new (self->topic_seqs, topic, json_integer ((json_int_t) delta->topic_seq));
    delta->op = strdup (op);
    delta->topic = strdup (topic);
    delta->key = strdup (key);
    delta->item = json_incref (item);
    zlistx_add_end (self->pending_deltas, delta);
    self->dirty = true;
}

//  Replay callback at start-up: rebuild the briefing without numbering
static void
s_on_replay (void *arg, const void *frame, size_t size)
{
    sink_t *self = arg;
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, "RESULT");
    zmsg_addmem (msg, frame, size);
    ab_proto_error_t error;
    ab_result_t *result = ab_result_decode (msg, &error);
    if (result)
        ab_briefing_merge (self->briefing, result, NULL, NULL, NULL);
    else
        ab_warn ("state: skipping unreadable stored result: %s", error.message);
    ab_result_destroy (&result);
    zmsg_destroy (&msg);
}

static void
s_malformed (sink_t *self, const char *peer, const char *message)
{
    self->stats.malformed++;
    //  Logged at most once a second so a hostile peer cannot flood the log
    int64_t now = ab_mono_ms ();
    if (now - self->last_malformed_log >= 1000) {
        ab_warn ("%s: malformed message dropped (%llu so far): %s", peer,
                 (unsigned long long) self->stats.malformed, message);
        self->last_malformed_log = now;
    }
}

//  Remember a new result's receipt time until its batch is published
static void
s_batch_received (sink_t *self, int64_t received_ms)
{
    if (self->batch_count == self->batch_cap) {
        size_t cap = self->batch_cap? self->batch_cap * 2: 64;
        int64_t *grown = realloc (self->batch_received, cap * sizeof *grown);
        if (!grown)
            return;             //  one latency sample fewer, nothing else
        self->batch_received = grown;
        self->batch_cap = cap;
    }
    self->batch_received [self->batch_count++] = received_ms;
}

//  Merge one RESULT message into the batch
static void
s_on_result (sink_t *self, zmsg_t *msg)
{
    ab_proto_error_t error;
    ab_result_t *result = ab_result_decode (msg, &error);
    if (!result) {
        s_malformed (self, "worker", error.message);
        return;
    }
    bool duplicate = false;
    int changes = ab_briefing_merge (self->briefing, result, s_on_change, self, &duplicate);
    if (changes < 0)
        ab_error ("article %s: merge failed", result->article_id);
    else {
        if (duplicate)
            self->stats.duplicates++;
        else {
            zframe_t *body = zmsg_last (msg);
            ab_store_add (self->store, result->article_id, zframe_data (body), zframe_size (body));
            self->stats.results++;
            self->stats.claims += result->claim_count;
            s_batch_received (self, result->received_ms);
            self->dirty = true;
        }
        ab_ack_t *ack = calloc (1, sizeof *ack);
        ack->article_id = strdup (result->article_id);
        ack->claims = result->claim_count;
        ack->duplicate = duplicate;
        zlistx_add_end (self->pending_acks, ack);
    }
    ab_result_destroy (&result);
}

static void
s_render_metrics (sink_t *self)
{
    ab_metrics_t *metrics = self->metrics;
    json_t *summary = ab_briefing_summary_json (self->briefing);
    ab_metrics_begin (metrics);
    ab_metrics_counter (metrics, "results", "Results merged (new articles)", self->stats.results);
    ab_metrics_counter (metrics, "results_duplicate", "Results for articles already merged, acked again",
                        self->stats.duplicates);
    ab_metrics_counter (metrics, "claims", "Claims merged", self->stats.claims);
    const char *type;
    json_t *count;
    json_object_foreach (json_object_get (summary, "claims_by_type"), type, count)
        ab_metrics_labeled_counter (metrics, "claims_by_type", "Claims in the briefing, by type", "type", type,
                                    (uint64_t) json_integer_value (count));
    ab_metrics_counter (metrics, "deltas", "DELTA messages published", self->stats.deltas);
    ab_metrics_counter (metrics, "snapshots", "SNAPSHOT requests answered", self->stats.snapshots);
    ab_metrics_counter (metrics, "frames_malformed", "Malformed frames from peers, dropped",
                        self->stats.malformed);
    const char *gauges [][2] = {
        { "articles", "Articles in the briefing" }, { "copies", "Near-duplicate copies among them" },
        { "items", "Items in the briefing" }, { "conflicts", "Items with conflicting values" },
        { "sources", "Distinct outlets" }
    };
    for (size_t index = 0; index < sizeof gauges / sizeof gauges [0]; index++)
        ab_metrics_gauge (metrics, gauges [index][0], gauges [index][1],
                          (double) json_integer_value (json_object_get (summary, gauges [index][0])));
    ab_metrics_gauge (metrics, "sequence", "Last DELTA sequence number", (double) self->seq);
    ab_metrics_histogram (metrics, "publish_latency", "Time from the producer's receipt to the DELTA",
                          &self->stats.publish_latency);
    ab_metrics_histogram (metrics, "commit_time", "Time to make one batch durable", &self->stats.commit_time);
    ab_metrics_commit (metrics);
    json_decref (summary);
}

//  Commit the batch, then publish its deltas and send its acks
static void
s_finish_batch (sink_t *self)
{
    int64_t commit_started = zclock_usecs ();
    if (ab_store_commit (self->store, self->seq, self->topic_seqs) != 0) {
        //  The batch is not durable: acking would lose it in a crash.
        //  The producer will resend, and the sink, idempotent, will merge
        //  nothing twice.  Stop: the state on disk is the truth.
        ab_error ("cannot make results durable; stopping");
        zsys_interrupted = 1;
        return;
    }
    json_t *summary = zlistx_size (self->pending_deltas)? ab_briefing_summary_json (self->briefing): NULL;
    for (ab_delta_t *delta = zlistx_first (self->pending_deltas); delta;
         delta = zlistx_next (self->pending_deltas)) {
        delta->summary = json_incref (summary);
        zmsg_t *out = ab_delta_encode (delta);
        if (out && zmsg_send (&out, self->pub) != 0)
            zmsg_destroy (&out);
        self->stats.deltas++;
    }
    json_decref (summary);
    zlistx_purge (self->pending_deltas);
    for (ab_ack_t *ack = zlistx_first (self->pending_acks); ack; ack = zlistx_next (self->pending_acks)) {
        zmsg_t *out = ab_ack_encode (ack);
        if (out && zmsg_send (&out, self->acks) != 0)
            zmsg_destroy (&out);
    }
    zlistx_purge (self->pending_acks);
    //  Published: each result's wait since the producer took it in (wall
    //  clocks, so across machines it is only as good as their sync)
    int64_t now_us = zclock_usecs ();
    ab_histogram_observe (&self->stats.commit_time, (uint64_t) (now_us - commit_started));
    int64_t now_ms = ab_wall_ms ();
    for (size_t index = 0; index < self->batch_count; index++) {
        int64_t waited_ms = now_ms - self->batch_received [index];
        ab_histogram_observe (&self->stats.publish_latency, waited_ms > 0? (uint64_t) waited_ms * 1000: 0);
    }
    self->batch_count = 0;
}

static void
s_on_snapshot (sink_t *self, zmsg_t *msg)
{
    zframe_t *identity = zmsg_pop (msg);
    ab_proto_error_t error;
    ab_snapshot_t *request = identity? ab_snapshot_decode (msg, &error): NULL;
    if (!request || request->is_reply) {
        s_malformed (self, "subscriber", request? "SNAPSHOT reply sent to the sink": error.message);
        ab_snapshot_destroy (&request);
        zframe_destroy (&identity);
        return;
    }
    ab_snapshot_t reply = {
        .topic = request->topic,
        .seq = self->seq,
        .topic_seqs = self->topic_seqs,
        .items = ab_briefing_items_json (self->briefing, request->topic),
        .summary = ab_briefing_summary_json (self->briefing),
        .is_reply = true
    };
    zmsg_t *out = ab_snapshot_encode (&reply);
    json_decref (reply.items);
    json_decref (reply.summary);
    if (out) {
        zmsg_prepend (out, &identity);
        if (zmsg_send (&out, self->snapshot) != 0)
            zmsg_destroy (&out);
    }
    zframe_destroy (&identity);
    ab_snapshot_destroy (&request);
    self->stats.snapshots++;
}

//  Hand the current briefing to the writer thread; while it is still
//  busy with the last one, stay dirty and try again next tick
static void
s_write_briefing (sink_t *self)
{
    json_t *document = ab_briefing_to_json (self->briefing);
    if (document && ab_writer_offer (self->writer, &document))
        self->dirty = false;
    json_decref (document);
}

static int
s_parse_args (int argc, char *argv [], options_t *options)
{
    static const struct option longopts [] = {
        { "config", required_argument, NULL, 'C' },
        { "results", required_argument, NULL, 'R' },
        { "pub", required_argument, NULL, 'P' },
        { "snapshot", required_argument, NULL, 'S' },
        { "ack", required_argument, NULL, 'A' },
        { "out", required_argument, NULL, 'o' },
        { "state", required_argument, NULL, 'D' },
        { "topics", required_argument, NULL, 't' },
        { "write-interval", required_argument, NULL, 'I' },
        { "durable", no_argument, NULL, 'F' },
        { "stats", required_argument, NULL, 's' },
        { "metrics", required_argument, NULL, 'm' },
        { "quiet", no_argument, NULL, 'q' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int opt;
    while ((opt = getopt_long (argc, argv, "R:P:S:A:o:qvh", longopts, NULL)) != -1) {
        char *end = NULL;
        switch (opt) {
            case 'C': break;    //  read before the flags, by s_apply_config
            case 'R': options->results_endpoint = optarg; break;
            case 'P': options->pub_endpoint = optarg; break;
            case 'S': options->snapshot_endpoint = optarg; break;
            case 'A': options->ack_endpoint = optarg; break;
            case 'o': options->out_dir = optarg; break;
            case 'D': options->state_path = optarg; break;
            case 't': options->topics_path = optarg; break;
            case 'F': options->durable = true; break;
            case 'm': options->metrics_address = optarg; break;
            case 'q': ab_log_init ("sink", AB_LOG_WARN); break;
            case 'v': ab_log_init ("sink", AB_LOG_DEBUG); break;
            case 'h': s_usage (stdout); return 1;
            case 'I': case 's': {
                long long value = strtoll (optarg, &end, 10);
                if (!*optarg || *end || value < 0 || value > 1000000000) {
                    ab_error ("option needs a whole number, not '%s'", optarg);
                    return 2;
                }
                *(opt == 'I'? &options->write_interval_ms: &options->stats_seconds) = value;
                break;
            }
            default:
                fprintf (stderr, "Try 'allybrief-sink --help'.\n");
                return 2;
        }
    }
    if (optind < argc) {
        ab_error ("unexpected argument '%s' (see --help)", argv [optind]);
        return 2;
    }
    return 0;
}

//  Settings from the configuration file, before flags override them
static void
s_apply_config (ab_config_t *config, options_t *options)
{
    options->results_endpoint = ab_config_get (config, "sink/results", options->results_endpoint);
    options->pub_endpoint = ab_config_get (config, "sink/pub", options->pub_endpoint);
    options->snapshot_endpoint = ab_config_get (config, "sink/snapshot", options->snapshot_endpoint);
    options->ack_endpoint = ab_config_get (config, "sink/ack", options->ack_endpoint);
    options->out_dir = ab_config_get (config, "sink/out", options->out_dir);
    options->state_path = ab_config_get (config, "sink/state", options->state_path);
    options->topics_path = ab_config_get (config, "sink/topics", options->topics_path);
    options->write_interval_ms = ab_config_number (config, "sink/write_interval", options->write_interval_ms);
    options->metrics_address = ab_config_get (config, "sink/metrics", options->metrics_address);
}

int
main (int argc, char *argv [])
{
    ab_log_init ("sink", AB_LOG_INFO);
    //  The sink frees many small JSON nodes per result and allocates an
    //  8 KB buffer per encoded message; with glibc's fast bins on, every such
    //  buffer first consolidates the bins (a third of the sink's time in
    //  profiles; bench/RESULTS.md).  Without them the small frees merge as
    //  they happen.
    mallopt (M_MXFAST, 0);
    sink_t sink = {
        .options = {
            .results_endpoint = "tcp://127.0.0.1:5703",
            .pub_endpoint = "tcp://127.0.0.1:5704",
            .snapshot_endpoint = "tcp://127.0.0.1:5705",
            .ack_endpoint = "tcp://127.0.0.1:5702",
            .out_dir = ".",
            .write_interval_ms = 500,
            .batch = 256
        }
    };
    sink_t *self = &sink;
    char message [512] = "";
    ab_config_t *config = NULL;
    if (ab_config_from_args (argc, argv, &config, message, sizeof message) != 0) {
        ab_error ("%s", message);
        return 2;
    }
    s_apply_config (config, &self->options);
    int rc = s_parse_args (argc, argv, &self->options);
    if (rc == 0 && ab_file_mkdirs (self->options.out_dir) != 0) {
        ab_error ("cannot create output directory %s: %s", self->options.out_dir, strerror (errno));
        rc = 2;
    }
    if (rc) {
        ab_config_destroy (&config);
        return rc == 1? 0: 2;
    }
    zsys_init ();
    zsys_set_logstream (NULL);
    char *state_path = self->options.state_path? strdup (self->options.state_path):
                       zsys_sprintf ("%s/allybrief-sink.db", self->options.out_dir);
    self->briefing = ab_briefing_new ();
    //  Labels only make the briefing readable: a missing shipped file is
    //  not fatal, but a file the user named must load
    char *topics_path = self->options.topics_path? strdup (self->options.topics_path):
                        ab_paths_data_file ("topics.tsv", "sink/topics.tsv");
    if (topics_path
    &&  ab_briefing_load_topics (self->briefing, topics_path, message, sizeof message) != 0) {
        ab_error ("%s", message);
        rc = 2;
    }
    if (!topics_path)
        ab_warn ("no topics.tsv found: the briefing shows raw claim types");
    free (topics_path);
    self->store = rc? NULL: ab_store_open (state_path, self->options.durable, s_on_replay, self,
                                           &self->seq, &self->topic_seqs, message, sizeof message);
    if (rc == 0 && !self->store) {
        ab_error ("%s", message);
        rc = 2;
    }
    if (self->store && ab_store_count (self->store))
        ab_info ("state %s: %llu results replayed, %zu items, continuing at sequence %llu", state_path,
                 (unsigned long long) ab_store_count (self->store), ab_briefing_item_count (self->briefing),
                 (unsigned long long) self->seq);
    free (state_path);
    ab_security_t *security = rc? NULL:
        ab_security_new (ab_config_get (config, "sink/cert", NULL),
                         ab_config_get (config, "curve/allow", NULL), message, sizeof message);
    if (rc == 0 && !security) {
        ab_error ("%s", message);
        rc = 2;
    }
    self->results = zsock_new (ZMQ_PULL);
    self->pub = zsock_new (ZMQ_PUB);
    self->snapshot = zsock_new (ZMQ_ROUTER);
    self->acks = zsock_new (ZMQ_PUSH);
    //  Acks still queued at shutdown get a few seconds to reach the
    //  producer; any lost one only means a resend the sink will ignore.
    zsock_set_linger (self->acks, 3000);
    zsock_set_sndhwm (self->pub, 100000);
    if (rc == 0
    &&  (ab_security_bind (security, self->results, self->options.results_endpoint, "--results")
    ||   ab_security_bind (security, self->pub, self->options.pub_endpoint, "--pub")
    ||   ab_security_bind (security, self->snapshot, self->options.snapshot_endpoint, "--snapshot")
    ||   ab_security_connect (security, self->acks, self->options.ack_endpoint,
                              ab_config_get (config, "curve/producer_key", NULL), "--ack")))
        rc = 2;
    if (rc == 0) {
        self->metrics = ab_metrics_start ("sink", self->options.metrics_address, message, sizeof message);
        if (!self->metrics) {
            ab_error ("%s", message);
            rc = 2;
        }
    }
    self->pending_deltas = zlistx_new ();
    zlistx_set_destructor (self->pending_deltas, s_delta_free);
    self->pending_acks = zlistx_new ();
    zlistx_set_destructor (self->pending_acks, s_ack_free);
    if (rc == 0 && !(self->writer = ab_writer_new (self->options.out_dir))) {
        ab_error ("cannot start the briefing writer");
        rc = 2;
    }
    if (rc == 0) {
        ab_info ("results on %s, updates on %s, snapshots on %s, briefing in %s%s",
                 self->options.results_endpoint, self->options.pub_endpoint,
                 self->options.snapshot_endpoint, self->options.out_dir,
                 ab_security_enabled (security)? " (CURVE)": "");
        s_write_briefing (self);
    }
    int64_t now = ab_mono_ms ();
    int64_t last_write = now;
    int64_t next_heartbeat = now;
    int64_t next_metrics = now;
    int64_t next_stats = self->options.stats_seconds? now + self->options.stats_seconds * 1000: INT64_MAX;
    while (rc == 0 && !zsys_interrupted) {
        zmq_pollitem_t items [] = {
            { zsock_resolve (self->results), 0, ZMQ_POLLIN, 0 },
            { zsock_resolve (self->snapshot), 0, ZMQ_POLLIN, 0 }
        };
        if (zmq_poll (items, 2, 100) < 0 && zmq_errno () != EINTR)
            break;
        if (items [0].revents & ZMQ_POLLIN) {
            //  Drain up to a batch: one commit amortizes the fsync
            if (ab_store_begin (self->store) != 0)
                break;
            for (int64_t count = 0; count < self->options.batch
                 && (zsock_events (self->results) & ZMQ_POLLIN); count++) {
                zmsg_t *msg = zmsg_recv (self->results);
                if (!msg)
                    break;
                if (ab_msg_command (msg) == AB_CMD_RESULT)
                    s_on_result (self, msg);
                else
                    s_malformed (self, "worker", "not a RESULT");
                zmsg_destroy (&msg);
            }
            s_finish_batch (self);
        }
        if (items [1].revents & ZMQ_POLLIN) {
            zmsg_t *msg = zmsg_recv (self->snapshot);
            if (msg)
                s_on_snapshot (self, msg);
            zmsg_destroy (&msg);
        }
        now = ab_mono_ms ();
        if (self->dirty && now - last_write >= self->options.write_interval_ms) {
            s_write_briefing (self);
            last_write = now;
        }
        if (now >= next_heartbeat) {
            ab_heartbeat_t beat = { .seq = self->seq, .sent_ms = ab_wall_ms (), .topic_seqs = self->topic_seqs };
            zmsg_t *out = ab_heartbeat_encode_pub (&beat);
            if (out && zmsg_send (&out, self->pub) != 0)
                zmsg_destroy (&out);
            next_heartbeat = now + 1000;
        }
        if (now >= next_metrics) {
            if (ab_metrics_active (self->metrics))
                s_render_metrics (self);
            next_metrics = now + 1000;
        }
        if (now >= next_stats) {
            char latency [96];
            ab_info ("received to published: %s",
                     ab_histogram_format (&self->stats.publish_latency, latency, sizeof latency));
            ab_info ("results %llu, duplicates %llu, claims %llu, items %zu, conflicts %zu, deltas %llu, "
                     "seq %llu, snapshots %llu, malformed %llu",
                     (unsigned long long) self->stats.results, (unsigned long long) self->stats.duplicates,
                     (unsigned long long) self->stats.claims, ab_briefing_item_count (self->briefing),
                     ab_briefing_conflict_count (self->briefing), (unsigned long long) self->stats.deltas,
                     (unsigned long long) self->seq, (unsigned long long) self->stats.snapshots,
                     (unsigned long long) self->stats.malformed);
            next_stats = now + self->options.stats_seconds * 1000;
        }
    }
    if (rc == 0) {
        //  The final version, whatever the writer was doing
        ab_writer_wait (self->writer);
        s_write_briefing (self);
        ab_info ("stopped: %llu results, %zu items, %zu conflicts, sequence %llu",
                 (unsigned long long) self->stats.results, ab_briefing_item_count (self->briefing),
                 ab_briefing_conflict_count (self->briefing), (unsigned long long) self->seq);
    }
    ab_writer_destroy (&self->writer);
    ab_metrics_destroy (&self->metrics);
    free (self->batch_received);
    zlistx_destroy (&self->pending_deltas);
    zlistx_destroy (&self->pending_acks);
    zsock_destroy (&self->results);
    zsock_destroy (&self->pub);
    zsock_destroy (&self->snapshot);
    zsock_destroy (&self->acks);
    if (ab_security_denied (security))
        ab_info ("refused %llu peers without an allowed key",
                 (unsigned long long) ab_security_denied (security));
    ab_security_destroy (&security);
    ab_config_destroy (&config);
    ab_store_destroy (&self->store);
    ab_briefing_destroy (&self->briefing);
    json_decref (self->topic_seqs);
    return rc;
}
