/*  =========================================================================
    test_clone - the Clone client: snapshot, sequenced deltas, gap resync

    A test actor plays the sink over real PUB and ROUTER sockets (inproc),
    so the test can do what a real sink only does under load: drop a delta.
    =========================================================================
*/
#include "ab_clone.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

//  The fake sink: state = items by key + seq.  Commands on its pipe:
//  "PUBLISH" key value skip -> change an item, publish the delta unless skip
//  "BEAT" -> publish a heartbeat with the current seq
typedef struct {
    json_t *items;
    uint64_t seq;
    uint64_t snapshots;
} fake_sink_t;

static json_t *
s_item (const char *key, const char *value)
{
    return json_pack ("{s:s, s:s, s:s, s:b}", "key", key, "type", "exercise", "value", value, "conflict", 0);
}

static void
s_fake_sink (zsock_t *pipe, void *args)
{
    const char *name = args;
    zsock_t *pub = zsock_new_pub (NULL);
    zsock_t *router = zsock_new_router (NULL);
    zsock_bind (pub, "inproc://%s-pub", name);
    zsock_bind (router, "inproc://%s-snapshot", name);
    fake_sink_t sink = { json_object (), 0, 0 };
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, router, NULL);
    while (true) {
        zsock_t *which = zpoller_wait (poller, -1);
        if (which == pipe) {
            zmsg_t *msg = zmsg_recv (pipe);
            char *command = zmsg_popstr (msg);
            if (streq (command, "$TERM")) {
                zstr_free (&command);
                zmsg_destroy (&msg);
                break;
            }
            if (streq (command, "PUBLISH")) {
                char *key = zmsg_popstr (msg), *value = zmsg_popstr (msg), *skip = zmsg_popstr (msg);
                json_t *item = s_item (key, value);
                json_object_set (sink.items, key, item);
                ab_delta_t delta = { ++sink.seq, sink.seq, "item_added", "exercise", key, item, NULL };
                if (streq (skip, "0")) {
                    zmsg_t *out = ab_delta_encode (&delta);
                    zmsg_send (&out, pub);
                }
                json_decref (item);
                zstr_free (&key); zstr_free (&value); zstr_free (&skip);
            }
            else
            if (streq (command, "BEAT")) {
                json_t *topic_seqs = json_pack ("{s:I}", "exercise", (json_int_t) sink.seq);
                ab_heartbeat_t beat = { .seq = sink.seq, .topic_seqs = topic_seqs };
                zmsg_t *out = ab_heartbeat_encode_pub (&beat);
                zmsg_send (&out, pub);
                json_decref (topic_seqs);
            }
            zsock_signal (pipe, 0);
            zstr_free (&command);
            zmsg_destroy (&msg);
        }
        else
        if (which == router) {
            zmsg_t *msg = zmsg_recv (router);
            zframe_t *identity = zmsg_pop (msg);
            json_t *items = json_array ();
            const char *key;
            json_t *item;
            json_object_foreach (sink.items, key, item)
                json_array_append (items, item);
            json_t *topic_seqs = json_pack ("{s:I}", "exercise", (json_int_t) sink.seq);
            ab_snapshot_t reply = { "", sink.seq, topic_seqs, items, json_object (), true };
            zmsg_t *out = ab_snapshot_encode (&reply);
            zmsg_prepend (out, &identity);
            zmsg_send (&out, router);
            json_decref (items);
            json_decref (topic_seqs);
            json_decref (reply.summary);
            zmsg_destroy (&msg);
            sink.snapshots++;
        }
        else
            break;
    }
    zpoller_destroy (&poller);
    json_decref (sink.items);
    zsock_destroy (&pub);
    zsock_destroy (&router);
}

static void
s_publish (zactor_t *sink, const char *key, const char *value, bool skip)
{
    zstr_sendx (sink, "PUBLISH", key, value, skip? "1": "0", NULL);
    zsock_wait (sink);
}

//  Pump the client until it has seen seq or the deadline passes
static void
s_follow_until (ab_clone_t *clone, uint64_t seq)
{
    int64_t deadline = zclock_mono () + 5000;
    while (ab_clone_seq (clone) < seq && zclock_mono () < deadline)
        ab_clone_next (clone, 50, NULL);
}

static const char *
s_value (ab_clone_t *clone, const char *key)
{
    return json_string_value (json_object_get (json_object_get (ab_clone_items (clone), key), "value"));
}

static void
test_snapshot_then_deltas (void **state)
{
    zactor_t *sink = zactor_new (s_fake_sink, "t1");
    s_publish (sink, "a", "1", false);
    char error [128];
    ab_clone_t *clone = ab_clone_new ("inproc://t1-pub", "inproc://t1-snapshot", "", 0, error, sizeof error);
    assert_non_null (clone);
    //  The first call loads the snapshot, which already holds "a"
    assert_int_equal (ab_clone_next (clone, 1000, NULL), AB_CLONE_SNAPSHOT);
    assert_int_equal (ab_clone_seq (clone), 1);
    assert_string_equal (s_value (clone, "a"), "1");
    zclock_sleep (100);             //  let the subscription reach the PUB
    s_publish (sink, "b", "2", false);
    s_publish (sink, "a", "3", false);
    s_follow_until (clone, 3);
    assert_int_equal (ab_clone_seq (clone), 3);
    assert_string_equal (s_value (clone, "a"), "3");
    assert_string_equal (s_value (clone, "b"), "2");
    assert_int_equal (ab_clone_stats (clone)->gaps, 0);
    assert_int_equal (ab_clone_stats (clone)->deltas, 2);
    ab_clone_destroy (&clone);
    zactor_destroy (&sink);
}

static void
test_gap_triggers_resync (void **state)
{
    zactor_t *sink = zactor_new (s_fake_sink, "t2");
    char error [128];
    ab_clone_t *clone = ab_clone_new ("inproc://t2-pub", "inproc://t2-snapshot", "", 0, error, sizeof error);
    assert_int_equal (ab_clone_next (clone, 1000, NULL), AB_CLONE_SNAPSHOT);
    zclock_sleep (100);
    s_publish (sink, "a", "1", false);
    s_publish (sink, "b", "2", true);       //  lost: seq 2 never arrives
    s_publish (sink, "c", "3", false);      //  seq 3 reveals the gap
    s_follow_until (clone, 3);
    assert_int_equal (ab_clone_seq (clone), 3);
    assert_int_equal (ab_clone_stats (clone)->gaps, 1);
    assert_int_equal (ab_clone_stats (clone)->snapshots, 2);
    //  The resync brought the lost item too
    assert_string_equal (s_value (clone, "b"), "2");
    assert_string_equal (s_value (clone, "c"), "3");
    ab_clone_destroy (&clone);
    zactor_destroy (&sink);
}

static void
test_heartbeat_reveals_lost_last_delta (void **state)
{
    zactor_t *sink = zactor_new (s_fake_sink, "t3");
    char error [128];
    ab_clone_t *clone = ab_clone_new ("inproc://t3-pub", "inproc://t3-snapshot", "", 0, error, sizeof error);
    assert_int_equal (ab_clone_next (clone, 1000, NULL), AB_CLONE_SNAPSHOT);
    zclock_sleep (100);
    s_publish (sink, "a", "1", true);       //  the only change is lost
    zstr_send (sink, "BEAT");
    zsock_wait (sink);
    s_follow_until (clone, 1);
    assert_int_equal (ab_clone_seq (clone), 1);
    assert_string_equal (s_value (clone, "a"), "1");
    assert_int_equal (ab_clone_stats (clone)->gaps, 1);
    ab_clone_destroy (&clone);
    zactor_destroy (&sink);
}

//  A subscriber filtered to one topic hears heartbeats too, and their
//  topic_seqs reveal that its topic's last delta was lost
static void
test_filtered_heartbeat_reveals_lost_last_delta (void **state)
{
    zactor_t *sink = zactor_new (s_fake_sink, "t5");
    char error [128];
    ab_clone_t *clone = ab_clone_new ("inproc://t5-pub", "inproc://t5-snapshot", "exercise", 0,
                                      error, sizeof error);
    assert_int_equal (ab_clone_next (clone, 1000, NULL), AB_CLONE_SNAPSHOT);
    zclock_sleep (100);
    s_publish (sink, "a", "1", false);
    s_publish (sink, "b", "2", true);       //  the topic's last change is lost
    zstr_send (sink, "BEAT");
    zsock_wait (sink);
    s_follow_until (clone, 2);
    assert_int_equal (ab_clone_seq (clone), 2);
    assert_string_equal (s_value (clone, "b"), "2");
    assert_int_equal (ab_clone_stats (clone)->gaps, 1);
    ab_clone_destroy (&clone);
    zactor_destroy (&sink);
}

static void
test_no_sink_reports_error (void **state)
{
    char error [128];
    ab_clone_t *clone = ab_clone_new ("inproc://none-pub", "inproc://none-snapshot", "", 0, error, sizeof error);
    assert_non_null (clone);
    ab_clone_set_snapshot_timeout (clone, 200);
    assert_int_equal (ab_clone_next (clone, 100, NULL), AB_CLONE_ERROR);
    ab_clone_destroy (&clone);
    clone = ab_clone_new ("bogus://x", "inproc://none", "", 0, error, sizeof error);
    assert_null (clone);
    assert_non_null (strstr (error, "bogus://x"));
}

int
main (void)
{
    zsys_init ();
    zsys_set_logstream (NULL);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_snapshot_then_deltas),
        cmocka_unit_test (test_gap_triggers_resync),
        cmocka_unit_test (test_heartbeat_reveals_lost_last_delta),
        cmocka_unit_test (test_filtered_heartbeat_reveals_lost_last_delta),
        cmocka_unit_test (test_no_sink_reports_error),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
