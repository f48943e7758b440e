/*  =========================================================================
    test_webfeed - the SSE feed: snapshot first, deltas in order, resume
    from the ring or a snapshot, readers that fall behind, small buffers,
    a restarted sequence, a blocked reader woken by a publish, stop
    =========================================================================
*/
#include "ab_webfeed.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

//  Everything a reader has ready, read with a big buffer (caller frees)
static char *
s_read_all (ab_webfeed_reader_t *reader, int wait_ms)
{
    char *buffer = calloc (1, 65536);
    ssize_t size = ab_webfeed_reader_read (reader, buffer, 65535, wait_ms);
    assert_true (size > 0);
    buffer [size] = 0;
    return buffer;
}

static void
s_expect (ab_webfeed_reader_t *reader, const char *expected)
{
    char *text = s_read_all (reader, 10);
    assert_string_equal (text, expected);
    free (text);
}

static void
s_expect_status (ab_webfeed_reader_t *reader)
{
    char *text = s_read_all (reader, 10);
    assert_true (strncmp (text, "event: status\ndata: {\"sink\":", 28) == 0);
    free (text);
}

static void
s_publish_deltas (ab_webfeed_t *feed, uint64_t from, uint64_t to)
{
    for (uint64_t seq = from; seq <= to; seq++) {
        char json [64];
        snprintf (json, sizeof json, "{\"seq\":%llu}", (unsigned long long) seq);
        ab_webfeed_publish_delta (feed, seq, json);
    }
}

static void
test_snapshot_then_deltas (void **state)
{
    ab_webfeed_t *feed = ab_webfeed_new (8);
    ab_webfeed_reader_t *reader = ab_webfeed_reader_new (feed, false, 0);
    //  Nothing to start from yet: the reader only hears the status
    s_expect_status (reader);
    assert_true (ab_webfeed_wants_snapshot (feed));
    ab_webfeed_publish_snapshot (feed, 5, "{\"items\":[]}", true);
    assert_false (ab_webfeed_wants_snapshot (feed));
    s_expect (reader, "event: snapshot\nid: 5\ndata: {\"items\":[]}\n\n");
    s_publish_deltas (feed, 6, 7);
    s_expect (reader, "event: delta\nid: 6\ndata: {\"seq\":6}\n\nevent: delta\nid: 7\ndata: {\"seq\":7}\n\n");
    //  Quiet feed: a status event after the wait
    s_expect_status (reader);
    uint64_t seq;
    char *json = ab_webfeed_snapshot_json (feed, &seq);
    assert_string_equal (json, "{\"items\":[]}");
    assert_int_equal (seq, 5);
    free (json);
    ab_webfeed_reader_destroy (&reader);
    assert_null (reader);
    ab_webfeed_destroy (&feed);
    assert_null (feed);
}

static void
test_resume_from_ring_or_snapshot (void **state)
{
    ab_webfeed_t *feed = ab_webfeed_new (4);
    ab_webfeed_publish_snapshot (feed, 0, "{}", true);
    s_publish_deltas (feed, 1, 6);
    //  The ring holds 3..6; the snapshot at 0 is older and was dropped
    assert_true (ab_webfeed_wants_snapshot (feed));

    ab_webfeed_reader_t *resumed = ab_webfeed_reader_new (feed, true, 4);
    s_expect (resumed, "event: delta\nid: 5\ndata: {\"seq\":5}\n\nevent: delta\nid: 6\ndata: {\"seq\":6}\n\n");
    ab_webfeed_reader_t *edge = ab_webfeed_reader_new (feed, true, 2);
    s_expect (edge, "event: delta\nid: 3\ndata: {\"seq\":3}\n\nevent: delta\nid: 4\ndata: {\"seq\":4}\n\n"
                    "event: delta\nid: 5\ndata: {\"seq\":5}\n\nevent: delta\nid: 6\ndata: {\"seq\":6}\n\n");
    ab_webfeed_reader_t *current = ab_webfeed_reader_new (feed, true, 6);
    s_expect_status (current);
    ab_webfeed_stats_t stats;
    ab_webfeed_stats (feed, &stats);
    assert_int_equal (stats.resumed, 3);

    //  Too old, or from the future (another sink): the snapshot, once there is one
    ab_webfeed_reader_t *old = ab_webfeed_reader_new (feed, true, 1);
    ab_webfeed_reader_t *future = ab_webfeed_reader_new (feed, true, 99);
    s_expect_status (old);
    s_expect_status (future);
    ab_webfeed_publish_snapshot (feed, 6, "{\"seq\":6}", false);
    s_expect (old, "event: snapshot\nid: 6\ndata: {\"seq\":6}\n\n");
    s_expect (future, "event: snapshot\nid: 6\ndata: {\"seq\":6}\n\n");
    s_publish_deltas (feed, 7, 7);
    const char *seven = "event: delta\nid: 7\ndata: {\"seq\":7}\n\n";
    s_expect (old, seven);
    s_expect (resumed, seven);
    s_expect (current, seven);

    ab_webfeed_reader_destroy (&resumed);
    ab_webfeed_reader_destroy (&edge);
    ab_webfeed_reader_destroy (&current);
    ab_webfeed_reader_destroy (&old);
    ab_webfeed_reader_destroy (&future);
    ab_webfeed_destroy (&feed);
}

static void
test_reader_that_falls_behind_is_dropped (void **state)
{
    ab_webfeed_t *feed = ab_webfeed_new (2);
    ab_webfeed_publish_snapshot (feed, 0, "{}", true);
    ab_webfeed_reader_t *slow = ab_webfeed_reader_new (feed, false, 0);
    ab_webfeed_reader_t *fast = ab_webfeed_reader_new (feed, false, 0);
    s_expect (slow, "event: snapshot\nid: 0\ndata: {}\n\n");
    s_expect (fast, "event: snapshot\nid: 0\ndata: {}\n\n");
    for (uint64_t seq = 1; seq <= 5; seq++) {
        s_publish_deltas (feed, seq, seq);
        char *text = s_read_all (fast, 10);
        free (text);
    }
    char buffer [1024];
    assert_int_equal (ab_webfeed_reader_read (slow, buffer, sizeof buffer, 10), AB_WEBFEED_BEHIND);
    ab_webfeed_stats_t stats;
    ab_webfeed_stats (feed, &stats);
    assert_int_equal (stats.behind, 1);
    assert_int_equal (stats.readers, 2);
    assert_int_equal (stats.seq, 5);
    ab_webfeed_reader_destroy (&slow);
    ab_webfeed_reader_destroy (&fast);
    ab_webfeed_destroy (&feed);
}

static void
test_small_buffers_give_the_same_text (void **state)
{
    ab_webfeed_t *feed = ab_webfeed_new (16);
    char snapshot [3000];
    memset (snapshot, 'x', sizeof snapshot - 1);
    snapshot [sizeof snapshot - 1] = 0;
    ab_webfeed_publish_snapshot (feed, 3, snapshot, true);
    s_publish_deltas (feed, 4, 9);
    ab_webfeed_reader_t *big = ab_webfeed_reader_new (feed, false, 0);
    ab_webfeed_reader_t *small = ab_webfeed_reader_new (feed, false, 0);
    char *expected = s_read_all (big, 10);
    size_t expected_size = strlen (expected);
    char *got = calloc (1, expected_size + 1);
    size_t used = 0;
    while (used < expected_size) {
        ssize_t size = ab_webfeed_reader_read (small, got + used, expected_size - used < 7? expected_size - used: 7, 10);
        assert_true (size > 0 && size <= 7);
        used += (size_t) size;
    }
    assert_string_equal (got, expected);
    free (got);
    free (expected);
    ab_webfeed_reader_destroy (&big);
    ab_webfeed_reader_destroy (&small);
    ab_webfeed_destroy (&feed);
}

static void
test_restart_sends_the_new_snapshot (void **state)
{
    ab_webfeed_t *feed = ab_webfeed_new (8);
    ab_webfeed_publish_snapshot (feed, 0, "{}", true);
    s_publish_deltas (feed, 1, 3);
    ab_webfeed_reader_t *reader = ab_webfeed_reader_new (feed, true, 3);
    s_expect_status (reader);
    //  The sink started over (a new state): everyone reloads from it
    ab_webfeed_publish_snapshot (feed, 1, "{\"new\":true}", true);
    s_expect (reader, "event: snapshot\nid: 1\ndata: {\"new\":true}\n\n");
    s_publish_deltas (feed, 2, 2);
    s_expect (reader, "event: delta\nid: 2\ndata: {\"seq\":2}\n\n");
    ab_webfeed_stats_t stats;
    ab_webfeed_stats (feed, &stats);
    assert_int_equal (stats.resyncs, 2);
    ab_webfeed_reader_destroy (&reader);
    ab_webfeed_destroy (&feed);
}

static void
test_sink_state_reaches_readers (void **state)
{
    ab_webfeed_t *feed = ab_webfeed_new (8);
    ab_webfeed_reader_t *reader = ab_webfeed_reader_new (feed, false, 0);
    ab_webfeed_set_sink_state (feed, true, 1234);
    char *text = s_read_all (reader, 10);
    assert_non_null (strstr (text, "\"sink\":\"live\",\"last_heard_ms\":1234"));
    free (text);
    ab_webfeed_set_sink_state (feed, false, 1500);
    //  A change is reported at once, whatever the wait
    text = s_read_all (reader, 60000);
    assert_non_null (strstr (text, "\"sink\":\"stale\",\"last_heard_ms\":1500"));
    free (text);
    ab_webfeed_reader_destroy (&reader);
    ab_webfeed_destroy (&feed);
}

typedef struct {
    ab_webfeed_reader_t *reader;
    char text [256];
} blocked_t;

static void *
s_blocked_reader (void *args)
{
    blocked_t *blocked = args;
    //  Waits for the publish below; the long wait is only an upper bound
    ssize_t size = ab_webfeed_reader_read (blocked->reader, blocked->text, sizeof blocked->text - 1, 60000);
    if (size > 0)
        blocked->text [size] = 0;
    return NULL;
}

static void
test_publish_wakes_a_waiting_reader_and_stop_ends_it (void **state)
{
    ab_webfeed_t *feed = ab_webfeed_new (8);
    ab_webfeed_publish_snapshot (feed, 0, "{}", true);
    blocked_t blocked = { ab_webfeed_reader_new (feed, true, 0), "" };
    s_expect_status (blocked.reader);
    pthread_t thread;
    assert_int_equal (pthread_create (&thread, NULL, s_blocked_reader, &blocked), 0);
    s_publish_deltas (feed, 1, 1);
    pthread_join (thread, NULL);
    assert_string_equal (blocked.text, "event: delta\nid: 1\ndata: {\"seq\":1}\n\n");
    ab_webfeed_stop (feed);
    char buffer [512];
    assert_int_equal (ab_webfeed_reader_read (blocked.reader, buffer, sizeof buffer, 60000), AB_WEBFEED_END);
    ab_webfeed_reader_destroy (&blocked.reader);
    ab_webfeed_destroy (&feed);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_snapshot_then_deltas),
        cmocka_unit_test (test_resume_from_ring_or_snapshot),
        cmocka_unit_test (test_reader_that_falls_behind_is_dropped),
        cmocka_unit_test (test_small_buffers_give_the_same_text),
        cmocka_unit_test (test_restart_sends_the_new_snapshot),
        cmocka_unit_test (test_sink_state_reaches_readers),
        cmocka_unit_test (test_publish_wakes_a_waiting_reader_and_stop_ends_it),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
