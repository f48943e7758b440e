/*  =========================================================================
    test_web - allybrief-web's HTTP side, without a browser

    The real sink, a worker and allybrief-web run on ipc:// in a temporary
    directory; the producer feeds samples/, then two more articles of our
    own (one new item, one conflicting figure) while event streams are
    open.  Plain sockets talk HTTP to the server, so nothing hides what it
    sends: the snapshot JSON, the SSE stream and its ids, resuming with
    Last-Event-ID (from the ring, or from a snapshot when the ring is too
    short), the error statuses, and a client that stops reading.
    =========================================================================
*/
#include "ab_testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <czmq.h>
#include <netinet/in.h>
#include <poll.h>

#define WAIT_MS 20000

typedef struct {
    ab_fixture_t *fixture;
    int port;                   //  the main allybrief-web
    pid_t web;                  //  its process
    int extras;                 //  extra articles fed so far
} world_t;

//  ---- HTTP over a plain socket --------------------------------------------

static int
s_connect (int port, int rcvbuf)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    assert_true (fd >= 0);
    if (rcvbuf)
        setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port),
                                   .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
    assert_int_equal (connect (fd, (struct sockaddr *) &address, sizeof address), 0);
    return fd;
}

//  Event streams are asked for over HTTP/1.0, so that the body comes
//  unchunked and the SSE text can be read as it is
static void
s_send_request (int fd, const char *method, const char *path, const char *headers)
{
    char request [1024];
    const char *version = streq (path, "/events")? "1.0": "1.1";
    int size = snprintf (request, sizeof request, "%s %s HTTP/%s\r\nHost: 127.0.0.1\r\n%sConnection: close\r\n\r\n",
                         method, path, version, headers? headers: "");
    assert_int_equal (send (fd, request, (size_t) size, MSG_NOSIGNAL), size);
}

//  Read what arrives within timeout_ms into buffer (appending); returns
//  bytes read, 0 on end of stream, -1 on error (errno), -2 on timeout
static ssize_t
s_read_some (int fd, zchunk_t *buffer, int timeout_ms)
{
    struct pollfd item = { fd, POLLIN, 0 };
    if (poll (&item, 1, timeout_ms) <= 0)
        return -2;
    char data [16384];
    ssize_t size = recv (fd, data, sizeof data, 0);
    if (size > 0)
        zchunk_extend (buffer, data, (size_t) size);
    return size;
}

//  A whole response (Connection: close); returns the status, *body the
//  body (caller frees), *head_p the header block (optional, caller frees)
static int
s_http (int port, const char *method, const char *path, const char *headers, char **body_p, char **head_p)
{
    int fd = s_connect (port, 0);
    s_send_request (fd, method, path, headers);
    zchunk_t *buffer = zchunk_new (NULL, 0);
    int64_t deadline = zclock_mono () + WAIT_MS;
    ssize_t got = 1;
    while (got != 0 && got != -1 && zclock_mono () < deadline)
        got = s_read_some (fd, buffer, 1000);
    close (fd);
    zchunk_extend (buffer, "", 1);
    char *text = (char *) zchunk_data (buffer);
    int status = 0;
    assert_int_equal (sscanf (text, "HTTP/1.1 %d", &status), 1);
    char *end = strstr (text, "\r\n\r\n");
    assert_non_null (end);
    *end = 0;
    if (body_p)
        *body_p = strdup (end + 4);
    if (head_p)
        *head_p = strdup (text);
    zchunk_destroy (&buffer);
    return status;
}

static json_t *
s_get_json (int port, const char *path)
{
    char *body;
    assert_int_equal (s_http (port, "GET", path, NULL, &body, NULL), 200);
    json_t *json = json_loads (body, 0, NULL);
    free (body);
    assert_non_null (json);
    return json;
}

//  ---- SSE -------------------------------------------------------------------

typedef struct {
    int fd;
    zchunk_t *buffer;           //  bytes not yet parsed
    bool headers_done;
} stream_t;

typedef struct {
    char name [32];
    long long id;               //  -1 without id
    char *data;
} event_t;

static stream_t
s_stream_open (int port, const char *last_event_id)
{
    char headers [128] = "Accept: text/event-stream\r\n";
    if (last_event_id)
        snprintf (headers, sizeof headers, "Accept: text/event-stream\r\nLast-Event-ID: %s\r\n", last_event_id);
    stream_t stream = { s_connect (port, 0), zchunk_new (NULL, 0), false };
    s_send_request (stream.fd, "GET", "/events", headers);
    return stream;
}

static void
s_stream_close (stream_t *stream)
{
    close (stream->fd);
    zchunk_destroy (&stream->buffer);
}

//  Take the first "\n\n"-terminated block from the buffer (caller frees)
static char *
s_take_block (zchunk_t *buffer, const char *separator)
{
    size_t size = zchunk_size (buffer);
    char *data = (char *) zchunk_data (buffer);
    char *found = size? memmem (data, size, separator, strlen (separator)): NULL;
    if (!found)
        return NULL;
    size_t used = (size_t) (found - data) + strlen (separator);
    char *block = strndup (data, (size_t) (found - data));
    zchunk_t *rest = zchunk_new (data + used, size - used);
    zchunk_set (buffer, zchunk_data (rest), zchunk_size (rest));
    zchunk_destroy (&rest);
    return block;
}

//  The next event, skipping the response head, retry lines and comments;
//  false if none arrives within timeout_ms or the stream ends
static bool
s_next_event (stream_t *stream, event_t *event, int timeout_ms)
{
    memset (event, 0, sizeof *event);
    int64_t deadline = zclock_mono () + timeout_ms;
    while (true) {
        if (!stream->headers_done) {
            char *head = s_take_block (stream->buffer, "\r\n\r\n");
            if (head) {
                assert_non_null (strstr (head, " 200 "));
                assert_non_null (strstr (head, "text/event-stream"));
                stream->headers_done = true;
                free (head);
            }
        }
        char *block = stream->headers_done? s_take_block (stream->buffer, "\n\n"): NULL;
        if (block) {
            event->id = -1;
            bool any = false;
            char *save = NULL;
            for (char *line = strtok_r (block, "\n", &save); line; line = strtok_r (NULL, "\n", &save)) {
                char *cr = strchr (line, '\r');
                if (cr)
                    *cr = 0;
                if (strncmp (line, "event: ", 7) == 0) {
                    snprintf (event->name, sizeof event->name, "%s", line + 7);
                    any = true;
                }
                else
                if (strncmp (line, "id: ", 4) == 0)
                    event->id = atoll (line + 4);
                else
                if (strncmp (line, "data: ", 6) == 0) {
                    free (event->data);
                    event->data = strdup (line + 6);
                }
            }
            free (block);
            if (any)
                return true;
            free (event->data);
            event->data = NULL;
            continue;
        }
        int64_t left = deadline - zclock_mono ();
        if (left <= 0 || s_read_some (stream->fd, stream->buffer, (int) left) <= 0)
            return false;
    }
}

//  The next snapshot or delta event (status events skipped)
static bool
s_next_change (stream_t *stream, event_t *event, int timeout_ms)
{
    int64_t deadline = zclock_mono () + timeout_ms;
    while (zclock_mono () < deadline) {
        if (!s_next_event (stream, event, (int) (deadline - zclock_mono ())))
            return false;
        if (!streq (event->name, "status"))
            return true;
        free (event->data);
    }
    return false;
}

//  ---- the pipeline ----------------------------------------------------------

static pid_t
s_start_web (ab_fixture_t *fixture, const char *name, const char *const *extra, int *port)
{
    char port_file [512];
    snprintf (port_file, sizeof port_file, "%s/%s.port", fixture->dir, name);
    const char *args [32] = { "--pub", fixture->endpoints [3], "--snapshot", fixture->endpoints [4],
                              "--listen", "127.0.0.1:0", "--port-file", port_file };
    size_t count = 8;
    for (; extra && *extra && count < 31; extra++)
        args [count++] = *extra;
    args [count] = NULL;
    pid_t pid = ab_procs_start (fixture->procs, "allybrief-web", args, fixture->log, NULL);
    assert_true (pid > 0);
    int64_t deadline = zclock_mono () + WAIT_MS;
    char *text = NULL;
    while (!text && zclock_mono () < deadline) {
        text = ab_test_read (port_file);
        if (!text)
            zclock_sleep (50);
    }
    if (!text)
        ab_test_show_log (fixture->log);
    assert_non_null (text);
    *port = atoi (text);
    free (text);
    assert_true (*port > 0);
    return pid;
}

static void
s_produce (ab_fixture_t *fixture, const char *input, const char *name)
{
    char journal [512];
    snprintf (journal, sizeof journal, "%s/%s.journal", fixture->dir, name);
    const char *args [] = { "--work", fixture->endpoints [0], "--ack", fixture->endpoints [1], "--journal",
                            journal, "--dead-letter", fixture->dead_letter, "--exit-when-done", "-q",
                            input, NULL };
    pid_t producer = ab_procs_start (fixture->procs, "allybrief-producer", args, fixture->log, NULL);
    int status = ab_procs_wait (fixture->procs, producer, 60000);
    if (status != 0)
        ab_test_show_log (fixture->log);
    assert_int_equal (status, 0);
}

static void
s_write (const char *dir, const char *name, const char *text)
{
    char path [512];
    snprintf (path, sizeof path, "%s/%s", dir, name);
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    fputs (text, file);
    fclose (file);
}

//  Two more articles, written for this test: a new item (U.S. troops in
//  Australia) and a figure for U.S. troops in Korea that differs from the
//  samples' (a conflict); round makes each call's articles distinct
static void
s_feed_extra_articles (world_t *world)
{
    int round = ++world->extras;
    char *dir = zsys_sprintf ("%s/extra%d", world->fixture->dir, round);
    zsys_dir_create (dir);
    char text [1024];
    snprintf (text, sizeof text,
        "Title: Garrison count revised (%d)\nSource: Harbor Ledger Weekly\n"
        "URL: https://news.example.org/harbor-ledger/garrison-%d\nPublished: 2026-06-1%d\n\n"
        "SEOUL - About 27,000 U.S. troops are stationed in South Korea after the spring rotation, "
        "a defense ministry spokesperson told reporters in update number %d.\n", round, round, round % 10, round);
    s_write (dir, "korea.txt", text);
    snprintf (text, sizeof text,
        "Title: Darwin rotation grows (%d)\nSource: Top End Dispatch\n"
        "URL: https://news.example.net/top-end/darwin-%d\nPublished: 2026-06-1%d\n\n"
        "DARWIN - About 2,500 U.S. troops are stationed in Australia this dry season, "
        "officials in Canberra said in release number %d.\n", round, round, round % 10, round);
    s_write (dir, "australia.txt", text);
    s_produce (world->fixture, dir, "extra");
    zstr_free (&dir);
}

static int
s_setup (void **state)
{
    world_t *world = calloc (1, sizeof *world);
    world->fixture = ab_fixture_new ();
    if (!world->fixture)
        return -1;
    ab_fixture_t *fixture = world->fixture;
    zsys_dir_create (fixture->out);
    const char *sink_args [] = { "--results", fixture->endpoints [2], "--pub", fixture->endpoints [3],
                                 "--snapshot", fixture->endpoints [4], "--ack", fixture->endpoints [1],
                                 "--out", fixture->out, "--state", fixture->state_db, "-q", NULL };
    const char *worker_args [] = { "--work", fixture->endpoints [0], "--results", fixture->endpoints [2],
                                   "-q", NULL };
    if (ab_procs_start (fixture->procs, "allybrief-sink", sink_args, fixture->log, NULL) <= 0
    ||  ab_procs_start (fixture->procs, "allybrief-worker", worker_args, fixture->log, NULL) <= 0)
        return -1;
    *state = world;
    world->web = s_start_web (fixture, "web", NULL, &world->port);
    s_produce (fixture, "samples", "samples");
    //  Wait until the web server holds the whole demo briefing
    int64_t deadline = zclock_mono () + WAIT_MS;
    long long articles = 0;
    while (articles < 14 && zclock_mono () < deadline) {
        char *body = NULL;
        if (s_http (world->port, "GET", "/api/snapshot", NULL, &body, NULL) == 200) {
            json_t *document = json_loads (body, 0, NULL);
            articles = json_integer_value (json_object_get (json_object_get (document, "summary"), "articles"));
            json_decref (document);
        }
        free (body);
        if (articles < 14)
            zclock_sleep (100);
    }
    return articles == 14? 0: -1;
}

static int
s_teardown (void **state)
{
    world_t *world = *state;
    if (world) {
        ab_fixture_destroy (&world->fixture);
        free (world);
    }
    return 0;
}

//  ---- tests -----------------------------------------------------------------

//  Wait until the server at port has applied sequence at least seq; returns
//  the sequence it has
static long long
s_wait_seq (int port, long long seq)
{
    int64_t deadline = zclock_mono () + WAIT_MS;
    long long have = 0;
    while (zclock_mono () < deadline) {
        json_t *status = s_get_json (port, "/api/status");
        have = json_integer_value (json_object_get (status, "seq"));
        json_decref (status);
        if (have >= seq)
            break;
        zclock_sleep (100);
    }
    assert_true (have >= seq);
    return have;
}

static void
test_page_assets_and_errors (void **state)
{
    world_t *world = *state;
    char *body, *head;
    assert_int_equal (s_http (world->port, "GET", "/", NULL, &body, &head), 200);
    assert_non_null (strstr (head, "text/html"));
    assert_non_null (strstr (head, "Content-Security-Policy: default-src 'self'"));
    assert_non_null (strstr (body, "<script src=\"/app.js\">"));
    //  Offline: the page refers to nothing outside the server
    assert_null (strstr (body, "http://"));
    assert_null (strstr (body, "https://"));
    free (body);
    free (head);
    assert_int_equal (s_http (world->port, "GET", "/app.js", NULL, &body, &head), 200);
    assert_non_null (strstr (head, "text/javascript"));
    assert_non_null (strstr (body, "EventSource"));
    free (body);
    free (head);
    assert_int_equal (s_http (world->port, "GET", "/app.css", NULL, NULL, NULL), 200);
    assert_int_equal (s_http (world->port, "GET", "/no/such/page", NULL, &body, NULL), 404);
    assert_non_null (strstr (body, "\"status\":404"));
    free (body);
    assert_int_equal (s_http (world->port, "POST", "/api/snapshot", "Content-Length: 0\r\n", NULL, &head), 405);
    assert_non_null (strstr (head, "Allow: GET, HEAD"));
    free (head);
    assert_int_equal (s_http (world->port, "DELETE", "/", NULL, NULL, NULL), 405);
    assert_int_equal (s_http (world->port, "GET", "/events", "Last-Event-ID: seven\r\n", NULL, NULL), 400);
    assert_int_equal (s_http (world->port, "GET", "/events", "Last-Event-ID: -3\r\n", NULL, NULL), 400);
    json_t *status = s_get_json (world->port, "/api/status");
    assert_true (json_integer_value (json_object_get (status, "not_found")) >= 1);
    assert_true (json_integer_value (json_object_get (status, "bad_method")) >= 2);
    assert_true (json_integer_value (json_object_get (status, "bad_requests")) >= 2);
    json_decref (status);
}

static void
test_snapshot_json (void **state)
{
    world_t *world = *state;
    json_t *document = s_get_json (world->port, "/api/snapshot");
    assert_string_equal (json_string_value (json_object_get (document, "schema")), "allybrief.briefing/1");
    json_t *summary = json_object_get (document, "summary");
    assert_int_equal (json_integer_value (json_object_get (summary, "articles")), 14 + 2 * world->extras);
    json_t *items = json_object_get (document, "items");
    assert_int_equal (json_array_size (items), json_integer_value (json_object_get (summary, "items")));
    assert_true (json_integer_value (json_object_get (document, "seq")) > 0);
    //  Conflicts first, and the demo corpus has one
    assert_true (json_is_true (json_object_get (json_array_get (items, 0), "conflict")));
    json_decref (document);
}

static void
test_stream_and_resume (void **state)
{
    world_t *world = *state;
    //  A browser that connects late gets the state first
    stream_t live = s_stream_open (world->port, NULL);
    event_t event;
    assert_true (s_next_change (&live, &event, WAIT_MS));
    assert_string_equal (event.name, "snapshot");
    long long start = event.id;
    assert_true (start > 0);
    json_t *document = json_loads (event.data, 0, NULL);
    assert_int_equal (json_integer_value (json_object_get (document, "seq")), start);
    json_decref (document);
    free (event.data);

    //  Then every change, numbered without gap or duplicate
    s_feed_extra_articles (world);
    char *seen [64] = { NULL };
    long long last = start;
    bool australia = false, korea_conflict = false;
    while ((!australia || !korea_conflict) && last - start < 64) {
        assert_true (s_next_change (&live, &event, WAIT_MS));
        assert_string_equal (event.name, "delta");
        assert_int_equal (event.id, last + 1);
        last = event.id;
        json_t *delta = json_loads (event.data, 0, NULL);
        assert_non_null (delta);
        assert_int_equal (json_integer_value (json_object_get (delta, "seq")), event.id);
        const char *key = json_string_value (json_object_get (delta, "key"));
        if (streq (key, "force_posture{country=US,host=AU,measure=troops}"))
            australia = true;
        if (streq (key, "force_posture{country=US,host=KR,measure=troops}"))
            korea_conflict = json_is_true (json_object_get (json_object_get (delta, "item"), "conflict"));
        json_decref (delta);
        seen [last - start - 1] = event.data;
    }
    s_stream_close (&live);

    //  A browser that reconnects from `start` gets exactly the same deltas
    char id [32];
    snprintf (id, sizeof id, "%lld", start);
    stream_t resumed = s_stream_open (world->port, id);
    for (long long seq = start + 1; seq <= last; seq++) {
        assert_true (s_next_change (&resumed, &event, WAIT_MS));
        assert_string_equal (event.name, "delta");
        assert_int_equal (event.id, seq);
        assert_string_equal (event.data, seen [seq - start - 1]);
        free (event.data);
    }
    s_stream_close (&resumed);

    //  One that is up to date gets nothing but status until a change
    snprintf (id, sizeof id, "%lld", last);
    stream_t current = s_stream_open (world->port, id);
    assert_true (s_next_event (&current, &event, WAIT_MS));
    assert_string_equal (event.name, "status");
    assert_non_null (strstr (event.data, "\"sink\":\"live\""));
    free (event.data);
    s_stream_close (&current);

    //  Resuming from further back than the history holds gets a snapshot,
    //  then the deltas after it, without a gap
    int short_port;
    const char *short_history [] = { "--history", "1", NULL };
    s_start_web (world->fixture, "short", short_history, &short_port);
    long long short_start = s_wait_seq (short_port, last);
    s_feed_extra_articles (world);
    long long short_last = s_wait_seq (short_port, short_start + 2);
    snprintf (id, sizeof id, "%lld", short_start);
    stream_t old = s_stream_open (short_port, id);
    assert_true (s_next_change (&old, &event, WAIT_MS));
    assert_string_equal (event.name, "snapshot");
    long long seq = event.id;
    assert_true (seq > short_start);
    free (event.data);
    while (seq < short_last) {
        assert_true (s_next_change (&old, &event, WAIT_MS));
        assert_string_equal (event.name, "delta");
        assert_int_equal (event.id, seq + 1);
        seq = event.id;
        free (event.data);
    }
    s_stream_close (&old);

    json_t *status = s_get_json (world->port, "/api/status");
    assert_true (json_integer_value (json_object_get (status, "streams_resumed")) >= 2);
    json_decref (status);
    for (size_t index = 0; index < 64; index++)
        free (seen [index]);
}

static void
test_client_that_does_not_read_is_disconnected (void **state)
{
    world_t *world = *state;
    int port;
    const char *strict [] = { "--client-timeout", "1", "--keepalive", "300", "--client-buffer", "4096", NULL };
    s_start_web (world->fixture, "strict", strict, &port);
    char *snapshot;
    assert_int_equal (s_http (port, "GET", "/api/snapshot", NULL, &snapshot, NULL), 200);
    size_t snapshot_size = strlen (snapshot);
    free (snapshot);

    //  A tiny receive window and no reading: the server's writes stall
    int fd = s_connect (port, 2048);
    s_send_request (fd, "GET", "/events", NULL);
    int64_t deadline = zclock_mono () + WAIT_MS;
    long long timed_out = 0;
    while (timed_out == 0 && zclock_mono () < deadline) {
        zclock_sleep (200);
        json_t *status = s_get_json (port, "/api/status");
        timed_out = json_integer_value (json_object_get (status, "timed_out"));
        json_decref (status);
    }
    assert_int_equal (timed_out, 1);
    //  It got part of the snapshot, then the end of the connection
    zchunk_t *received = zchunk_new (NULL, 0);
    ssize_t size;
    deadline = zclock_mono () + WAIT_MS;
    while ((size = s_read_some (fd, received, 1000)) > 0 && zclock_mono () < deadline)
        ;
    assert_true (size == 0 || (size == -1 && errno == ECONNRESET));
    assert_true (zchunk_size (received) < snapshot_size);
    zchunk_destroy (&received);
    close (fd);

    //  While a reading client on the same server keeps its stream
    stream_t reader = s_stream_open (port, NULL);
    event_t event;
    assert_true (s_next_change (&reader, &event, WAIT_MS));
    assert_string_equal (event.name, "snapshot");
    free (event.data);
    assert_true (s_next_event (&reader, &event, WAIT_MS));
    free (event.data);
    s_stream_close (&reader);
}

//  SIGTERM ends open streams and the server exits 0 (under ASan, also
//  without leaks: a leak report makes the exit status non-zero)
static void
test_stops_cleanly_with_open_streams (void **state)
{
    world_t *world = *state;
    stream_t stream = s_stream_open (world->port, NULL);
    event_t event;
    assert_true (s_next_change (&stream, &event, WAIT_MS));
    free (event.data);
    int status = ab_procs_stop (world->fixture->procs, world->web, WAIT_MS);
    if (status != 0)
        ab_test_show_log (world->fixture->log);
    assert_int_equal (status, 0);
    ssize_t size;
    int64_t deadline = zclock_mono () + WAIT_MS;
    while ((size = s_read_some (stream.fd, stream.buffer, 1000)) != 0 && size != -1 && zclock_mono () < deadline)
        ;
    assert_true (size == 0 || size == -1);
    s_stream_close (&stream);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_page_assets_and_errors),
        cmocka_unit_test (test_snapshot_json),
        cmocka_unit_test (test_stream_and_resume),
        cmocka_unit_test (test_client_that_does_not_read_is_disconnected),
        cmocka_unit_test (test_stops_cleanly_with_open_streams),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
