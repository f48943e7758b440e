/*  =========================================================================
    ab_source - where articles come from, behind one interface

    Each kind of input (a directory of files, JSON Lines on a file
    descriptor, later feeds and a watched folder) is a leaf module that
    fills in an ab_source_ops_t.  The producer's loop only ever calls
    ab_source_next, polls ab_source_fd, and destroys: adding an input never
    touches the loop.

    Sources are pulled, not pushed: the producer asks for the next article
    only while its queue has room, so a 100k-file directory or a fast pipe
    cannot make it hold everything in memory at once.
    =========================================================================
*/
#ifndef AB_SOURCE_H_INCLUDED
#define AB_SOURCE_H_INCLUDED

#include "ab_deadletter.h"
#include "ab_msg.h"

typedef enum {
    AB_SOURCE_ARTICLE = 1,      //  *article_p holds a new article
    AB_SOURCE_IDLE = 0,         //  nothing now; poll the fd or try later
    AB_SOURCE_DONE = -1         //  exhausted for good
} ab_source_status_t;

typedef struct {
    const char *kind;
    //  Produce the next checked article (caller owns it).  Refused input is
    //  dead-lettered inside, never returned.
    ab_source_status_t (*next) (void *state, ab_article_t **article_p, ab_deadletter_t *dead);
    //  File descriptor that becomes readable when next may have more, or -1
    int (*fd) (void *state);
    void (*destroy) (void **state_p);
    //  Optional: log per-part detail (e.g. each feed's counters and last
    //  error) under the source's progress line
    void (*report) (void *state);
} ab_source_ops_t;

typedef struct {
    const ab_source_ops_t *ops;
    void *state;
    char *name;                 //  for progress lines, e.g. "dir:samples"
    uint64_t articles;          //  articles produced so far
} ab_source_t;

//  Wrap a leaf's state; takes ownership of state.  NULL on no memory.
ab_source_t *ab_source_new (const ab_source_ops_t *ops, void *state, const char *name);
void ab_source_destroy (ab_source_t **self_p);
ab_source_status_t ab_source_next (ab_source_t *self, ab_article_t **article_p, ab_deadletter_t *dead);
int ab_source_fd (ab_source_t *self);
//  Log the leaf's detail lines, if it has any.
void ab_source_report (ab_source_t *self);

//  Read one article file (optional header block, then body) the way every
//  file-based leaf does: manifest_entry (may be NULL) fills fields the file
//  lacks, the article is checked by intake, and a refused or unreadable
//  file is dead-lettered with its reason.  Returns the article (caller
//  owns) or NULL when refused.
ab_article_t *ab_source_read_file (const char *path, size_t max_body, json_t *manifest_entry,
                                   ab_deadletter_t *dead);

//  Leaves.  Each returns NULL with a message in errbuf on failure.
//  A directory of *.txt files (sorted by name), with manifest.jsonl
//  metadata for files without a header.
ab_source_t *ab_source_dir_new (const char *path, size_t max_body, char *errbuf, size_t errlen);
//  JSON Lines read from fd (not closed); name labels it ("stdin").
ab_source_t *ab_source_jsonl_new (int fd, const char *name, size_t max_body, char *errbuf, size_t errlen);
//  A watched drop folder (ab_source_watch.c): *.txt files there at start,
//  then every file closed after writing or renamed into it.  Never done.
ab_source_t *ab_source_watch_new (const char *path, size_t max_body, char *errbuf, size_t errlen);
//  RSS/Atom feeds over HTTP(S) listed in feeds_path (format in
//  ab_source_feeds.c and README.md), polled forever; what was taken in is
//  remembered in the SQLite file state_path.  Never done.
ab_source_t *ab_source_feeds_new (const char *feeds_path, const char *state_path, size_t max_body,
                                  char *errbuf, size_t errlen);

#endif
