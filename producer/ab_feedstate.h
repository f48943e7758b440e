/*  =========================================================================
    ab_feedstate - what the feeds source must remember across restarts

    Per feed URL: the HTTP validators (ETag, Last-Modified) of the last
    response whose items were all handed on, and the keys (guid / id /
    link) of every item already taken in.  Kept in SQLite (WAL) beside the
    producer's journal, so a restart neither re-sends old items nor
    re-downloads unchanged feeds.

    An item is marked seen when the source hands it to the producer, which
    journals it at once; a crash between those two steps could lose that
    one item, never duplicate it.  Validators are stored only once every
    new item of that response has been handed on, so a crash mid-way
    cannot turn the next poll into a 304 that hides unsent items.

    The seen set is never pruned (a few hundred bytes per item).
    =========================================================================
*/
#ifndef AB_FEEDSTATE_H_INCLUDED
#define AB_FEEDSTATE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

typedef struct ab_feedstate_t ab_feedstate_t;

//  Open or create the state file.  NULL with a message in errbuf.
ab_feedstate_t *ab_feedstate_open (const char *path, char *errbuf, size_t errlen);
void ab_feedstate_destroy (ab_feedstate_t **self_p);

//  Has this feed's item key been taken in before?
bool ab_feedstate_seen (ab_feedstate_t *self, const char *feed_url, const char *key);
//  Remember the key.  Returns 0 or -1 (logged).
int ab_feedstate_mark_seen (ab_feedstate_t *self, const char *feed_url, const char *key);

//  The stored validators as heap strings (caller frees; "" when none).
void ab_feedstate_validators (ab_feedstate_t *self, const char *feed_url,
                              char **etag_p, char **last_modified_p);
//  Store validators (NULL or "" clears one).  Returns 0 or -1 (logged).
int ab_feedstate_set_validators (ab_feedstate_t *self, const char *feed_url,
                                 const char *etag, const char *last_modified);

#endif
