/*  =========================================================================
    allybrief-web - the live briefing as a web page

    A subscriber of the sink like allybrief-sub (SUB to its --pub, DEALER to
    its --snapshot, through tools/lib/ab_clone), and an HTTP server
    (libmicrohttpd, one thread per connection) on --listen, 127.0.0.1:8080
    by default:

      GET /             the page (tools/web/index.html)
      GET /app.js       its script;  GET /app.css  its style sheet
      GET /api/snapshot the current briefing as JSON (with its "seq")
      GET /api/status   counters of the server and the feed, as JSON
      GET /events       Server-Sent Events: snapshot, then deltas, each with
                        `id: SEQ`; Last-Event-ID resumes without gaps

    The Clone client runs in the main thread and hands every change to an
    ab_webfeed (a bounded ring shared by the browsers' threads), so browsers
    never slow the subscriber, and the subscriber never waits for them.  A
    browser that stops reading stalls only its own connection, which the
    server times out (--client-timeout; the stream sends a status event at
    least every --keepalive, so a reading browser is never idle); one the
    ring overtakes is disconnected and resumes from its Last-Event-ID.
    =========================================================================
*/
#include "ab_clone.h"
#include "ab_file.h"
#include "ab_log.h"
#include "ab_number.h"
#include "ab_paths.h"
#include "ab_webfeed.h"

#include <getopt.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdatomic.h>
#include <sys/socket.h>

#define ASSET_MAX_BYTES (4 * 1024 * 1024)
#define SSE_BLOCK_BYTES 4096

typedef struct {
    const char *path;           //  URL path
    const char *file;           //  file name in the web directory
    const char *content_type;
    char *body;                 //  loaded at start
    size_t size;
} asset_t;

typedef struct {
    const char *pub;
    const char *snapshot;
    const char *listen;
    const char *port_file;
    const char *web_dir;
    long long history;
    long long max_clients;
    long long client_timeout_s;
    long long keepalive_ms;
    long long client_buffer;
    long long stale_after_s;
    long long snapshot_interval_ms;
    ab_log_level_t log_level;
} options_t;

//  Everything the HTTP threads share; owned by main
typedef struct {
    options_t options;
    ab_webfeed_t *feed;
    asset_t assets [3];
    atomic_ullong requests;
    atomic_ullong bad_requests;     //  answered 400
    atomic_ullong not_found;        //  answered 404
    atomic_ullong bad_method;       //  answered 405
    atomic_ullong timed_out;        //  connections closed for not reading
} web_t;

//  One /events stream
typedef struct {
    web_t *web;
    ab_webfeed_reader_t *reader;
    bool greeted;               //  the retry: line was sent
} stream_t;

static void
s_usage (FILE *out)
{
    fprintf (out,
"Usage: allybrief-web [OPTIONS]\n"
"Serve the allybrief briefing as a web page that updates live.\n"
"\n"
"  -P, --pub ENDPOINT        sink's update endpoint   (default tcp://127.0.0.1:5704)\n"
"  -S, --snapshot ENDPOINT   sink's snapshot endpoint (default tcp://127.0.0.1:5705)\n"
"      --sink-pub, --sink-snapshot   the same two options\n"
"  -l, --listen HOST:PORT    HTTP address (default 127.0.0.1:8080; [::1]:PORT for IPv6,\n"
"                            port 0 picks a free one)\n"
"      --port-file FILE      write the port listened on to FILE once ready\n"
"      --web-dir DIR         page, script and style (default: the installed or\n"
"                            source tree's tools/web)\n"
"      --history N           deltas kept for browsers that reconnect (default 1024)\n"
"      --max-clients N       simultaneous HTTP connections (default 64)\n"
"      --client-timeout S    close a connection idle or not reading for S seconds\n"
"                            (default 30)\n"
"      --keepalive MS        longest silence on an event stream (default 5000;\n"
"                            must be under the client timeout)\n"
"      --client-buffer BYTES kernel send buffer per connection (default 65536;\n"
"                            0 keeps the system's)\n"
"      --stale-after S       call the sink stale after S seconds unheard (default 5)\n"
"      --snapshot-interval MS  refresh the snapshot new browsers start from at\n"
"                            most this often (default 250)\n"
"  -q, --quiet               warnings and errors only\n"
"  -v, --verbose             debug output\n"
"  -h, --help                this help\n");
}

//  Parse a whole non-negative number within [minimum, maximum]
static bool
s_number (const char *text, long long minimum, long long maximum, long long *value)
{
    int64_t parsed;
    if (!ab_number_parse (text, minimum, maximum, &parsed))
        return false;
    *value = parsed;
    return true;
}

//  Parse the command line; returns 0, 1 after --help, or 2 on bad usage
static int
s_parse_options (int argc, char *argv [], options_t *options)
{
    *options = (options_t) {
        .pub = "tcp://127.0.0.1:5704", .snapshot = "tcp://127.0.0.1:5705",
        .listen = "127.0.0.1:8080", .history = 1024, .max_clients = 64,
        .client_timeout_s = 30, .keepalive_ms = 5000, .client_buffer = 65536,
        .stale_after_s = 5, .snapshot_interval_ms = 250, .log_level = AB_LOG_INFO
    };
    static const struct option longopts [] = {
        { "pub", required_argument, NULL, 'P' },
        { "sink-pub", required_argument, NULL, 'P' },
        { "snapshot", required_argument, NULL, 'S' },
        { "sink-snapshot", required_argument, NULL, 'S' },
        { "listen", required_argument, NULL, 'l' },
        { "port-file", required_argument, NULL, 'p' },
        { "web-dir", required_argument, NULL, 'w' },
        { "history", required_argument, NULL, 'H' },
        { "max-clients", required_argument, NULL, 'M' },
        { "client-timeout", required_argument, NULL, 'T' },
        { "keepalive", required_argument, NULL, 'K' },
        { "client-buffer", required_argument, NULL, 'B' },
        { "stale-after", required_argument, NULL, 'A' },
        { "snapshot-interval", required_argument, NULL, 'I' },
        { "quiet", no_argument, NULL, 'q' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int opt;
    while ((opt = getopt_long (argc, argv, "P:S:l:qvh", longopts, NULL)) != -1) {
        bool ok = true;
        switch (opt) {
            case 'P': options->pub = optarg; break;
            case 'S': options->snapshot = optarg; break;
            case 'l': options->listen = optarg; break;
            case 'p': options->port_file = optarg; break;
            case 'w': options->web_dir = optarg; break;
            case 'H': ok = s_number (optarg, 1, 1000000, &options->history); break;
            case 'M': ok = s_number (optarg, 1, 10000, &options->max_clients); break;
            case 'T': ok = s_number (optarg, 1, 86400, &options->client_timeout_s); break;
            case 'K': ok = s_number (optarg, 50, 3600000, &options->keepalive_ms); break;
            case 'B': ok = s_number (optarg, 0, 64 * 1024 * 1024, &options->client_buffer); break;
            case 'A': ok = s_number (optarg, 1, 86400, &options->stale_after_s); break;
            case 'I': ok = s_number (optarg, 0, 60000, &options->snapshot_interval_ms); break;
            case 'q': options->log_level = AB_LOG_WARN; break;
            case 'v': options->log_level = AB_LOG_DEBUG; break;
            case 'h': s_usage (stdout); return 1;
            default:
                fprintf (stderr, "Try 'allybrief-web --help'.\n");
                return 2;
        }
        if (!ok) {
            ab_error ("bad value '%s' for an option (see --help)", optarg);
            return 2;
        }
    }
    if (optind < argc) {
        ab_error ("unexpected argument '%s' (see --help)", argv [optind]);
        return 2;
    }
    if (options->keepalive_ms >= options->client_timeout_s * 1000) {
        ab_error ("--keepalive (%lld ms) must be shorter than --client-timeout (%lld s)",
                  options->keepalive_ms, options->client_timeout_s);
        return 2;
    }
    return 0;
}

//  Resolve HOST:PORT ([HOST]:PORT for IPv6) into address; returns 0 or -1
//  with a message
static int
s_resolve_listen (const char *listen, struct sockaddr_storage *address, char *errbuf, size_t errlen)
{
    char host [256];
    const char *colon = strrchr (listen, ':');
    if (!colon || colon == listen || (size_t) (colon - listen) >= sizeof host) {
        snprintf (errbuf, errlen, "--listen '%s' is not HOST:PORT", listen);
        return -1;
    }
    const char *start = listen, *end = colon;
    if (*start == '[' && end [-1] == ']') {
        start++;
        end--;
    }
    memcpy (host, start, (size_t) (end - start));
    host [end - start] = 0;
    long long port;
    if (!s_number (colon + 1, 0, 65535, &port)) {
        snprintf (errbuf, errlen, "--listen '%s': bad port '%s'", listen, colon + 1);
        return -1;
    }
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
    struct addrinfo *found = NULL;
    int rc = getaddrinfo (host, colon + 1, &hints, &found);
    if (rc != 0 || !found) {
        snprintf (errbuf, errlen, "--listen '%s': %s", listen, gai_strerror (rc));
        return -1;
    }
    memset (address, 0, sizeof *address);
    memcpy (address, found->ai_addr, found->ai_addrlen);
    freeaddrinfo (found);
    return 0;
}

//  Load the page's files; returns 0 or -1 (logged)
static int
s_load_assets (web_t *self)
{
    static const asset_t assets [3] = {
        { "/", "index.html", "text/html; charset=utf-8", NULL, 0 },
        { "/app.js", "app.js", "text/javascript; charset=utf-8", NULL, 0 },
        { "/app.css", "app.css", "text/css; charset=utf-8", NULL, 0 }
    };
    char *dir = NULL;
    if (self->options.web_dir)
        dir = strdup (self->options.web_dir);
    else {
        char *index = ab_paths_data_file ("web/index.html", "tools/web/index.html");
        if (index)
            *strrchr (index, '/') = 0;
        dir = index;
    }
    if (!dir) {
        ab_error ("cannot find the web page (share/allybrief/web or tools/web); give --web-dir");
        return -1;
    }
    int rc = 0;
    for (size_t index = 0; index < 3 && rc == 0; index++) {
        self->assets [index] = assets [index];
        char path [4096], error [256];
        snprintf (path, sizeof path, "%s/%s", dir, assets [index].file);
        self->assets [index].body = ab_file_read (path, ASSET_MAX_BYTES, &self->assets [index].size,
                                                  error, sizeof error);
        if (!self->assets [index].body) {
            ab_error ("%s", error);
            rc = -1;
        }
    }
    ab_debug ("serving the page from %s", dir);
    free (dir);
    return rc;
}

static void
s_add_common_headers (struct MHD_Response *response, const char *content_type)
{
    MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header (response, "X-Content-Type-Options", "nosniff");
    //  Nothing from elsewhere: the page works offline and cannot leak
    MHD_add_response_header (response, "Content-Security-Policy",
                             "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'");
}

//  Queue a buffer response (copied) with status; returns MHD's answer
static enum MHD_Result
s_reply (struct MHD_Connection *connection, unsigned int status, const char *content_type,
         const char *body, size_t size, enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *response = MHD_create_response_from_buffer (size, (void *) body, mode);
    if (!response)
        return MHD_NO;
    s_add_common_headers (response, content_type);
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header (response, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
        MHD_add_response_header (response, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    if (strncmp (content_type, "application/json", 16) == 0)
        MHD_add_response_header (response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result result = MHD_queue_response (connection, status, response);
    MHD_destroy_response (response);
    return result;
}

static enum MHD_Result
s_error (struct MHD_Connection *connection, unsigned int status, const char *message)
{
    char body [256];
    int size = snprintf (body, sizeof body, "{\"status\":%u,\"error\":\"%s\"}\n", status, message);
    return s_reply (connection, status, "application/json; charset=utf-8", body, (size_t) size,
                    MHD_RESPMEM_MUST_COPY);
}

static ssize_t
s_stream_read (void *cls, uint64_t position, char *buffer, size_t max)
{
    stream_t *stream = cls;
    if (!stream->greeted) {
        //  Browsers retry a lost stream after this many ms
        static const char retry [] = "retry: 1000\n\n";
        stream->greeted = true;
        if (max >= sizeof retry - 1) {
            memcpy (buffer, retry, sizeof retry - 1);
            return (ssize_t) (sizeof retry - 1);
        }
    }
    ssize_t size = ab_webfeed_reader_read (stream->reader, buffer, max,
                                           (int) stream->web->options.keepalive_ms);
    if (size == AB_WEBFEED_END)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (size == AB_WEBFEED_BEHIND) {
        ab_info ("a browser fell behind the last %lld deltas: disconnected", stream->web->options.history);
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    return size;
}

static void
s_stream_free (void *cls)
{
    stream_t *stream = cls;
    ab_webfeed_reader_destroy (&stream->reader);
    free (stream);
}

static enum MHD_Result
s_serve_events (web_t *self, struct MHD_Connection *connection)
{
    const char *last_id = MHD_lookup_connection_value (connection, MHD_HEADER_KIND, "Last-Event-ID");
    long long last_seen = 0;
    if (last_id && !s_number (last_id, 0, LLONG_MAX, &last_seen)) {
        atomic_fetch_add (&self->bad_requests, 1);
        return s_error (connection, MHD_HTTP_BAD_REQUEST, "Last-Event-ID must be a briefing sequence number");
    }
    stream_t *stream = calloc (1, sizeof *stream);
    if (!stream)
        return MHD_NO;
    stream->web = self;
    stream->reader = ab_webfeed_reader_new (self->feed, last_id != NULL, (uint64_t) last_seen);
    struct MHD_Response *response = stream->reader?
        MHD_create_response_from_callback (MHD_SIZE_UNKNOWN, SSE_BLOCK_BYTES, s_stream_read, stream, s_stream_free):
        NULL;
    if (!response) {
        ab_webfeed_reader_destroy (&stream->reader);
        free (stream);
        return MHD_NO;
    }
    s_add_common_headers (response, "text/event-stream; charset=utf-8");
    MHD_add_response_header (response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result result = MHD_queue_response (connection, MHD_HTTP_OK, response);
    MHD_destroy_response (response);
    return result;
}

static enum MHD_Result
s_serve_status (web_t *self, struct MHD_Connection *connection)
{
    ab_webfeed_stats_t stats;
    ab_webfeed_stats (self->feed, &stats);
    json_t *status = json_pack ("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
        "seq", (json_int_t) stats.seq, "snapshot_seq", (json_int_t) stats.snapshot_seq,
        "deltas", (json_int_t) stats.deltas, "resyncs", (json_int_t) stats.resyncs,
        "streams", (json_int_t) stats.readers, "streams_total", (json_int_t) stats.readers_total,
        "streams_resumed", (json_int_t) stats.resumed, "streams_behind", (json_int_t) stats.behind,
        "requests", (json_int_t) atomic_load (&self->requests),
        "bad_requests", (json_int_t) atomic_load (&self->bad_requests),
        "not_found", (json_int_t) atomic_load (&self->not_found),
        "bad_method", (json_int_t) atomic_load (&self->bad_method),
        "timed_out", (json_int_t) atomic_load (&self->timed_out));
    char *text = status? json_dumps (status, JSON_COMPACT): NULL;
    json_decref (status);
    if (!text)
        return MHD_NO;
    return s_reply (connection, MHD_HTTP_OK, "application/json; charset=utf-8", text, strlen (text),
                    MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result
s_handle (void *cls, struct MHD_Connection *connection, const char *url, const char *method,
          const char *version, const char *upload_data, size_t *upload_data_size, void **request)
{
    web_t *self = cls;
    atomic_fetch_add (&self->requests, 1);
    bool head = streq (method, MHD_HTTP_METHOD_HEAD);
    if (!streq (method, MHD_HTTP_METHOD_GET) && !head) {
        atomic_fetch_add (&self->bad_method, 1);
        return s_error (connection, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD");
    }
    //  Every answer is queued on the first call, with the headers: a body
    //  sent with the request is never read (MHD closes the connection)
    for (size_t index = 0; index < 3; index++)
        if (streq (url, self->assets [index].path))
            return s_reply (connection, MHD_HTTP_OK, self->assets [index].content_type,
                            self->assets [index].body, self->assets [index].size, MHD_RESPMEM_PERSISTENT);
    if (streq (url, "/events"))
        return s_serve_events (self, connection);
    if (streq (url, "/api/status"))
        return s_serve_status (self, connection);
    if (streq (url, "/api/snapshot")) {
        uint64_t seq;
        char *json = ab_webfeed_snapshot_json (self->feed, &seq);
        if (!json)
            return s_error (connection, MHD_HTTP_SERVICE_UNAVAILABLE, "no snapshot from the sink yet");
        return s_reply (connection, MHD_HTTP_OK, "application/json; charset=utf-8", json, strlen (json),
                        MHD_RESPMEM_MUST_FREE);
    }
    atomic_fetch_add (&self->not_found, 1);
    return s_error (connection, MHD_HTTP_NOT_FOUND, "no such page");
}

//  Bound what the kernel buffers for each browser, so a browser that does
//  not read stalls its connection soon and is timed out
static void
s_notify_connection (void *cls, struct MHD_Connection *connection, void **socket_context,
                     enum MHD_ConnectionNotificationCode code)
{
    web_t *self = cls;
    if (code != MHD_CONNECTION_NOTIFY_STARTED || self->options.client_buffer == 0)
        return;
    const union MHD_ConnectionInfo *info = MHD_get_connection_info (connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    int size = (int) self->options.client_buffer;
    if (info && setsockopt (info->connect_fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size) != 0)
        ab_debug ("cannot set SO_SNDBUF: %s", strerror (errno));
}

static void
s_notify_completed (void *cls, struct MHD_Connection *connection, void **request,
                    enum MHD_RequestTerminationCode code)
{
    web_t *self = cls;
    if (code == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED) {
        atomic_fetch_add (&self->timed_out, 1);
        ab_info ("closed a connection that stopped reading");
    }
}

static void
s_mhd_log (void *cls, const char *format, va_list args)
{
    char message [512];
    vsnprintf (message, sizeof message, format, args);
    size_t size = strlen (message);
    while (size && message [size - 1] == '\n')
        message [--size] = 0;
    ab_warn ("http: %s", message);
}

//  The state as one JSON text for the feed (caller frees)
static char *
s_document_text (ab_clone_t *clone)
{
    json_t *document = ab_clone_document (clone);
    char *text = json_dumps (document, JSON_COMPACT);
    json_decref (document);
    return text;
}

static char *
s_delta_text (ab_clone_t *clone, const ab_delta_t *delta)
{
    json_t *event = json_pack ("{s:I, s:s, s:s, s:s, s:O?, s:O?}", "seq", (json_int_t) delta->seq,
                               "op", delta->op, "key", delta->key, "topic", delta->topic,
                               "item", delta->item, "summary", ab_clone_summary (clone));
    char *text = event? json_dumps (event, JSON_COMPACT): NULL;
    json_decref (event);
    return text;
}

//  Follow the sink until interrupted, feeding every change to the browsers
static void
s_follow (web_t *self, ab_clone_t *clone)
{
    int64_t snapshot_at = 0;
    bool dirty = false;
    int64_t stale_warned = 0;
    while (!zsys_interrupted) {
        ab_clone_event_t event;
        ab_clone_event_kind_t kind = ab_clone_next (clone, 200, &event);
        int64_t now = ab_mono_ms ();
        if (kind == AB_CLONE_SNAPSHOT) {
            char *text = s_document_text (clone);
            if (text)
                ab_webfeed_publish_snapshot (self->feed, ab_clone_seq (clone), text, true);
            free (text);
            snapshot_at = now;
            dirty = false;
            ab_debug ("snapshot at sequence %llu", (unsigned long long) ab_clone_seq (clone));
        }
        else
        if (kind == AB_CLONE_DELTA) {
            char *text = s_delta_text (clone, event.delta);
            if (text)
                ab_webfeed_publish_delta (self->feed, event.delta->seq, text);
            else
                ab_error ("cannot encode delta %llu", (unsigned long long) event.delta->seq);
            free (text);
            dirty = true;
        }
        else
        if (kind == AB_CLONE_ERROR)
            ab_warn ("no snapshot from %s yet; retrying", self->options.snapshot);
        //  New browsers start from a recent snapshot plus the ring; a busy
        //  sink costs one document rebuild per interval, not per delta
        if (dirty && (now - snapshot_at >= self->options.snapshot_interval_ms
                      || ab_webfeed_wants_snapshot (self->feed))) {
            char *text = s_document_text (clone);
            if (text)
                ab_webfeed_publish_snapshot (self->feed, ab_clone_seq (clone), text, false);
            free (text);
            snapshot_at = now;
            dirty = false;
        }
        int64_t silent = now - ab_clone_last_heard (clone);
        bool live = kind != AB_CLONE_ERROR && silent <= self->options.stale_after_s * 1000;
        ab_webfeed_set_sink_state (self->feed, live, ab_wall_ms () - silent);
        if (!live && now - stale_warned > 5000) {
            ab_warn ("nothing from the sink for %lld s: the page shows it stale", (long long) silent / 1000);
            stale_warned = now;
        }
    }
}

int
main (int argc, char *argv [])
{
    ab_log_init ("web", AB_LOG_INFO);
    web_t web = { 0 };
    int rc = s_parse_options (argc, argv, &web.options);
    if (rc)
        return rc == 1? 0: rc;
    ab_log_init ("web", web.options.log_level);
    struct sockaddr_storage address;
    char message [256];
    if (s_resolve_listen (web.options.listen, &address, message, sizeof message) != 0) {
        ab_error ("%s", message);
        return 2;
    }
    if (s_load_assets (&web) != 0) {
        for (size_t index = 0; index < 3; index++)
            free (web.assets [index].body);
        return 1;
    }
    zsys_init ();
    zsys_set_logstream (NULL);
    ab_clone_t *clone = ab_clone_new (web.options.pub, web.options.snapshot, "", 0, message, sizeof message);
    web.feed = ab_webfeed_new ((size_t) web.options.history);
    if (!clone || !web.feed) {
        ab_error ("%s", clone? "out of memory": message);
        rc = 2;
        goto done;
    }
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
    if (address.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_Daemon *daemon = MHD_start_daemon (flags, 0, NULL, NULL, s_handle, &web,
        MHD_OPTION_EXTERNAL_LOGGER, s_mhd_log, &web,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &address,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int) web.options.max_clients,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) web.options.client_timeout_s,
        MHD_OPTION_NOTIFY_CONNECTION, s_notify_connection, &web,
        MHD_OPTION_NOTIFY_COMPLETED, s_notify_completed, &web,
        MHD_OPTION_END);
    if (!daemon) {
        ab_error ("cannot listen on %s (address in use or not local?)", web.options.listen);
        rc = 1;
        goto done;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info (daemon, MHD_DAEMON_INFO_BIND_PORT);
    unsigned int port = info? info->port: 0;
    ab_info ("serving the briefing on %s (port %u), following %s", web.options.listen, port, web.options.pub);
    if (web.options.port_file) {
        char text [16], error [256];
        int size = snprintf (text, sizeof text, "%u\n", port);
        if (ab_file_write_atomic (web.options.port_file, text, (size_t) size, error, sizeof error) != 0) {
            ab_error ("%s", error);
            rc = 1;
        }
    }
    if (rc == 0)
        s_follow (&web, clone);
    ab_webfeed_stop (web.feed);
    MHD_stop_daemon (daemon);
done:
    ab_clone_destroy (&clone);
    ab_webfeed_destroy (&web.feed);
    for (size_t index = 0; index < 3; index++)
        free (web.assets [index].body);
    return rc;
}
