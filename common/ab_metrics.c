/*  =========================================================================
    ab_metrics - counters and histograms in Prometheus text format, over HTTP
    =========================================================================
*/
#include "ab_metrics.h"
#include "ab_log.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *data;
    size_t size;
    size_t cap;
    bool failed;                //  out of memory: the commit is skipped
} text_t;

struct ab_metrics_t {
    char *prefix;               //  "allybrief_<program>_"
    text_t next;                //  being built by the owner
    char *served;               //  last committed, under lock
    size_t served_size;
    pthread_mutex_t lock;
    struct MHD_Daemon *daemon;
    int port;
    char family [128];          //  last labeled family written
};

static void
s_append (text_t *text, const char *format, ...)
{
    if (!text->failed && !text->data) {
        text->data = malloc (4096);
        text->cap = text->data ? 4096 : 0;
        text->failed = !text->data;
    }
    if (text->failed)
        return;
    va_list args;
    for (int attempt = 0; attempt < 2; attempt++) {
        size_t room = text->cap - text->size;
        va_start (args, format);
        int length = vsnprintf (text->data + text->size, room, format, args);
        va_end (args);
        if (length < 0) {
            text->failed = true;
            return;
        }
        if ((size_t) length < room) {
            text->size += (size_t) length;
            return;
        }
        size_t cap = (text->cap + (size_t) length + 1) * 2;
        char *data = realloc (text->data, cap);
        if (!data) {
            text->failed = true;
            return;
        }
        text->data = data;
        text->cap = cap;
    }
}

ab_metrics_t *
ab_metrics_new (const char *program)
{
    ab_metrics_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    size_t size = strlen (program) + 16;
    self->prefix = malloc (size);
    if (!self->prefix) {
        free (self);
        return NULL;
    }
    snprintf (self->prefix, size, "allybrief_%s_", program);
    pthread_mutex_init (&self->lock, NULL);
    return self;
}

void
ab_metrics_destroy (ab_metrics_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ab_metrics_t *self = *self_p;
    if (self->daemon)
        MHD_stop_daemon (self->daemon);
    pthread_mutex_destroy (&self->lock);
    free (self->next.data);
    free (self->served);
    free (self->prefix);
    free (self);
    *self_p = NULL;
}

static enum MHD_Result
s_answer (void *cls, struct MHD_Connection *connection, const char *url, const char *method,
          const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    ab_metrics_t *self = cls;
    struct MHD_Response *response;
    unsigned int status;
    if (strcmp (method, MHD_HTTP_METHOD_GET) != 0 && strcmp (method, MHD_HTTP_METHOD_HEAD) != 0) {
        static const char text [] = "only GET /metrics\n";
        response = MHD_create_response_from_buffer (sizeof text - 1, (void *) text, MHD_RESPMEM_PERSISTENT);
        if (response)
            MHD_add_response_header (response, "Allow", "GET, HEAD");
        status = MHD_HTTP_METHOD_NOT_ALLOWED;
    }
    else
    if (strcmp (url, "/metrics") != 0) {
        static const char text [] = "not found: metrics are at /metrics\n";
        response = MHD_create_response_from_buffer (sizeof text - 1, (void *) text, MHD_RESPMEM_PERSISTENT);
        status = MHD_HTTP_NOT_FOUND;
    }
    else {
        pthread_mutex_lock (&self->lock);
        response = MHD_create_response_from_buffer (self->served_size, self->served? self->served: "",
                                                    MHD_RESPMEM_MUST_COPY);
        pthread_mutex_unlock (&self->lock);
        if (response)
            MHD_add_response_header (response, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        status = MHD_HTTP_OK;
    }
    if (!response)
        return MHD_NO;
    enum MHD_Result rc = MHD_queue_response (connection, status, response);
    MHD_destroy_response (response);
    return rc;
}

//  "HOST:PORT" (IPv4 or [IPv6]) into a socket address and daemon flags
static int
s_parse_address (const char *address, struct sockaddr_storage *storage, unsigned int *flags,
                 char *errbuf, size_t errlen)
{
    char host [64];
    const char *colon = strrchr (address, ':');
    char *end = NULL;
    long port = colon? strtol (colon + 1, &end, 10): -1;
    size_t host_length = colon? (size_t) (colon - address): 0;
    if (!colon || !end || *end || end == colon + 1 || port < 0 || port > 65535
    ||  host_length == 0 || host_length >= sizeof host) {
        snprintf (errbuf, errlen, "metrics address '%s' is not HOST:PORT (e.g. 127.0.0.1:9101)", address);
        return -1;
    }
    memcpy (host, address, host_length);
    host [host_length] = 0;
    memset (storage, 0, sizeof *storage);
    *flags = MHD_USE_INTERNAL_POLLING_THREAD;
    if (host [0] == '[' && host [host_length - 1] == ']') {
        host [host_length - 1] = 0;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) storage;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons ((uint16_t) port);
        if (inet_pton (AF_INET6, host + 1, &in6->sin6_addr) != 1) {
            snprintf (errbuf, errlen, "metrics address '%s': bad IPv6 address", address);
            return -1;
        }
        *flags |= MHD_USE_IPv6;
    }
    else {
        struct sockaddr_in *in = (struct sockaddr_in *) storage;
        in->sin_family = AF_INET;
        in->sin_port = htons ((uint16_t) port);
        if (inet_pton (AF_INET, host, &in->sin_addr) != 1) {
            snprintf (errbuf, errlen, "metrics address '%s': bad IPv4 address (give a number, e.g. 127.0.0.1)",
                      address);
            return -1;
        }
    }
    return 0;
}

int
ab_metrics_check_address (const char *address, char *errbuf, size_t errlen)
{
    struct sockaddr_storage storage;
    unsigned int flags;
    return s_parse_address (address, &storage, &flags, errbuf, errlen);
}

int
ab_metrics_listen (ab_metrics_t *self, const char *address, char *errbuf, size_t errlen)
{
    struct sockaddr_storage storage;
    unsigned int flags;
    if (s_parse_address (address, &storage, &flags, errbuf, errlen))
        return -1;
    //  A few scrapers at a time; slow clients are cut off
    //  The port comes from the socket address; MHD wants one here too
    self->daemon = MHD_start_daemon (flags, 0, NULL, NULL, s_answer, self,
                                     MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &storage,
                                     MHD_OPTION_CONNECTION_LIMIT, (unsigned int) 16,
                                     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 10,
                                     MHD_OPTION_END);
    if (!self->daemon) {
        snprintf (errbuf, errlen, "cannot serve metrics on %s (address in use or not local?)", address);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info (self->daemon, MHD_DAEMON_INFO_BIND_PORT);
    self->port = info? info->port: 0;
    return 0;
}

ab_metrics_t *
ab_metrics_start (const char *program, const char *address, char *errbuf, size_t errlen)
{
    ab_metrics_t *self = ab_metrics_new (program);
    if (!self) {
        snprintf (errbuf, errlen, "out of memory");
        return NULL;
    }
    if (address) {
        if (ab_metrics_listen (self, address, errbuf, errlen)) {
            ab_metrics_destroy (&self);
            return NULL;
        }
        ab_info ("metrics on http://%s/metrics (port %d)", address, self->port);
    }
    return self;
}

int
ab_metrics_port (ab_metrics_t *self)
{
    return self->port;
}

bool
ab_metrics_active (ab_metrics_t *self)
{
    return self->daemon != NULL;
}

void
ab_metrics_begin (ab_metrics_t *self)
{
    self->next.size = 0;
    self->next.failed = false;
    self->family [0] = 0;
}

static void
s_header (ab_metrics_t *self, const char *name, const char *suffix, const char *help, const char *type)
{
    s_append (&self->next, "# HELP %s%s%s %s\n# TYPE %s%s%s %s\n", self->prefix, name, suffix, help,
              self->prefix, name, suffix, type);
    self->family [0] = 0;
}

void
ab_metrics_counter (ab_metrics_t *self, const char *name, const char *help, uint64_t value)
{
    s_header (self, name, "_total", help, "counter");
    s_append (&self->next, "%s%s_total %llu\n", self->prefix, name, (unsigned long long) value);
}

void
ab_metrics_gauge (ab_metrics_t *self, const char *name, const char *help, double value)
{
    s_header (self, name, "", help, "gauge");
    s_append (&self->next, "%s%s %.17g\n", self->prefix, name, value);
}

void
ab_metrics_labeled_counter (ab_metrics_t *self, const char *name, const char *help,
                            const char *label, const char *label_value, uint64_t value)
{
    if (strcmp (self->family, name) != 0) {
        s_header (self, name, "_total", help, "counter");
        snprintf (self->family, sizeof self->family, "%s", name);
    }
    //  Label values are claim types and the like; escape what the format
    //  reserves all the same
    s_append (&self->next, "%s%s_total{%s=\"", self->prefix, name, label);
    for (const char *p = label_value; *p; p++)
        s_append (&self->next, *p == '"' || *p == '\\'? "\\%c": *p == '\n'? "\\n": "%c", *p);
    s_append (&self->next, "\"} %llu\n", (unsigned long long) value);
}

void
ab_metrics_histogram (ab_metrics_t *self, const char *name, const char *help,
                      const ab_histogram_t *histogram)
{
    s_header (self, name, "_seconds", help, "histogram");
    uint64_t cumulative = 0;
    for (size_t index = 0; index <= AB_HISTOGRAM_BUCKETS; index++) {
        cumulative += histogram->counts [index];
        if (index < AB_HISTOGRAM_BUCKETS)
            s_append (&self->next, "%s%s_seconds_bucket{le=\"%g\"} %llu\n", self->prefix, name,
                      (double) ab_histogram_bound (index) / 1e6, (unsigned long long) cumulative);
        else
            s_append (&self->next, "%s%s_seconds_bucket{le=\"+Inf\"} %llu\n", self->prefix, name,
                      (unsigned long long) cumulative);
    }
    s_append (&self->next, "%s%s_seconds_sum %.6f\n%s%s_seconds_count %llu\n", self->prefix, name,
              (double) histogram->sum_us / 1e6, self->prefix, name, (unsigned long long) histogram->count);
}

void
ab_metrics_commit (ab_metrics_t *self)
{
    if (self->next.failed || !self->next.data)
        return;
    char *copy = malloc (self->next.size + 1);
    if (!copy)
        return;
    memcpy (copy, self->next.data, self->next.size + 1);
    pthread_mutex_lock (&self->lock);
    char *old = self->served;
    self->served = copy;
    self->served_size = self->next.size;
    pthread_mutex_unlock (&self->lock);
    free (old);
}
