/*  =========================================================================
    ab_feedstate - what the feeds source must remember across restarts
    =========================================================================
*/
#include "ab_feedstate.h"
#include "ab_log.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ab_feedstate_t {
    sqlite3 *db;
    sqlite3_stmt *seen;
    sqlite3_stmt *mark;
    sqlite3_stmt *get_validators;
    sqlite3_stmt *set_validators;
};

static const char *s_schema =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS feed_item (feed TEXT NOT NULL, key TEXT NOT NULL,"
    "  first_seen_ms INTEGER NOT NULL, PRIMARY KEY (feed, key)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS feed_http (feed TEXT PRIMARY KEY, etag TEXT NOT NULL,"
    "  last_modified TEXT NOT NULL);";

void
ab_feedstate_destroy (ab_feedstate_t **self_p)
{
    ab_feedstate_t *self = *self_p;
    if (!self)
        return;
    sqlite3_finalize (self->seen);
    sqlite3_finalize (self->mark);
    sqlite3_finalize (self->get_validators);
    sqlite3_finalize (self->set_validators);
    sqlite3_close (self->db);
    free (self);
    *self_p = NULL;
}

ab_feedstate_t *
ab_feedstate_open (const char *path, char *errbuf, size_t errlen)
{
    ab_feedstate_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (errbuf, errlen, "feed state %s: out of memory", path);
        return NULL;
    }
    if (sqlite3_open (path, &self->db) != SQLITE_OK
    ||  sqlite3_busy_timeout (self->db, 2000) != SQLITE_OK
    ||  sqlite3_exec (self->db, s_schema, NULL, NULL, NULL) != SQLITE_OK
    ||  sqlite3_prepare_v2 (self->db, "SELECT 1 FROM feed_item WHERE feed = ?1 AND key = ?2",
                            -1, &self->seen, NULL) != SQLITE_OK
    ||  sqlite3_prepare_v2 (self->db, "INSERT OR IGNORE INTO feed_item VALUES (?1, ?2, ?3)",
                            -1, &self->mark, NULL) != SQLITE_OK
    ||  sqlite3_prepare_v2 (self->db, "SELECT etag, last_modified FROM feed_http WHERE feed = ?1",
                            -1, &self->get_validators, NULL) != SQLITE_OK
    ||  sqlite3_prepare_v2 (self->db, "INSERT OR REPLACE INTO feed_http VALUES (?1, ?2, ?3)",
                            -1, &self->set_validators, NULL) != SQLITE_OK) {
        snprintf (errbuf, errlen, "cannot open feed state %s: %s", path,
                  self->db? sqlite3_errmsg (self->db): "out of memory");
        ab_feedstate_destroy (&self);
    }
    return self;
}

bool
ab_feedstate_seen (ab_feedstate_t *self, const char *feed_url, const char *key)
{
    sqlite3_bind_text (self->seen, 1, feed_url, -1, SQLITE_STATIC);
    sqlite3_bind_text (self->seen, 2, key, -1, SQLITE_STATIC);
    bool seen = sqlite3_step (self->seen) == SQLITE_ROW;
    sqlite3_reset (self->seen);
    return seen;
}

static int
s_step_done (ab_feedstate_t *self, sqlite3_stmt *statement, const char *what)
{
    int rc = sqlite3_step (statement) == SQLITE_DONE? 0: -1;
    if (rc)
        ab_error ("feed state: cannot %s: %s", what, sqlite3_errmsg (self->db));
    sqlite3_reset (statement);
    return rc;
}

int
ab_feedstate_mark_seen (ab_feedstate_t *self, const char *feed_url, const char *key)
{
    sqlite3_bind_text (self->mark, 1, feed_url, -1, SQLITE_STATIC);
    sqlite3_bind_text (self->mark, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (self->mark, 3, ab_wall_ms ());
    return s_step_done (self, self->mark, "record an item");
}

void
ab_feedstate_validators (ab_feedstate_t *self, const char *feed_url,
                         char **etag_p, char **last_modified_p)
{
    sqlite3_bind_text (self->get_validators, 1, feed_url, -1, SQLITE_STATIC);
    bool found = sqlite3_step (self->get_validators) == SQLITE_ROW;
    const char *etag = found? (const char *) sqlite3_column_text (self->get_validators, 0): NULL;
    const char *modified = found? (const char *) sqlite3_column_text (self->get_validators, 1): NULL;
    *etag_p = strdup (etag? etag: "");
    *last_modified_p = strdup (modified? modified: "");
    sqlite3_reset (self->get_validators);
}

int
ab_feedstate_set_validators (ab_feedstate_t *self, const char *feed_url,
                             const char *etag, const char *last_modified)
{
    sqlite3_bind_text (self->set_validators, 1, feed_url, -1, SQLITE_STATIC);
    sqlite3_bind_text (self->set_validators, 2, etag? etag: "", -1, SQLITE_STATIC);
    sqlite3_bind_text (self->set_validators, 3, last_modified? last_modified: "", -1, SQLITE_STATIC);
    return s_step_done (self, self->set_validators, "record HTTP validators");
}
