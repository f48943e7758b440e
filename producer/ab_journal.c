/*  =========================================================================
    ab_journal - the producer's append-only record of unacknowledged work
    =========================================================================
*/
#include "ab_journal.h"
#include "ab_log.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

struct ab_journal_t {
    int fd;                         //  open for append
    char *path;
    ab_journal_fsync_t policy;
    bool unsynced;                  //  appended since the last fsync
};

//  A record larger than this is corruption, not an article: the decoder
//  would refuse it anyway.
#define MAX_RECORD (AB_MAX_FRAME + 16)

static uint32_t
s_fnv1a (const uint8_t *data, size_t size)
{
    uint32_t hash = 2166136261u;
    for (size_t index = 0; index < size; index++)
        hash = (hash ^ data [index]) * 16777619u;
    return hash;
}

static void
s_put_u32 (uint8_t *out, uint32_t value)
{
    for (int index = 0; index < 4; index++)
        out [index] = (uint8_t) (value >> (8 * index));
}

static uint32_t
s_get_u32 (const uint8_t *in)
{
    return (uint32_t) in [0] | (uint32_t) in [1] << 8 | (uint32_t) in [2] << 16 | (uint32_t) in [3] << 24;
}

static int
s_write_all (int fd, const uint8_t *data, size_t size)
{
    while (size > 0) {
        ssize_t written = write (fd, data, size);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return -1;
        data += written;
        size -= (size_t) written;
    }
    return 0;
}

//  Write one record with a single write() so a crash leaves either the
//  whole record or a tail that fails its checksum.
static int
s_write_record (int fd, uint8_t kind, const void *payload, size_t size)
{
    size_t total = 4 + 1 + size + 4;
    uint8_t *record = malloc (total);
    if (!record)
        return -1;
    s_put_u32 (record, (uint32_t) (size + 1));
    record [4] = kind;
    memcpy (record + 5, payload, size);
    s_put_u32 (record + 5 + size, s_fnv1a (record + 4, size + 1));
    int rc = s_write_all (fd, record, total);
    free (record);
    return rc;
}

static int
s_after_write (ab_journal_t *self)
{
    if (self->policy == AB_JOURNAL_FSYNC_ALWAYS)
        return fdatasync (self->fd);
    self->unsynced = true;
    return 0;
}

static int
s_append_article (int fd, const ab_article_t *article)
{
    zmsg_t *msg = ab_article_encode (article);
    if (!msg)
        return -1;
    zframe_t *body = zmsg_last (msg);
    int rc = s_write_record (fd, 'A', zframe_data (body), zframe_size (body));
    zmsg_destroy (&msg);
    return rc;
}

//  Replay data into an id -> article table of the records not yet done,
//  keeping arrival order in order (a list of ids).  Returns the number of
//  bytes of intact records.
static size_t
s_replay (const uint8_t *data, size_t size, zhashx_t *pending, zlistx_t *order)
{
    size_t offset = 0;
    while (size - offset >= 9) {
        uint32_t length = s_get_u32 (data + offset);
        if (length == 0 || length > MAX_RECORD || size - offset - 8 < length)
            break;
        const uint8_t *kind = data + offset + 4;
        if (s_get_u32 (kind + length) != s_fnv1a (kind, length))
            break;
        if (*kind == 'A') {
            zmsg_t *msg = zmsg_new ();
            zmsg_addstr (msg, "ARTICLE");
            zmsg_addmem (msg, kind + 1, length - 1);
            ab_proto_error_t error;
            ab_article_t *article = ab_article_decode (msg, &error);
            zmsg_destroy (&msg);
            if (!article)
                ab_warn ("journal: skipping unreadable article record: %s", error.message);
            else
            if (zhashx_insert (pending, article->id, article) == 0)
                zlistx_add_end (order, article->id);
            else
                ab_article_destroy (&article);      //  already pending
        }
        else
        if (*kind == 'D' && length == 17) {
            char id [17];
            memcpy (id, kind + 1, 16);
            id [16] = 0;
            ab_article_t *article = zhashx_lookup (pending, id);
            if (article) {
                zhashx_delete (pending, id);
                ab_article_destroy (&article);
            }
        }
        offset += 8 + length;
    }
    return offset;
}

ab_journal_t *
ab_journal_open (const char *path, ab_journal_fsync_t policy, zlistx_t *pending,
                 char *errbuf, size_t errlen)
{
    ab_journal_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->fd = -1;
    self->policy = policy;
    self->path = strdup (path);

    //  Replay whatever is there
    //  The table holds its articles without a destructor: they move to
    //  the caller's list one by one below, and leftovers are freed by hand.
    zhashx_t *table = zhashx_new ();
    zlistx_t *order = zlistx_new ();
    zlistx_set_duplicator (order, (zlistx_duplicator_fn *) strdup);
    zlistx_set_destructor (order, (zlistx_destructor_fn *) zstr_free);
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        struct stat st;
        if (fstat (fd, &st) == 0 && st.st_size > 0) {
            uint8_t *data = malloc ((size_t) st.st_size);
            ssize_t got = data? read (fd, data, (size_t) st.st_size): -1;
            if (got > 0) {
                size_t intact = s_replay (data, (size_t) got, table, order);
                if (intact < (size_t) got)
                    ab_warn ("journal %s: cut %zu bytes of torn or corrupt tail",
                             path, (size_t) got - intact);
            }
            free (data);
        }
        close (fd);
    }
    //  Compact: rewrite the pending articles to a fresh file, then rename
    char *temp = zsys_sprintf ("%s.compact", path);
    int out = open (temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = out < 0? -1: 0;
    for (const char *id = zlistx_first (order); id && rc == 0; id = zlistx_next (order)) {
        ab_article_t *article = zhashx_lookup (table, id);
        if (!article)
            continue;                   //  done after it was appended
        rc = s_append_article (out, article);
        zhashx_delete (table, id);
        zlistx_add_end (pending, article);
    }
    if (rc == 0 && fsync (out) == 0 && rename (temp, path) == 0) {
        close (out);
        self->fd = open (path, O_WRONLY | O_APPEND | O_CLOEXEC);
    }
    else {
        snprintf (errbuf, errlen, "cannot rewrite journal %s: %s", path, strerror (errno));
        if (out >= 0)
            close (out);
        unlink (temp);
    }
    zstr_free (&temp);
    for (ab_article_t *left = zhashx_first (table); left; left = zhashx_next (table))
        ab_article_destroy (&left);
    zhashx_destroy (&table);
    zlistx_destroy (&order);
    if (self->fd < 0) {
        if (!errbuf [0])
            snprintf (errbuf, errlen, "cannot open journal %s: %s", path, strerror (errno));
        ab_journal_destroy (&self);
    }
    return self;
}

void
ab_journal_destroy (ab_journal_t **self_p)
{
    if (!*self_p)
        return;
    ab_journal_t *self = *self_p;
    if (self->fd >= 0) {
        if (self->unsynced)
            fdatasync (self->fd);
        close (self->fd);
    }
    free (self->path);
    free (self);
    *self_p = NULL;
}

int
ab_journal_append (ab_journal_t *self, const ab_article_t *article)
{
    assert (self);
    if (s_append_article (self->fd, article) != 0)
        return -1;
    return s_after_write (self);
}

int
ab_journal_done (ab_journal_t *self, const char *article_id)
{
    assert (self);
    if (strlen (article_id) != 16)
        return -1;
    if (s_write_record (self->fd, 'D', article_id, 16) != 0)
        return -1;
    return s_after_write (self);
}

int
ab_journal_sync (ab_journal_t *self)
{
    assert (self);
    if (!self->unsynced)
        return 0;
    self->unsynced = false;
    return fdatasync (self->fd);
}

int
ab_journal_fsync_parse (const char *name, ab_journal_fsync_t *policy)
{
    if (streq (name, "always"))
        *policy = AB_JOURNAL_FSYNC_ALWAYS;
    else
    if (streq (name, "batch"))
        *policy = AB_JOURNAL_FSYNC_BATCH;
    else
    if (streq (name, "never"))
        *policy = AB_JOURNAL_FSYNC_NEVER;
    else
        return -1;
    return 0;
}
