/*  =========================================================================
    ab_store - the sink's durable log of merged results (SQLite)
    =========================================================================
*/
#include "ab_store.h"
#include "ab_log.h"

#include <assert.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

struct ab_store_t {
    sqlite3 *db;
    sqlite3_stmt *insert;       //  INSERT a result
    sqlite3_stmt *update_meta;  //  UPDATE the sequence numbers
    uint64_t count;
};

static const char *s_schema =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE IF NOT EXISTS results ("
    "  position INTEGER PRIMARY KEY,"       //  merge order
    "  article_id TEXT NOT NULL UNIQUE,"
    "  frame BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS meta ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  seq INTEGER NOT NULL,"
    "  topic_seqs TEXT NOT NULL);"
    "INSERT OR IGNORE INTO meta VALUES (1, 0, '{}');";

static int
s_fail (ab_store_t *self, const char *what, char *errbuf, size_t errlen)
{
    snprintf (errbuf, errlen, "store: %s: %s", what, sqlite3_errmsg (self->db));
    return -1;
}

ab_store_t *
ab_store_open (const char *path, bool durable, ab_store_replay_fn *replay, void *arg,
               uint64_t *seq, json_t **topic_seqs, char *errbuf, size_t errlen)
{
    ab_store_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    int rc = sqlite3_open (path, &self->db) == SQLITE_OK? 0: s_fail (self, path, errbuf, errlen);
    if (rc == 0 && sqlite3_exec (self->db, s_schema, NULL, NULL, NULL) != SQLITE_OK)
        rc = s_fail (self, "cannot create schema", errbuf, errlen);
    if (rc == 0 && sqlite3_exec (self->db, durable? "PRAGMA synchronous=FULL": "PRAGMA synchronous=NORMAL",
                                 NULL, NULL, NULL) != SQLITE_OK)
        rc = s_fail (self, "cannot set synchronous", errbuf, errlen);
    sqlite3_stmt *select = NULL;
    if (rc == 0 && sqlite3_prepare_v2 (self->db, "SELECT frame FROM results ORDER BY position",
                                       -1, &select, NULL) != SQLITE_OK)
        rc = s_fail (self, "cannot read results", errbuf, errlen);
    while (rc == 0 && sqlite3_step (select) == SQLITE_ROW) {
        replay (arg, sqlite3_column_blob (select, 0), (size_t) sqlite3_column_bytes (select, 0));
        self->count++;
    }
    sqlite3_finalize (select);
    select = NULL;
    if (rc == 0 && sqlite3_prepare_v2 (self->db, "SELECT seq, topic_seqs FROM meta WHERE id = 1",
                                       -1, &select, NULL) != SQLITE_OK)
        rc = s_fail (self, "cannot read meta", errbuf, errlen);
    if (rc == 0 && sqlite3_step (select) == SQLITE_ROW) {
        *seq = (uint64_t) sqlite3_column_int64 (select, 0);
        *topic_seqs = json_loads ((const char *) sqlite3_column_text (select, 1), 0, NULL);
    }
    sqlite3_finalize (select);
    if (rc == 0 && !json_is_object (*topic_seqs)) {
        json_decref (*topic_seqs);
        *topic_seqs = json_object ();
    }
    if (rc == 0
    &&  (sqlite3_prepare_v2 (self->db, "INSERT OR IGNORE INTO results (article_id, frame) VALUES (?, ?)",
                             -1, &self->insert, NULL) != SQLITE_OK
    ||   sqlite3_prepare_v2 (self->db, "UPDATE meta SET seq = ?, topic_seqs = ? WHERE id = 1",
                             -1, &self->update_meta, NULL) != SQLITE_OK))
        rc = s_fail (self, "cannot prepare statements", errbuf, errlen);
    if (rc != 0)
        ab_store_destroy (&self);
    return self;
}

void
ab_store_destroy (ab_store_t **self_p)
{
    if (!*self_p)
        return;
    ab_store_t *self = *self_p;
    sqlite3_finalize (self->insert);
    sqlite3_finalize (self->update_meta);
    sqlite3_close (self->db);
    free (self);
    *self_p = NULL;
}

int
ab_store_begin (ab_store_t *self)
{
    assert (self);
    if (sqlite3_exec (self->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    ab_error ("store: cannot begin: %s", sqlite3_errmsg (self->db));
    return -1;
}

int
ab_store_add (ab_store_t *self, const char *article_id, const void *frame, size_t size)
{
    assert (self);
    sqlite3_reset (self->insert);
    sqlite3_bind_text (self->insert, 1, article_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob (self->insert, 2, frame, (int) size, SQLITE_TRANSIENT);
    if (sqlite3_step (self->insert) != SQLITE_DONE) {
        ab_error ("store: cannot add %s: %s", article_id, sqlite3_errmsg (self->db));
        return -1;
    }
    self->count += (uint64_t) sqlite3_changes (self->db);
    return 0;
}

int
ab_store_commit (ab_store_t *self, uint64_t seq, json_t *topic_seqs)
{
    assert (self);
    char *text = json_dumps (topic_seqs, JSON_COMPACT | JSON_SORT_KEYS);
    sqlite3_reset (self->update_meta);
    sqlite3_bind_int64 (self->update_meta, 1, (sqlite3_int64) seq);
    sqlite3_bind_text (self->update_meta, 2, text? text: "{}", -1, SQLITE_TRANSIENT);
    free (text);
    int rc = sqlite3_step (self->update_meta) == SQLITE_DONE? 0: -1;
    if (rc == 0 && sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = -1;
    if (rc != 0) {
        ab_error ("store: cannot commit: %s", sqlite3_errmsg (self->db));
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
    }
    return rc;
}

uint64_t
ab_store_count (ab_store_t *self)
{
    assert (self);
    return self->count;
}
