/*  =========================================================================
    ab_deadletter - the record of every input refused, and why
    =========================================================================
*/
#include "ab_deadletter.h"
#include "ab_log.h"

#include <czmq.h>
#include <jansson.h>

struct ab_deadletter_t {
    FILE *file;             //  append-mode file, or NULL to only count
    zhashx_t *counts;       //  reason -> (uint64_t *) count
    uint64_t total;
};

static void
s_free_count (void **item)
{
    free (*item);
    *item = NULL;
}

ab_deadletter_t *
ab_deadletter_new (const char *path, char *errbuf, size_t errlen)
{
    ab_deadletter_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->counts = zhashx_new ();
    zhashx_set_destructor (self->counts, s_free_count);
    if (path) {
        self->file = fopen (path, "ae");
        if (!self->file) {
            snprintf (errbuf, errlen, "cannot open dead-letter file %s: %s", path, strerror (errno));
            ab_deadletter_destroy (&self);
            return NULL;
        }
    }
    return self;
}

void
ab_deadletter_destroy (ab_deadletter_t **self_p)
{
    if (!*self_p)
        return;
    ab_deadletter_t *self = *self_p;
    if (self->file)
        fclose (self->file);
    zhashx_destroy (&self->counts);
    free (self);
    *self_p = NULL;
}

//  True if the length bytes at data form one well-formed UTF-8 sequence
//  (no overlongs, surrogates or code points past U+10FFFF), as jansson
//  demands of every string it writes.
static bool
s_utf8_ok (const unsigned char *data, size_t length)
{
    unsigned char lead = data [0], next = length > 1? data [1]: 0;
    for (size_t more = 1; more < length; more++)
        if ((data [more] & 0xC0) != 0x80)
            return false;
    switch (length) {
        case 1: return lead != 0;
        case 2: return lead >= 0xC2;
        case 3: return !(lead == 0xE0 && next < 0xA0) && !(lead == 0xED && next >= 0xA0);
        case 4: return lead <= 0xF4 && !(lead == 0xF0 && next < 0x90) && !(lead == 0xF4 && next >= 0x90);
        default: return false;
    }
}

//  Copy at most limit bytes of data as valid UTF-8, replacing anything
//  that is not (and NULs) with '?', so the JSON line can always be written.
static char *
s_printable_head (const char *data, size_t size, size_t limit)
{
    if (size > limit)
        size = limit;
    char *head = malloc (size + 1);
    if (!head)
        return NULL;
    size_t out = 0;
    for (size_t index = 0; index < size; ) {
        unsigned char byte = (unsigned char) data [index];
        size_t length = byte < 0x80? 1: (byte & 0xE0) == 0xC0? 2: (byte & 0xF0) == 0xE0? 3:
                        (byte & 0xF8) == 0xF0? 4: 0;
        bool ok = length > 0 && index + length <= size
               && s_utf8_ok ((const unsigned char *) data + index, length);
        if (ok) {
            memcpy (head + out, data + index, length);
            out += length;
            index += length;
        }
        else {
            head [out++] = '?';
            index++;
        }
    }
    head [out] = 0;
    return head;
}

void
ab_deadletter_add (ab_deadletter_t *self, const char *origin, const char *source,
                   const char *reason, const char *message,
                   const char *data, size_t size)
{
    assert (self);
    ab_warn ("refused %s: %s (%s)", origin, message, reason);
    uint64_t *count = zhashx_lookup (self->counts, reason);
    if (!count) {
        count = calloc (1, sizeof *count);
        if (count)
            zhashx_insert (self->counts, reason, count);
    }
    if (count)
        (*count)++;
    self->total++;
    if (!self->file)
        return;
    char *head = s_printable_head (data? data: "", data? size: 0, 256);
    char stamp [32];
    time_t now = time (NULL);
    struct tm utc;
    gmtime_r (&now, &utc);
    strftime (stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
    json_t *record = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:I}",
                                "time", stamp, "origin", origin? origin: "",
                                "source", source? source: "", "reason", reason,
                                "message", message, "head", head? head: "",
                                "size", (json_int_t) size);
    if (record) {
        //  One line per record, flushed, so a crash loses at most this one
        char *line = json_dumps (record, JSON_COMPACT | JSON_ENSURE_ASCII);
        if (line) {
            fprintf (self->file, "%s\n", line);
            fflush (self->file);
            free (line);
        }
        json_decref (record);
    }
    free (head);
}

uint64_t
ab_deadletter_total (ab_deadletter_t *self)
{
    assert (self);
    return self->total;
}

uint64_t
ab_deadletter_count (ab_deadletter_t *self, const char *reason)
{
    assert (self);
    uint64_t *count = zhashx_lookup (self->counts, reason);
    return count? *count: 0;
}

void
ab_deadletter_each (ab_deadletter_t *self, ab_deadletter_reason_fn *fn, void *arg)
{
    assert (self);
    for (uint64_t *count = zhashx_first (self->counts); count; count = zhashx_next (self->counts))
        fn (arg, (const char *) zhashx_cursor (self->counts), *count);
}
