/*  =========================================================================
    ab_journal - the producer's append-only record of unacknowledged work

    An article is appended here before it is sent to any worker, and a
    "done" record is appended when the sink acknowledges that its result is
    durable.  After a crash, replaying the file yields exactly the articles
    that were accepted but never acknowledged, so nothing accepted is lost.

    File format (all integers little-endian):
        record  = length:u32 kind:u8 payload checksum:u32
        kind 'A': payload = the msgpack map of an ARTICLE message
        kind 'D': payload = the 16-character article id
    length counts kind + payload.  checksum is FNV-1a 32 over kind+payload.
    A torn or corrupt tail (crash mid-write) ends the replay and is cut off;
    records before it are intact because each is checked on its own.

    On open the file is compacted: pending articles are rewritten to a new
    file that replaces the old one atomically, so the journal's size tracks
    the work outstanding, not the history.
    =========================================================================
*/
#ifndef AB_JOURNAL_H_INCLUDED
#define AB_JOURNAL_H_INCLUDED

#include "ab_msg.h"

typedef enum {
    AB_JOURNAL_FSYNC_ALWAYS,    //  fsync after every record: no loss on power cut
    AB_JOURNAL_FSYNC_BATCH,     //  fsync from ab_journal_sync (e.g. every 50 ms)
    AB_JOURNAL_FSYNC_NEVER      //  leave it to the kernel: survives process crashes only
} ab_journal_fsync_t;

typedef struct ab_journal_t ab_journal_t;

//  Open or create the journal at path, replay it, and compact it.  The
//  articles still pending are appended to pending (a zlistx_t of
//  ab_article_t *, caller owns them).  Returns NULL with a message in
//  errbuf if the file cannot be opened or rewritten.
ab_journal_t *ab_journal_open (const char *path, ab_journal_fsync_t policy,
                               zlistx_t *pending, char *errbuf, size_t errlen);
void ab_journal_destroy (ab_journal_t **self_p);

//  Append an article / a done mark.  Return 0, or -1 if the write failed
//  (the caller must then not send the article: it would not survive).
int ab_journal_append (ab_journal_t *self, const ab_article_t *article);
int ab_journal_done (ab_journal_t *self, const char *article_id);

//  Make everything appended so far durable (BATCH policy).  Returns 0/-1.
int ab_journal_sync (ab_journal_t *self);

//  Parse an fsync policy name (always|batch|never).  Returns 0 or -1.
int ab_journal_fsync_parse (const char *name, ab_journal_fsync_t *policy);

#endif
