/*  =========================================================================
    ab_source_feeds - articles from RSS/Atom feeds polled over HTTP(S)

    The feeds file lists one feed a line:

        URL INTERVAL [timeout=SECONDS] [max-bytes=BYTES] [NAME...]

    URL is http:// or https://, INTERVAL the seconds between polls, NAME
    (the rest of the line) labels the feed's articles as their source and
    its log lines; '#' starts a comment.  A bad line stops the producer at
    start with FILE:LINE and the reason.

    Why it is built this way:
    - One thread.  libcurl's multi interface is driven through its socket
      and timer callbacks: curl's sockets and a timerfd (curl's timeouts and
      the next poll due) sit in one epoll set, and that epoll fd is the
      source fd the producer polls.  A slow feed never blocks the producer's
      acks and heartbeats, and an idle source costs nothing.
    - Conditional GET (If-None-Match / If-Modified-Since) with the
      validators kept in ab_feedstate; a 304 sends nothing.
    - Items are deduplicated per feed by key (guid / id / link) in
      ab_feedstate, across polls and restarts.  A feed is not polled again
      while it still has items waiting for room in the producer's queue.
    - Every fault (no connection, timeout, HTTP error, redirect loop, body
      over max-bytes, malformed XML) is logged with the feed's URL and the
      reason, counted, and retried with exponential backoff starting at
      min(INTERVAL, 30 s) and capped at an hour; other feeds go on.
    - Only http and https, also after redirects (at most 5).
    - Items become articles through ab_intake, like every other input;
      refused items are dead-lettered (and remembered, so not refused again
      on every poll).  A date that is neither RFC 822 nor RFC 3339 is
      logged and dropped; the article keeps its body.
    =========================================================================
*/
#include "ab_source.h"
#include "ab_date.h"
#include "ab_feed.h"
#include "ab_feedstate.h"
#include "ab_intake.h"
#include "ab_log.h"
#include "ab_number.h"

#include <curl/curl.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_S   30
#define DEFAULT_MAX_BYTES   (4 * 1024 * 1024)
#define MAX_REDIRECTS       5
#define MAX_BACKOFF_MS      (3600 * 1000)
#define MAX_BACKOFF_BASE_MS (30 * 1000)

typedef struct {
    char *url;
    char *name;
    int64_t interval_ms;
    int64_t timeout_ms;
    size_t max_bytes;
    //  Schedule and health
    int64_t next_due_ms;
    uint32_t failures;          //  consecutive
    //  The transfer under way, if any
    CURL *easy;
    struct curl_slist *headers;
    zchunk_t *body;
    bool oversized;
    char curl_error [CURL_ERROR_SIZE];
    char *new_etag;             //  from the response being handled
    char *new_last_modified;
    //  Validators of the last response fully handed on
    char *etag;
    char *last_modified;
    size_t waiting;             //  items of this feed still queued here
    bool validators_due;        //  store new_* once waiting reaches 0
    //  Counters for progress reports
    uint64_t polls, not_modified, items_new, errors;
    char last_error [256];
} feed_t;

typedef struct {
    feed_t *feed;
    ab_feed_item_t *item;
} pending_t;

typedef struct {
    char *path;
    feed_t **feeds;
    size_t feed_count;
    ab_feedstate_t *state;
    CURLM *multi;
    int epoll_fd;
    int timer_fd;
    int64_t curl_deadline_ms;   //  when curl wants its timeout action
    zlistx_t *pending;          //  pending_t, new items in feed order
    size_t max_body;
} feeds_state_t;

static void
s_feed_destroy (feed_t **self_p)
{
    feed_t *self = *self_p;
    if (!self)
        return;
    free (self->url);
    free (self->name);
    zchunk_destroy (&self->body);
    curl_slist_free_all (self->headers);
    free (self->new_etag);
    free (self->new_last_modified);
    free (self->etag);
    free (self->last_modified);
    free (self);
    *self_p = NULL;
}

static void
s_feeds_destroy (void **state_p)
{
    feeds_state_t *self = *state_p;
    if (!self)
        return;
    for (size_t index = 0; index < self->feed_count; index++) {
        feed_t *feed = self->feeds [index];
        if (feed->easy) {
            curl_multi_remove_handle (self->multi, feed->easy);
            curl_easy_cleanup (feed->easy);
        }
        s_feed_destroy (&feed);
    }
    free (self->feeds);
    if (self->multi)
        curl_multi_cleanup (self->multi);
    if (self->pending) {
        for (pending_t *entry = zlistx_first (self->pending); entry; entry = zlistx_next (self->pending)) {
            ab_feed_item_destroy (&entry->item);
            free (entry);
        }
        zlistx_destroy (&self->pending);
    }
    if (self->epoll_fd >= 0)
        close (self->epoll_fd);
    if (self->timer_fd >= 0)
        close (self->timer_fd);
    ab_feedstate_destroy (&self->state);
    free (self->path);
    free (self);
    curl_global_cleanup ();
    *state_p = NULL;
}

//  -------------------------------------------------------------------------
//  The feeds file

//  Parse one non-blank line into a feed, or fill error
static feed_t *
s_parse_line (char *line, char *error, size_t errlen)
{
    char *save = NULL;
    char *url = strtok_r (line, " \t", &save);
    char *interval = strtok_r (NULL, " \t", &save);
    if (strncmp (url, "http://", 7) != 0 && strncmp (url, "https://", 8) != 0) {
        snprintf (error, errlen, "'%s' is not an http:// or https:// URL", url);
        return NULL;
    }
    int64_t seconds;
    if (!interval || !ab_number_parse (interval, 1, 7 * 24 * 3600, &seconds)) {
        snprintf (error, errlen, "the poll interval must be whole seconds from 1 to 604800, not '%s'",
                  interval? interval: "");
        return NULL;
    }
    feed_t *feed = calloc (1, sizeof *feed);
    feed->url = strdup (url);
    feed->interval_ms = seconds * 1000;
    feed->timeout_ms = DEFAULT_TIMEOUT_S * 1000;
    feed->max_bytes = DEFAULT_MAX_BYTES;
    char *rest = save + strspn (save, " \t");
    while (*rest) {
        size_t length = strcspn (rest, " \t");
        bool last = rest [length] == 0;
        int64_t value;
        if (strncmp (rest, "timeout=", 8) == 0) {
            rest [length] = 0;
            if (!ab_number_parse (rest + 8, 1, 3600, &value)) {
                snprintf (error, errlen, "timeout= needs whole seconds from 1 to 3600, not '%s'", rest + 8);
                s_feed_destroy (&feed);
                return NULL;
            }
            feed->timeout_ms = value * 1000;
        }
        else
        if (strncmp (rest, "max-bytes=", 10) == 0) {
            rest [length] = 0;
            if (!ab_number_parse (rest + 10, 1024, INT32_MAX, &value)) {
                snprintf (error, errlen, "max-bytes= needs a size from 1024 bytes to 2 GiB, not '%s'", rest + 10);
                s_feed_destroy (&feed);
                return NULL;
            }
            feed->max_bytes = (size_t) value;
        }
        else
            break;                      //  the name starts here
        rest += last? length: length + 1;
        rest += strspn (rest, " \t");
    }
    feed->name = strdup (*rest? rest: url);
    return feed;
}

static int
s_load_feeds (feeds_state_t *self, char *errbuf, size_t errlen)
{
    FILE *file = fopen (self->path, "re");
    if (!file) {
        snprintf (errbuf, errlen, "cannot read feeds file %s: %s", self->path, strerror (errno));
        return -1;
    }
    char *line = NULL;
    size_t capacity = 0;
    int number = 0;
    int rc = 0;
    size_t allocated = 0;
    while (rc == 0 && getline (&line, &capacity, file) > 0) {
        number++;
        line [strcspn (line, "#\r\n")] = 0;
        size_t length = strlen (line);
        while (length > 0 && (line [length - 1] == ' ' || line [length - 1] == '\t'))
            line [--length] = 0;
        if (strspn (line, " \t") == length)
            continue;
        char error [200];
        feed_t *feed = s_parse_line (line, error, sizeof error);
        if (!feed) {
            snprintf (errbuf, errlen, "%s:%d: %s", self->path, number, error);
            rc = -1;
            break;
        }
        for (size_t index = 0; index < self->feed_count; index++)
            if (streq (self->feeds [index]->url, feed->url)) {
                snprintf (errbuf, errlen, "%s:%d: %s is already listed", self->path, number, feed->url);
                s_feed_destroy (&feed);
                rc = -1;
                break;
            }
        if (!feed)
            break;
        if (self->feed_count == allocated) {
            allocated = allocated? allocated * 2: 16;
            self->feeds = realloc (self->feeds, allocated * sizeof (feed_t *));
        }
        self->feeds [self->feed_count++] = feed;
    }
    free (line);
    fclose (file);
    if (rc == 0 && self->feed_count == 0) {
        snprintf (errbuf, errlen, "%s: no feeds listed", self->path);
        rc = -1;
    }
    return rc;
}

//  -------------------------------------------------------------------------
//  libcurl plumbing: sockets and timeouts into our epoll set

static int
s_on_socket (CURL *easy, curl_socket_t socket, int what, void *user, void *socket_user)
{
    feeds_state_t *self = user;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl (self->epoll_fd, EPOLL_CTL_DEL, socket, NULL);
        return 0;
    }
    struct epoll_event event = { .events = 0, .data.fd = socket };
    if (what & CURL_POLL_IN)
        event.events |= EPOLLIN;
    if (what & CURL_POLL_OUT)
        event.events |= EPOLLOUT;
    if (epoll_ctl (self->epoll_fd, EPOLL_CTL_MOD, socket, &event) < 0
    &&  epoll_ctl (self->epoll_fd, EPOLL_CTL_ADD, socket, &event) < 0)
        ab_error ("feeds: cannot watch a connection: %s", strerror (errno));
    return 0;
}

static int
s_on_timer (CURLM *multi, long timeout_ms, void *user)
{
    feeds_state_t *self = user;
    self->curl_deadline_ms = timeout_ms < 0? INT64_MAX: ab_mono_ms () + timeout_ms;
    return 0;
}

static size_t
s_on_body (char *data, size_t size, size_t count, void *user)
{
    feed_t *feed = user;
    size_t bytes = size * count;
    if (zchunk_size (feed->body) + bytes > feed->max_bytes) {
        feed->oversized = true;
        return 0;                       //  aborts the transfer
    }
    zchunk_extend (feed->body, data, bytes);
    return bytes;
}

//  Keep ETag and Last-Modified of the final response (after redirects)
static size_t
s_on_header (char *data, size_t size, size_t count, void *user)
{
    feed_t *feed = user;
    size_t bytes = size * count;
    char *line = strndup (data, bytes);
    line [strcspn (line, "\r\n")] = 0;
    char *colon = strchr (line, ':');
    if (strncmp (line, "HTTP/", 5) == 0) {
        zstr_free (&feed->new_etag);
        zstr_free (&feed->new_last_modified);
    }
    else
    if (colon) {
        *colon = 0;
        const char *value = colon + 1 + strspn (colon + 1, " \t");
        if (strcasecmp (line, "ETag") == 0) {
            free (feed->new_etag);
            feed->new_etag = strdup (value);
        }
        else
        if (strcasecmp (line, "Last-Modified") == 0) {
            free (feed->new_last_modified);
            feed->new_last_modified = strdup (value);
        }
    }
    free (line);
    return bytes;
}

static void s_poll_failed (feed_t *feed, const char *reason);

static void
s_start_poll (feeds_state_t *self, feed_t *feed)
{
    CURL *easy = curl_easy_init ();
    if (!easy) {
        ab_error ("feed %s: cannot start a transfer (out of memory)", feed->url);
        feed->next_due_ms = ab_mono_ms () + feed->interval_ms;
        return;
    }
    feed->body = zchunk_new (NULL, 64 * 1024);
    feed->oversized = false;
    feed->curl_error [0] = 0;
    zstr_free (&feed->new_etag);
    zstr_free (&feed->new_last_modified);
    if (feed->etag && *feed->etag) {
        char *header = zsys_sprintf ("If-None-Match: %s", feed->etag);
        feed->headers = curl_slist_append (feed->headers, header);
        zstr_free (&header);
    }
    if (feed->last_modified && *feed->last_modified) {
        char *header = zsys_sprintf ("If-Modified-Since: %s", feed->last_modified);
        feed->headers = curl_slist_append (feed->headers, header);
        zstr_free (&header);
    }
    curl_easy_setopt (easy, CURLOPT_URL, feed->url);
    curl_easy_setopt (easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt (easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt (easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt (easy, CURLOPT_MAXREDIRS, (long) MAX_REDIRECTS);
    curl_easy_setopt (easy, CURLOPT_TIMEOUT_MS, (long) feed->timeout_ms);
    curl_easy_setopt (easy, CURLOPT_CONNECTTIMEOUT_MS, (long) (feed->timeout_ms < 10000? feed->timeout_ms: 10000));
    curl_easy_setopt (easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) feed->max_bytes);
    curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt (easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt (easy, CURLOPT_USERAGENT, "allybrief-producer (feeds)");
    curl_easy_setopt (easy, CURLOPT_HTTPHEADER, feed->headers);
    curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, s_on_body);
    curl_easy_setopt (easy, CURLOPT_WRITEDATA, feed);
    curl_easy_setopt (easy, CURLOPT_HEADERFUNCTION, s_on_header);
    curl_easy_setopt (easy, CURLOPT_HEADERDATA, feed);
    curl_easy_setopt (easy, CURLOPT_ERRORBUFFER, feed->curl_error);
    curl_easy_setopt (easy, CURLOPT_PRIVATE, feed);
    feed->easy = easy;
    feed->polls++;
    if (curl_multi_add_handle (self->multi, easy) != CURLM_OK) {
        curl_easy_cleanup (easy);
        feed->easy = NULL;
        zchunk_destroy (&feed->body);
        curl_slist_free_all (feed->headers);
        feed->headers = NULL;
        s_poll_failed (feed, "cannot start a transfer");
    }
}

//  -------------------------------------------------------------------------
//  Results of a poll

static void
s_poll_failed (feed_t *feed, const char *reason)
{
    feed->failures++;
    feed->errors++;
    snprintf (feed->last_error, sizeof feed->last_error, "%s", reason);
    int64_t base = feed->interval_ms < MAX_BACKOFF_BASE_MS? feed->interval_ms: MAX_BACKOFF_BASE_MS;
    int64_t delay = base;
    for (uint32_t step = 1; step < feed->failures && delay < MAX_BACKOFF_MS; step++)
        delay *= 2;
    if (delay > MAX_BACKOFF_MS)
        delay = MAX_BACKOFF_MS;
    feed->next_due_ms = ab_mono_ms () + delay;
    //  An unnamed feed is named by its URL: say it once
    char label [600];
    if (streq (feed->name, feed->url))
        snprintf (label, sizeof label, "%s", feed->url);
    else
        snprintf (label, sizeof label, "%s (%s)", feed->name, feed->url);
    ab_warn ("feed %s: %s; retry in %lld s (failure %u in a row)", label, reason,
             (long long) ((delay + 999) / 1000), feed->failures);
}

static void
s_poll_succeeded (feed_t *feed)
{
    if (feed->failures)
        ab_info ("feed %s (%s): recovered after %u failures", feed->name, feed->url, feed->failures);
    feed->failures = 0;
    feed->next_due_ms = ab_mono_ms () + feed->interval_ms;
}

//  Store validators once everything from their response is handed on
static void
s_commit_validators (feeds_state_t *self, feed_t *feed)
{
    if (!feed->validators_due || feed->waiting > 0)
        return;
    feed->validators_due = false;
    free (feed->etag);
    free (feed->last_modified);
    feed->etag = feed->new_etag? feed->new_etag: strdup ("");
    feed->last_modified = feed->new_last_modified? feed->new_last_modified: strdup ("");
    feed->new_etag = NULL;
    feed->new_last_modified = NULL;
    ab_feedstate_set_validators (self->state, feed->url, feed->etag, feed->last_modified);
}

static void
s_take_items (feeds_state_t *self, feed_t *feed)
{
    char error [256] = "";
    size_t keyless = 0;
    zlistx_t *items = ab_feed_parse ((const char *) zchunk_data (feed->body), zchunk_size (feed->body),
                                     feed->url, &keyless, error, sizeof error);
    if (!items) {
        s_poll_failed (feed, error);
        return;
    }
    if (keyless)
        ab_warn ("feed %s (%s): %zu items without guid, id, link or title ignored",
                 feed->name, feed->url, keyless);
    size_t fresh = 0;
    zhashx_t *keys = zhashx_new ();             //  a key twice in one document
    for (ab_feed_item_t *item = zlistx_first (items); item; item = zlistx_next (items)) {
        if (zhashx_lookup (keys, item->key) || ab_feedstate_seen (self->state, feed->url, item->key))
            continue;
        zhashx_insert (keys, item->key, (void *) 1);
        pending_t *entry = calloc (1, sizeof *entry);
        entry->feed = feed;
        entry->item = zlistx_detach_cur (items);
        zlistx_add_end (self->pending, entry);
        fresh++;
    }
    zhashx_destroy (&keys);
    zlistx_destroy (&items);
    feed->waiting += fresh;
    feed->items_new += fresh;
    if (fresh)
        ab_info ("feed %s: %zu new items", feed->name, fresh);
    feed->validators_due = true;
    s_commit_validators (self, feed);
    s_poll_succeeded (feed);
}

static void
s_poll_done (feeds_state_t *self, CURL *easy, CURLcode result)
{
    char *private = NULL;
    curl_easy_getinfo (easy, CURLINFO_PRIVATE, &private);
    feed_t *feed = (feed_t *) private;
    long status = 0;
    curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle (self->multi, easy);
    curl_easy_cleanup (easy);
    feed->easy = NULL;
    curl_slist_free_all (feed->headers);
    feed->headers = NULL;
    char reason [320];
    if (feed->oversized || result == CURLE_FILESIZE_EXCEEDED) {
        snprintf (reason, sizeof reason, "response larger than %zu bytes", feed->max_bytes);
        s_poll_failed (feed, reason);
    }
    else
    if (result != CURLE_OK) {
        snprintf (reason, sizeof reason, "%s", feed->curl_error [0]? feed->curl_error:
                                                curl_easy_strerror (result));
        s_poll_failed (feed, reason);
    }
    else
    if (status == 304) {
        feed->not_modified++;
        s_poll_succeeded (feed);
    }
    else
    if (status != 200) {
        snprintf (reason, sizeof reason, "HTTP %ld", status);
        s_poll_failed (feed, reason);
    }
    else
        s_take_items (self, feed);
    zchunk_destroy (&feed->body);
}

//  Turn a pending item into an article, or dead-letter it
static ab_article_t *
s_make_article (feeds_state_t *self, pending_t *entry, ab_deadletter_t *dead)
{
    feed_t *feed = entry->feed;
    ab_feed_item_t *item = entry->item;
    ab_article_t *article = ab_article_new ();
    ab_intake_error_t error = { NULL, "" };
    ab_article_set (&article->source, feed->name);
    ab_article_set (&article->url, item->link);
    ab_article_set (&article->title, item->title);
    char published [32] = "";
    if (*item->published && ab_date_normalize (item->published, published, sizeof published) != 0)
        ab_warn ("feed %s: item %s: date '%s' is not RFC 822 or RFC 3339; left out",
                 feed->name, item->key, item->published);
    ab_article_set (&article->published, published);
    const char *origin = *item->link? item->link: feed->url;
    int rc = ab_article_set_body (article, item->body, strlen (item->body));
    if (rc == 0)
        rc = ab_intake_finish (article, self->max_body, &error);
    else
        error = (ab_intake_error_t) { "too_large", "out of memory for the body" };
    //  Seen either way: a refused item would be refused again each poll
    ab_feedstate_mark_seen (self->state, feed->url, item->key);
    if (rc == 0) {
        ab_article_set (&article->origin, origin);
        article->received_ms = ab_wall_ms ();
    }
    else {
        ab_deadletter_add (dead, origin, feed->name, error.reason, error.message,
                           item->body, strlen (item->body));
        ab_article_destroy (&article);
    }
    feed->waiting--;
    s_commit_validators (self, feed);
    return article;
}

//  -------------------------------------------------------------------------
//  The source

static void
s_arm_timer (feeds_state_t *self)
{
    int64_t now = ab_mono_ms ();
    int64_t deadline = self->curl_deadline_ms;
    for (size_t index = 0; index < self->feed_count; index++) {
        feed_t *feed = self->feeds [index];
        if (!feed->easy && feed->waiting == 0 && feed->next_due_ms < deadline)
            deadline = feed->next_due_ms;
    }
    struct itimerspec spec = { { 0, 0 }, { 0, 0 } };
    if (deadline != INT64_MAX) {
        int64_t delay_ms = deadline - now;
        if (delay_ms <= 0)
            spec.it_value.tv_nsec = 1000;      //  zero would disarm it
        else {
            spec.it_value.tv_sec = delay_ms / 1000;
            spec.it_value.tv_nsec = (delay_ms % 1000) * 1000000;
        }
    }
    timerfd_settime (self->timer_fd, 0, &spec, NULL);
}

static void
s_drive (feeds_state_t *self)
{
    int running = 0;
    struct epoll_event events [32];
    int count = epoll_wait (self->epoll_fd, events, 32, 0);
    for (int index = 0; index < count; index++) {
        if (events [index].data.fd == self->timer_fd) {
            uint64_t expirations;
            if (read (self->timer_fd, &expirations, sizeof expirations) < 0 && errno != EAGAIN)
                ab_error ("feeds: timer read failed: %s", strerror (errno));
            continue;
        }
        int flags = 0;
        if (events [index].events & EPOLLIN)
            flags |= CURL_CSELECT_IN;
        if (events [index].events & EPOLLOUT)
            flags |= CURL_CSELECT_OUT;
        if (events [index].events & (EPOLLERR | EPOLLHUP))
            flags |= CURL_CSELECT_ERR;
        curl_multi_socket_action (self->multi, events [index].data.fd, flags, &running);
    }
    //  Feeds due now start; curl asks for a timeout action to begin them
    int64_t now = ab_mono_ms ();
    for (size_t index = 0; index < self->feed_count; index++) {
        feed_t *feed = self->feeds [index];
        if (!feed->easy && feed->waiting == 0 && feed->next_due_ms <= now)
            s_start_poll (self, feed);
    }
    if (ab_mono_ms () >= self->curl_deadline_ms) {
        self->curl_deadline_ms = INT64_MAX;
        curl_multi_socket_action (self->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    CURLMsg *message;
    int left;
    while ((message = curl_multi_info_read (self->multi, &left)))
        if (message->msg == CURLMSG_DONE)
            s_poll_done (self, message->easy_handle, message->data.result);
}

static ab_source_status_t
s_feeds_next (void *state, ab_article_t **article_p, ab_deadletter_t *dead)
{
    feeds_state_t *self = state;
    if (zlistx_size (self->pending) == 0)
        s_drive (self);
    while (zlistx_size (self->pending)) {
        pending_t *entry = zlistx_first (self->pending);
        zlistx_delete (self->pending, zlistx_cursor (self->pending));
        *article_p = s_make_article (self, entry, dead);
        ab_feed_item_destroy (&entry->item);
        free (entry);
        if (*article_p)
            return AB_SOURCE_ARTICLE;
    }
    s_arm_timer (self);
    return AB_SOURCE_IDLE;
}

static int
s_feeds_fd (void *state)
{
    feeds_state_t *self = state;
    //  Items waiting: call next again now rather than wait on the fd
    return zlistx_size (self->pending)? -1: self->epoll_fd;
}

static void
s_feeds_report (void *state)
{
    feeds_state_t *self = state;
    for (size_t index = 0; index < self->feed_count; index++) {
        feed_t *feed = self->feeds [index];
        ab_info ("    feed %s: %llu polls, %llu not modified, %llu new items, %llu errors%s%s",
                 feed->name, (unsigned long long) feed->polls, (unsigned long long) feed->not_modified,
                 (unsigned long long) feed->items_new, (unsigned long long) feed->errors,
                 feed->failures? "; failing: ": "", feed->failures? feed->last_error: "");
    }
}

static const ab_source_ops_t s_feeds_ops = {
    .kind = "feeds",
    .next = s_feeds_next,
    .fd = s_feeds_fd,
    .destroy = s_feeds_destroy,
    .report = s_feeds_report
};

ab_source_t *
ab_source_feeds_new (const char *feeds_path, const char *state_path, size_t max_body,
                     char *errbuf, size_t errlen)
{
    //  Reference-counted and thread-safe since curl 7.84; paired with the
    //  cleanup in s_feeds_destroy
    if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf (errbuf, errlen, "feeds %s: cannot initialise libcurl", feeds_path);
        return NULL;
    }
    feeds_state_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (errbuf, errlen, "feeds %s: out of memory", feeds_path);
        curl_global_cleanup ();
        return NULL;
    }
    self->path = strdup (feeds_path);
    self->max_body = max_body;
    self->epoll_fd = -1;
    self->timer_fd = -1;
    self->curl_deadline_ms = INT64_MAX;
    self->pending = zlistx_new ();
    void *state = self;
    if (s_load_feeds (self, errbuf, errlen) != 0
    ||  !(self->state = ab_feedstate_open (state_path, errbuf, errlen))) {
        s_feeds_destroy (&state);
        return NULL;
    }
    self->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
    self->timer_fd = timerfd_create (CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    self->multi = curl_multi_init ();
    struct epoll_event event = { .events = EPOLLIN, .data.fd = self->timer_fd };
    if (self->epoll_fd < 0 || self->timer_fd < 0 || !self->multi
    ||  epoll_ctl (self->epoll_fd, EPOLL_CTL_ADD, self->timer_fd, &event) < 0) {
        snprintf (errbuf, errlen, "feeds %s: cannot set up polling: %s", feeds_path, strerror (errno));
        s_feeds_destroy (&state);
        return NULL;
    }
    curl_multi_setopt (self->multi, CURLMOPT_SOCKETFUNCTION, s_on_socket);
    curl_multi_setopt (self->multi, CURLMOPT_SOCKETDATA, self);
    curl_multi_setopt (self->multi, CURLMOPT_TIMERFUNCTION, s_on_timer);
    curl_multi_setopt (self->multi, CURLMOPT_TIMERDATA, self);
    int64_t now = ab_mono_ms ();
    for (size_t index = 0; index < self->feed_count; index++) {
        feed_t *feed = self->feeds [index];
        ab_feedstate_validators (self->state, feed->url, &feed->etag, &feed->last_modified);
        feed->next_due_ms = now;
    }
    //  First polls start on the first call of next
    s_arm_timer (self);
    ab_info ("feeds: %zu feeds from %s, state in %s", self->feed_count, feeds_path, state_path);
    char *name = zsys_sprintf ("feeds:%s", feeds_path);
    ab_source_t *source = ab_source_new (&s_feeds_ops, self, name);
    zstr_free (&name);
    return source;
}
