/*  =========================================================================
    ab_testlive - helpers for tests of live (never-done) inputs
    =========================================================================
*/
#include "ab_testlive.h"

#include <czmq.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

pid_t
ab_live_start_backend (ab_fixture_t *fixture, const char *out_dir)
{
    char db [512];
    snprintf (db, sizeof db, "%s/sink.db", fixture->dir);
    const char *sink_args [] = { "--results", fixture->endpoints [2], "--pub", fixture->endpoints [3],
                                 "--snapshot", fixture->endpoints [4], "--ack", fixture->endpoints [1],
                                 "--out", out_dir, "--state", db, "--write-interval", "50", NULL };
    pid_t sink = ab_procs_start (fixture->procs, "allybrief-sink", sink_args, fixture->log, NULL);
    const char *worker_args [] = { "--work", fixture->endpoints [0], "--results", fixture->endpoints [2],
                                   "-q", NULL };
    if (sink < 0 || ab_procs_start (fixture->procs, "allybrief-worker", worker_args, fixture->log, NULL) < 0)
        return -1;
    return sink;
}

long
ab_live_article_count (const char *out_dir)
{
    char path [600];
    snprintf (path, sizeof path, "%s/briefing.json", out_dir);
    if (access (path, R_OK) != 0)
        return -1;
    json_t *briefing = ab_test_load_json (path);
    json_t *count = json_object_get (json_object_get (briefing, "summary"), "articles");
    long articles = json_is_integer (count)? (long) json_integer_value (count): -1;
    json_decref (briefing);
    return articles;
}

long
ab_live_wait_articles (const char *out_dir, long articles, int timeout_ms)
{
    int64_t deadline = zclock_mono () + timeout_ms;
    long seen = ab_live_article_count (out_dir);
    while (seen < articles && zclock_mono () < deadline) {
        zclock_sleep (50);
        seen = ab_live_article_count (out_dir);
    }
    return seen;
}

int
ab_live_count_text (const char *path, const char *needle)
{
    char *text = ab_test_read (path);
    int count = 0;
    for (const char *at = text? strstr (text, needle): NULL; at; at = strstr (at + 1, needle))
        count++;
    free (text);
    return count;
}

bool
ab_live_wait_text (const char *path, const char *needle, int timeout_ms)
{
    int64_t deadline = zclock_mono () + timeout_ms;
    while (ab_live_count_text (path, needle) == 0) {
        if (zclock_mono () >= deadline)
            return false;
        zclock_sleep (50);
    }
    return true;
}
