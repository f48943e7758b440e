/*  =========================================================================
    ab_testlive - helpers for tests of live (never-done) inputs

    A live source never finishes, so a test cannot wait for the producer to
    exit: it starts the sink and workers, starts a producer, and waits for
    the briefing to reach an article count, bounded in time.  Shared by the
    drop-folder and feed tests.
    =========================================================================
*/
#ifndef AB_TESTLIVE_H_INCLUDED
#define AB_TESTLIVE_H_INCLUDED

#include "ab_testutil.h"

//  Start a sink writing to out_dir every 50 ms (state in the fixture dir)
//  and one worker.  Returns the sink's pid or -1.
pid_t ab_live_start_backend (ab_fixture_t *fixture, const char *out_dir);

//  Read summary.articles from out_dir/briefing.json; -1 if not there yet.
long ab_live_article_count (const char *out_dir);

//  Wait up to timeout_ms until the briefing counts at least articles;
//  returns the last count seen.
long ab_live_wait_articles (const char *out_dir, long articles, int timeout_ms);

//  Wait up to timeout_ms until the file at path contains needle; returns
//  true if it did.
bool ab_live_wait_text (const char *path, const char *needle, int timeout_ms);

//  How often needle occurs in the file at path (0 if unreadable).
int ab_live_count_text (const char *path, const char *needle);

#endif
