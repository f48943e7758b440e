/*  =========================================================================
    ab_source_watch - articles dropped into a watched folder

    Another program writes files into the folder; we must never read one
    half-written.  inotify tells us IN_CLOSE_WRITE (a writer closed the
    file) and IN_MOVED_TO (a finished file was renamed in, the atomic way
    to publish), never mere modification, so a file is read only once it
    is complete.  Files already there at start are read first, in name
    order; the watch is set up before that listing so a file arriving in
    between is not missed (it may be named twice, and the pending set
    keeps it queued once).

    Only *.txt files not starting with '.' are articles, as in a directory
    source: writers can prepare ".name.tmp" and rename it.  The inotify fd
    is the source fd, so an idle folder costs nothing.  An inotify queue
    overflow is logged and answered by listing the folder again; files
    whose size and mtime are those we already read are skipped then, so
    the folder is not sent twice.
    =========================================================================
*/
#include "ab_source.h"
#include "ab_log.h"

#include <dirent.h>
#include <sys/inotify.h>
#include <unistd.h>

typedef struct {
    char *path;
    int inotify_fd;
    zlistx_t *pending;          //  names waiting to be read, in order
    zhashx_t *pending_set;      //  the same names, to queue each once
    zhashx_t *read_stamps;      //  name -> "size:mtime" when last read
    size_t max_body;
} watch_state_t;

static void
s_watch_destroy (void **state_p)
{
    watch_state_t *self = *state_p;
    if (!self)
        return;
    if (self->inotify_fd >= 0)
        close (self->inotify_fd);
    zlistx_destroy (&self->pending);
    zhashx_destroy (&self->pending_set);
    zhashx_destroy (&self->read_stamps);
    free (self->path);
    free (self);
    *state_p = NULL;
}

static bool
s_is_article_name (const char *name)
{
    size_t len = strlen (name);
    return len >= 5 && name [0] != '.' && strcmp (name + len - 4, ".txt") == 0;
}

static void
s_queue (watch_state_t *self, const char *name)
{
    if (!s_is_article_name (name) || zhashx_lookup (self->pending_set, name))
        return;
    zhashx_insert (self->pending_set, name, (void *) 1);
    zlistx_add_end (self->pending, (void *) name);
}

static int
s_compare_names (const void *left, const void *right)
{
    return strcmp (*(char * const *) left, *(char * const *) right);
}

static void
s_stamp (const struct stat *st, char *stamp, size_t size)
{
    snprintf (stamp, size, "%lld:%lld.%09ld", (long long) st->st_size,
              (long long) st->st_mtim.tv_sec, (long) st->st_mtim.tv_nsec);
}

//  Queue every article file now in the folder not read as it is, sorted
//  by name
static int
s_list_folder (watch_state_t *self)
{
    DIR *dir = opendir (self->path);
    if (!dir)
        return -1;
    zlistx_t *names = zlistx_new ();
    zlistx_set_destructor (names, (czmq_destructor *) zstr_free);
    struct dirent *entry;
    while ((entry = readdir (dir))) {
        if (!s_is_article_name (entry->d_name))
            continue;
        char *path = zsys_sprintf ("%s/%s", self->path, entry->d_name);
        struct stat st;
        char stamp [64] = "";
        if (stat (path, &st) == 0)
            s_stamp (&st, stamp, sizeof stamp);
        const char *read_as = zhashx_lookup (self->read_stamps, entry->d_name);
        if (!read_as || strcmp (read_as, stamp) != 0)
            zlistx_add_end (names, strdup (entry->d_name));
        zstr_free (&path);
    }
    closedir (dir);
    size_t count = zlistx_size (names);
    char **sorted = calloc (count + 1, sizeof (char *));
    size_t index = 0;
    for (char *name = zlistx_first (names); name; name = zlistx_next (names))
        sorted [index++] = name;
    qsort (sorted, count, sizeof (char *), s_compare_names);
    for (index = 0; index < count; index++)
        s_queue (self, sorted [index]);
    free (sorted);
    zlistx_destroy (&names);
    return 0;
}

//  Drain the inotify fd into the pending queue
static void
s_read_events (watch_state_t *self)
{
    char buffer [16 * 1024] __attribute__ ((aligned (__alignof__ (struct inotify_event))));
    while (true) {
        ssize_t got = read (self->inotify_fd, buffer, sizeof buffer);
        if (got <= 0) {
            if (got < 0 && errno != EAGAIN && errno != EINTR)
                ab_error ("watch:%s: inotify read failed: %s", self->path, strerror (errno));
            return;
        }
        for (char *cursor = buffer; cursor < buffer + got; ) {
            const struct inotify_event *event = (const struct inotify_event *) cursor;
            if (event->mask & IN_Q_OVERFLOW) {
                ab_warn ("watch:%s: too many events at once; listing the folder again", self->path);
                s_list_folder (self);
            }
            else
            if (event->mask & IN_IGNORED)
                ab_error ("watch:%s: the folder went away; no more files will be seen", self->path);
            else
            if (event->len > 0 && !(event->mask & IN_ISDIR))
                s_queue (self, event->name);
            cursor += sizeof (struct inotify_event) + event->len;
        }
    }
}

static ab_source_status_t
s_watch_next (void *state, ab_article_t **article_p, ab_deadletter_t *dead)
{
    watch_state_t *self = state;
    if (zlistx_size (self->pending) == 0)
        s_read_events (self);
    while (zlistx_size (self->pending)) {
        zlistx_first (self->pending);
        char *name = zlistx_detach_cur (self->pending);
        char *path = zsys_sprintf ("%s/%s", self->path, name);
        //  Unqueue before reading: a rewrite from now on is a new event
        zhashx_delete (self->pending_set, name);
        struct stat st;
        if (stat (path, &st) == 0 && S_ISREG (st.st_mode)) {
            char stamp [64];
            s_stamp (&st, stamp, sizeof stamp);
            zhashx_update (self->read_stamps, name, strdup (stamp));
            *article_p = ab_source_read_file (path, self->max_body, NULL, dead);
        }
        else
            ab_debug ("watch: %s is gone or not a file; skipped", path);
        zstr_free (&path);
        zstr_free (&name);
        if (*article_p)
            return AB_SOURCE_ARTICLE;
    }
    return AB_SOURCE_IDLE;
}

static int
s_watch_fd (void *state)
{
    watch_state_t *self = state;
    //  With names queued there is more now; -1 asks the loop to call again
    return zlistx_size (self->pending)? -1: self->inotify_fd;
}

static const ab_source_ops_t s_watch_ops = {
    .kind = "watch",
    .next = s_watch_next,
    .fd = s_watch_fd,
    .destroy = s_watch_destroy
};

ab_source_t *
ab_source_watch_new (const char *path, size_t max_body, char *errbuf, size_t errlen)
{
    watch_state_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (errbuf, errlen, "watch %s: out of memory", path);
        return NULL;
    }
    self->path = strdup (path);
    self->max_body = max_body;
    self->pending = zlistx_new ();
    zlistx_set_duplicator (self->pending, (czmq_duplicator *) strdup);
    zlistx_set_destructor (self->pending, (czmq_destructor *) zstr_free);
    self->pending_set = zhashx_new ();
    self->read_stamps = zhashx_new ();
    zhashx_set_destructor (self->read_stamps, (czmq_destructor *) zstr_free);
    self->inotify_fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
    if (self->inotify_fd < 0) {
        snprintf (errbuf, errlen, "watch %s: inotify: %s", path, strerror (errno));
        void *state = self;
        s_watch_destroy (&state);
        return NULL;
    }
    if (inotify_add_watch (self->inotify_fd, path, IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR) < 0
    ||  s_list_folder (self) != 0) {
        snprintf (errbuf, errlen, "cannot watch directory %s: %s", path, strerror (errno));
        void *state = self;
        s_watch_destroy (&state);
        return NULL;
    }
    char *name = zsys_sprintf ("watch:%s", path);
    ab_source_t *source = ab_source_new (&s_watch_ops, self, name);
    zstr_free (&name);
    return source;
}
