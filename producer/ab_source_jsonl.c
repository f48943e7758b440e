/*  =========================================================================
    ab_source_jsonl - articles as JSON Lines from a file descriptor

    For piping from any crawler: one {"id","source","url","title",
    "published","body"} object per line.  The descriptor is read without
    blocking, so a quiet pipe never stalls acks and heartbeats.  A line
    longer than the body limit allows is refused and skipped to its end
    without being held in memory.
    =========================================================================
*/
#include "ab_source.h"
#include "ab_intake.h"
#include "ab_log.h"

#include <fcntl.h>
#include <unistd.h>

typedef struct {
    int fd;
    char *name;
    char *buffer;           //  bytes read and not yet consumed
    size_t used;
    size_t capacity;
    size_t max_line;        //  longest line we will hold
    bool skipping;          //  discarding the rest of an oversized line
    bool eof;
    uint64_t line_number;
    size_t max_body;
} jsonl_state_t;

static void
s_jsonl_destroy (void **state_p)
{
    jsonl_state_t *self = *state_p;
    if (!self)
        return;
    free (self->buffer);
    free (self->name);
    free (self);
    *state_p = NULL;
}

//  Handle one complete line; returns 1 and an article, or 0 if refused
static int
s_take_line (jsonl_state_t *self, const char *line, size_t size, ab_article_t **article_p,
             ab_deadletter_t *dead)
{
    self->line_number++;
    while (size > 0 && (line [size - 1] == '\r' || line [size - 1] == ' '))
        size--;
    if (size == 0)
        return 0;                       //  blank lines separate nothing
    char origin [96];
    snprintf (origin, sizeof origin, "%s:%llu", self->name, (unsigned long long) self->line_number);
    ab_article_t *article = ab_article_new ();
    ab_intake_error_t error = { NULL, "" };
    if (ab_intake_parse_json (line, size, article, &error) == 0
    &&  ab_intake_finish (article, self->max_body, &error) == 0) {
        ab_article_set (&article->origin, origin);
        article->received_ms = ab_wall_ms ();
        *article_p = article;
        return 1;
    }
    ab_deadletter_add (dead, origin, article->source, error.reason, error.message, line, size);
    ab_article_destroy (&article);
    return 0;
}

static ab_source_status_t
s_jsonl_next (void *state, ab_article_t **article_p, ab_deadletter_t *dead)
{
    jsonl_state_t *self = state;
    while (true) {
        //  A complete line in the buffer?
        char *newline = memchr (self->buffer, '\n', self->used);
        if (newline) {
            size_t length = (size_t) (newline - self->buffer);
            int got = 0;
            if (self->skipping) {
                self->skipping = false;
                self->line_number++;
            }
            else
                got = s_take_line (self, self->buffer, length, article_p, dead);
            memmove (self->buffer, newline + 1, self->used - length - 1);
            self->used -= length + 1;
            if (got)
                return AB_SOURCE_ARTICLE;
            continue;
        }
        if (self->eof) {
            if (self->used > 0 && !self->skipping) {
                int got = s_take_line (self, self->buffer, self->used, article_p, dead);
                self->used = 0;
                if (got)
                    return AB_SOURCE_ARTICLE;
            }
            return AB_SOURCE_DONE;
        }
        if (self->used == self->max_line) {
            //  No newline within the limit: refuse the line, keep its head
            char origin [96];
            snprintf (origin, sizeof origin, "%s:%llu", self->name,
                      (unsigned long long) self->line_number + 1);
            char message [96];
            snprintf (message, sizeof message, "line longer than %zu bytes", self->max_line);
            ab_deadletter_add (dead, origin, "", "too_large", message, self->buffer, self->used);
            self->used = 0;
            self->skipping = true;
        }
        if (self->used == self->capacity) {
            size_t capacity = self->capacity * 2;
            if (capacity > self->max_line)
                capacity = self->max_line;
            char *grown = realloc (self->buffer, capacity);
            if (!grown)
                return AB_SOURCE_IDLE;
            self->buffer = grown;
            self->capacity = capacity;
        }
        ssize_t got = read (self->fd, self->buffer + self->used, self->capacity - self->used);
        if (got > 0)
            self->used += (size_t) got;
        else
        if (got == 0)
            self->eof = true;
        else
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return AB_SOURCE_IDLE;
        else {
            ab_error ("%s: read failed: %s", self->name, strerror (errno));
            self->eof = true;
        }
    }
}

static int
s_jsonl_fd (void *state)
{
    jsonl_state_t *self = state;
    return self->eof? -1: self->fd;
}

static const ab_source_ops_t s_jsonl_ops = {
    .kind = "jsonl",
    .next = s_jsonl_next,
    .fd = s_jsonl_fd,
    .destroy = s_jsonl_destroy
};

ab_source_t *
ab_source_jsonl_new (int fd, const char *name, size_t max_body, char *errbuf, size_t errlen)
{
    int flags = fcntl (fd, F_GETFL);
    if (flags < 0 || fcntl (fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        snprintf (errbuf, errlen, "%s: cannot read: %s", name, strerror (errno));
        return NULL;
    }
    jsonl_state_t *self = calloc (1, sizeof *self);
    self->fd = fd;
    self->name = strdup (name);
    self->capacity = 64 * 1024;
    self->buffer = malloc (self->capacity);
    //  JSON escapes can make a body up to 6x longer on the wire
    self->max_line = max_body * 6 + 64 * 1024;
    self->max_body = max_body;
    return ab_source_new (&s_jsonl_ops, self, name);
}
