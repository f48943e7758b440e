/*  =========================================================================
    test_briefing - the sink's consolidation core (sink/ab_briefing)

    Real results built with the proto API, merged into real briefings.
    Fixture texts are short invented sentences.
    =========================================================================
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ab_briefing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

//  ---------------------------------------------------------------------
//  Fixture helpers

static ab_result_t *
s_result (const char *id, const char *source, const char *published,
          int64_t received_ms, uint64_t fingerprint)
{
    ab_result_t *result = ab_result_new ();
    assert_non_null (result);
    assert_int_equal (ab_article_set (&result->article_id, id), 0);
    assert_int_equal (ab_article_set (&result->source, source), 0);
    assert_int_equal (ab_article_set (&result->published, published), 0);
    char text [128];
    snprintf (text, sizeof text, "Headline of %s", id);
    assert_int_equal (ab_article_set (&result->title, text), 0);
    snprintf (text, sizeof text, "https://news.example/%s", id);
    assert_int_equal (ab_article_set (&result->url, text), 0);
    snprintf (text, sizeof text, "feed:%s", id);
    assert_int_equal (ab_article_set (&result->origin, text), 0);
    result->received_ms = received_ms;
    result->fingerprint = fingerprint;
    return result;
}

//  Slots as "name=value;name=value" (";" so that values may hold ",")
static void
s_slots (ab_claim_t *claim, const char *text, bool key)
{
    char *copy = strdup (text);
    char *save = NULL;
    for (char *pair = strtok_r (copy, ";", &save); pair; pair = strtok_r (NULL, ";", &save)) {
        char *equals = strchr (pair, '=');
        assert_non_null (equals);
        *equals = 0;
        if (key)
            assert_int_equal (ab_claim_add_key (claim, pair, equals + 1), 0);
        else
            assert_int_equal (ab_claim_add_value (claim, pair, equals + 1), 0);
    }
    free (copy);
}

static ab_claim_t *
s_claim (ab_result_t *result, const char *type, const char *keys,
         const char *values, const char *hedge, const char *attribution)
{
    ab_claim_t *claim = ab_result_add_claim (result);
    assert_non_null (claim);
    assert_int_equal (ab_article_set (&claim->type, type), 0);
    assert_int_equal (ab_article_set (&claim->rule, "test.rule"), 0);
    assert_int_equal (ab_article_set (&claim->hedge, hedge), 0);
    assert_int_equal (ab_article_set (&claim->attribution, attribution), 0);
    const char *sentence = "The garrison will be led by a general, a paper said.";
    assert_int_equal (ab_article_set (&claim->evidence, sentence), 0);
    claim->evidence_start = 100;
    claim->evidence_end = 100 + (uint32_t) strlen (sentence);
    claim->match_start = 129;
    claim->match_end = 138;
    if (keys && *keys)
        s_slots (claim, keys, true);
    if (values && *values)
        s_slots (claim, values, false);
    assert_int_equal (ab_claim_add_actor (claim, "US"), 0);
    return claim;
}

//  One result with one rank claim about USFJ
static ab_result_t *
s_rank (const char *id, const char *published, int64_t received_ms,
        uint64_t fingerprint, const char *rank, const char *hedge)
{
    ab_result_t *result = s_result (id, "Outlet A", published, received_ms, fingerprint);
    char value [32];
    snprintf (value, sizeof value, "rank=%s", rank);
    s_claim (result, "commander_rank", "unit=USFJ", value, hedge, "");
    return result;
}

static int
s_merge (ab_briefing_t *briefing, ab_result_t *result, ab_briefing_change_fn *fn, void *arg)
{
    bool duplicate = true;
    int rc = ab_briefing_merge (briefing, result, fn, arg, &duplicate);
    assert_false (duplicate);
    ab_result_destroy (&result);
    return rc;
}

//  Records every change callback
typedef struct {
    int count;
    char ops [32][32];
    char keys [32][128];
    char topics [32][64];
    json_t *last;
} changes_t;

static void
s_on_change (void *arg, const char *op, const char *topic, const char *key, json_t *item)
{
    changes_t *changes = arg;
    assert_true (changes->count < 32);
    snprintf (changes->ops [changes->count], 32, "%s", op);
    snprintf (changes->keys [changes->count], 128, "%s", key);
    snprintf (changes->topics [changes->count], 64, "%s", topic);
    changes->count++;
    json_decref (changes->last);
    changes->last = json_incref (item);
}

static json_t *
s_side (json_t *item, const char *value)
{
    size_t i;
    json_t *side;
    json_array_foreach (json_object_get (item, "sides"), i, side)
        if (strcmp (json_string_value (json_object_get (side, "value")), value) == 0)
            return side;
    return NULL;
}

static json_int_t
s_int (json_t *object, const char *field)
{
    json_t *value = json_object_get (object, field);
    assert_true (json_is_integer (value));
    return json_integer_value (value);
}

static const char *
s_str (json_t *object, const char *field)
{
    json_t *value = json_object_get (object, field);
    assert_true (json_is_string (value));
    return json_string_value (value);
}

//  The label of one side of the item with key must read label
static void
s_expect_side_label (ab_briefing_t *briefing, const char *key, const char *value,
                     const char *label)
{
    json_t *item = ab_briefing_item_json (briefing, key);
    assert_non_null (item);
    assert_string_equal (s_str (s_side (item, value), "label"), label);
    json_decref (item);
}

#define KEY "commander_rank{unit=USFJ}"

//  ---------------------------------------------------------------------
//  Tests

static void
test_canonical_key_and_value (void **state)
{
    ab_result_t *a = ab_result_new ();
    ab_result_t *b = ab_result_new ();
    ab_claim_t *x = s_claim (a, "commander_rank", "unit=USFJ;status=planned",
                             "rank=4;grade=general", "reported", "");
    ab_claim_t *y = s_claim (b, "commander_rank", "status=planned;unit=USFJ",
                             "grade=general;rank=4", "reported", "");
    char *kx = ab_briefing_claim_key (x), *ky = ab_briefing_claim_key (y);
    char *vx = ab_briefing_claim_value (x), *vy = ab_briefing_claim_value (y);
    assert_string_equal (kx, "commander_rank{status=planned,unit=USFJ}");
    assert_string_equal (kx, ky);
    assert_string_equal (vx, "grade=general,rank=4");
    assert_string_equal (vx, vy);
    free (kx); free (ky); free (vx); free (vy);

    //  No key slots: the bare type; no value slots: the empty value;
    //  separators inside values are escaped
    ab_claim_t *z = s_claim (a, "exercise", "", "", "asserted", "");
    char *kz = ab_briefing_claim_key (z), *vz = ab_briefing_claim_value (z);
    assert_string_equal (kz, "exercise");
    assert_string_equal (vz, "");
    free (kz); free (vz);
    ab_claim_t *w = s_claim (a, "summit_meeting", "place=a,b{c}", "note=x=y", "asserted", "");
    char *kw = ab_briefing_claim_key (w), *vw = ab_briefing_claim_value (w);
    assert_string_equal (kw, "summit_meeting{place=a\\,b\\{c\\}}");
    assert_string_equal (vw, "note=x\\=y");
    free (kw); free (vw);

    //  A slot name given twice: sorted by value too, an array in JSON
    ab_claim_t *p1 = s_claim (a, "trilateral_cooperation", "party=US;party=JP", "", "asserted", "");
    ab_claim_t *p2 = s_claim (b, "trilateral_cooperation", "party=JP;party=US", "", "asserted", "");
    char *k1 = ab_briefing_claim_key (p1), *k2 = ab_briefing_claim_key (p2);
    assert_string_equal (k1, "trilateral_cooperation{party=JP,party=US}");
    assert_string_equal (k1, k2);
    ab_briefing_t *briefing = ab_briefing_new ();
    assert_int_equal (ab_briefing_merge (briefing, a, NULL, NULL, NULL), -1);   //  no id
    assert_int_equal (ab_article_set (&b->article_id, "p2"), 0);
    assert_int_equal (ab_briefing_merge (briefing, b, NULL, NULL, NULL), 2);
    json_t *item = ab_briefing_item_json (briefing, k1);
    json_t *parties = json_object_get (json_object_get (item, "keys"), "party");
    assert_int_equal (json_array_size (parties), 2);
    assert_string_equal (json_string_value (json_array_get (parties, 0)), "JP");
    json_decref (item);
    ab_briefing_destroy (&briefing);
    free (k1); free (k2);

    //  A claim the merge would reject has no key
    ab_claim_t *bad = s_claim (a, "bad{type", "unit=X", "", "asserted", "");
    assert_null (ab_briefing_claim_key (bad));
    ab_result_destroy (&a);
    ab_result_destroy (&b);
}

static void
test_slot_order_same_item (void **state)
{
    ab_briefing_t *briefing = ab_briefing_new ();
    ab_result_t *a = s_result ("a1", "Outlet A", "2024-03-25", 1000, 0);
    s_claim (a, "force_posture", "country=JP;actor=US", "count=54000", "asserted", "");
    ab_result_t *b = s_result ("a2", "Outlet B", "2024-03-26", 2000, 0);
    s_claim (b, "force_posture", "actor=US;country=JP", "count=54000", "asserted", "");
    assert_int_equal (s_merge (briefing, a, NULL, NULL), 1);
    assert_int_equal (s_merge (briefing, b, NULL, NULL), 1);
    assert_int_equal (ab_briefing_item_count (briefing), 1);
    json_t *item = ab_briefing_item_json (briefing, "force_posture{actor=US,country=JP}");
    assert_non_null (item);
    assert_int_equal (s_int (item, "support"), 2);
    json_t *keys = json_object_get (item, "keys");
    assert_string_equal (s_str (keys, "actor"), "US");
    assert_string_equal (s_str (keys, "country"), "JP");
    json_decref (item);
    ab_briefing_destroy (&briefing);
    assert_null (briefing);
}

static void
test_corroboration (void **state)
{
    ab_briefing_t *briefing = ab_briefing_new ();
    assert_int_equal (s_merge (briefing, s_rank ("a1", "2024-03-25", 1000, 0, "4", "reported"), NULL, NULL), 1);
    assert_int_equal (s_merge (briefing, s_rank ("a2", "2024-03-25", 3000, 0, "4", "reported"), NULL, NULL), 1);
    assert_int_equal (s_merge (briefing, s_rank ("a3", "2024-03-26", 2000, 0, "4", "asserted"), NULL, NULL), 1);
    json_t *item = ab_briefing_item_json (briefing, KEY);
    assert_non_null (item);
    assert_false (json_is_true (json_object_get (item, "conflict")));
    assert_int_equal (json_array_size (json_object_get (item, "sides")), 1);
    json_t *side = s_side (item, "rank=4");
    assert_int_equal (s_int (side, "support"), 3);
    assert_true (json_is_true (json_object_get (side, "newest")));
    assert_int_equal (json_array_size (json_object_get (side, "articles")), 3);
    //  Articles oldest first; each carries outlet, title, url, date
    json_t *first = json_array_get (json_object_get (side, "articles"), 0);
    assert_string_equal (s_str (first, "id"), "a1");
    assert_string_equal (s_str (first, "source"), "Outlet A");
    assert_string_equal (s_str (first, "title"), "Headline of a1");
    assert_string_equal (s_str (first, "url"), "https://news.example/a1");
    assert_string_equal (s_str (first, "origin"), "feed:a1");
    assert_string_equal (s_str (first, "published"), "2024-03-25");
    //  Hedges: one independent article asserts it, so overall asserted
    json_t *hedges = json_object_get (item, "hedges");
    assert_int_equal (s_int (hedges, "reported"), 2);
    assert_int_equal (s_int (hedges, "asserted"), 1);
    assert_string_equal (s_str (item, "hedge"), "asserted");
    assert_int_equal (s_int (item, "first_seen_ms"), 1000);
    assert_int_equal (s_int (item, "last_updated_ms"), 3000);
    //  Evidence: sentence, match span relative to it, rule
    json_t *evidence = json_array_get (json_object_get (side, "evidence"), 0);
    assert_non_null (evidence);
    assert_string_equal (s_str (evidence, "rule"), "test.rule");
    assert_int_equal (json_integer_value (json_array_get (json_object_get (evidence, "match"), 0)), 29);
    assert_int_equal (json_integer_value (json_array_get (json_object_get (evidence, "span"), 0)), 100);
    json_decref (item);

    json_t *summary = ab_briefing_summary_json (briefing);
    assert_int_equal (s_int (summary, "articles"), 3);
    assert_int_equal (s_int (summary, "sources"), 1);
    assert_int_equal (s_int (summary, "items"), 1);
    assert_int_equal (s_int (summary, "conflicts"), 0);
    assert_int_equal (s_int (summary, "last_update_ms"), 3000);
    json_decref (summary);
    ab_briefing_destroy (&briefing);
}

static void
test_hedge_not_asserted_without_assertion (void **state)
{
    ab_briefing_t *briefing = ab_briefing_new ();
    s_merge (briefing, s_rank ("a1", "2024-03-25", 1000, 0, "4", "reported"), NULL, NULL);
    s_merge (briefing, s_rank ("a2", "2024-03-25", 1000, 0, "4", "expected"), NULL, NULL);
    s_merge (briefing, s_rank ("a3", "2024-03-25", 1000, 0, "4", "expected"), NULL, NULL);
    s_merge (briefing, s_rank ("a4", "2024-03-25", 1000, 0, "4", "maybe"), NULL, NULL);
    json_t *item = ab_briefing_item_json (briefing, KEY);
    assert_string_equal (s_str (item, "hedge"), "expected");
    assert_int_equal (s_int (json_object_get (item, "hedges"), "asserted"), 0);
    assert_int_equal (s_int (json_object_get (item, "hedges"), "unknown"), 1);
    json_decref (item);
    ab_briefing_destroy (&briefing);
}

static void
test_conflict_and_newest_by_published (void **state)
{
    ab_briefing_t *briefing = ab_briefing_new ();
    //  The newest report by date arrives FIRST: arrival must not decide
    s_merge (briefing, s_rank ("b1", "2024-07-28", 1000, 0, "3", "asserted"), NULL, NULL);
    s_merge (briefing, s_rank ("a1", "2024-03-25", 5000, 0, "4", "reported"), NULL, NULL);
    s_merge (briefing, s_rank ("a2", "2024-03-25", 6000, 0, "4", "reported"), NULL, NULL);
    s_merge (briefing, s_rank ("a3", "2024-03-26T09:00:00Z", 7000, 0, "4", "considered"), NULL, NULL);
    assert_int_equal (ab_briefing_conflict_count (briefing), 1);
    json_t *item = ab_briefing_item_json (briefing, KEY);
    assert_true (json_is_true (json_object_get (item, "conflict")));
    assert_string_equal (s_str (item, "newest"), "rank=3");
    json_t *sides = json_object_get (item, "sides");
    assert_int_equal (json_array_size (sides), 2);
    //  Most support first
    assert_string_equal (s_str (json_array_get (sides, 0), "value"), "rank=4");
    assert_int_equal (s_int (json_array_get (sides, 0), "support"), 3);
    assert_false (json_is_true (json_object_get (json_array_get (sides, 0), "newest")));
    assert_true (json_is_true (json_object_get (json_array_get (sides, 1), "newest")));
    assert_int_equal (s_int (item, "support"), 4);
    json_decref (item);

    json_t *document = ab_briefing_to_json (briefing);
    assert_string_equal (s_str (document, "schema"), AB_BRIEFING_SCHEMA);
    json_t *conflicts = json_object_get (document, "conflicts");
    assert_int_equal (json_array_size (conflicts), 1);
    assert_string_equal (json_string_value (json_array_get (conflicts, 0)), KEY);
    json_decref (document);
    ab_briefing_destroy (&briefing);
}

static void
test_newest_by_arrival_when_undated (void **state)
{
    ab_briefing_t *briefing = ab_briefing_new ();
    s_merge (briefing, s_rank ("a1", "", 9000, 0, "4", "asserted"), NULL, NULL);
    s_merge (briefing, s_rank ("b1", "", 5000, 0, "3", "asserted"), NULL, NULL);
    json_t *item = ab_briefing_item_json (briefing, KEY);
    assert_string_equal (s_str (item, "newest"), "rank=4");
    json_decref (item);
    //  An unparseable date counts as unknown: arrival decides
    s_merge (briefing, s_rank ("b2", "last Tuesday", 9500, 0, "3", "asserted"), NULL, NULL);
    item = ab_briefing_item_json (briefing, KEY);
    assert_string_equal (s_str (item, "newest"), "rank=3");
    json_decref (item);
    ab_briefing_destroy (&briefing);
}

static void
test_same_article_twice (void **state)
{
    ab_briefing_t *briefing = ab_briefing_new ();
    changes_t changes = { 0 };
    s_merge (briefing, s_rank ("a1", "2024-03-25", 1000, 0, "4", "reported"), s_on_change, &changes);
    assert_int_equal (changes.count, 1);
    json_t *before = ab_briefing_to_json (briefing);

    ab_result_t *again = s_rank ("a1", "2024-03-25", 2000, 0, "3", "asserted");
    bool duplicate = false;
    assert_int_equal (ab_briefing_merge (briefing, again, s_on_change, &changes, &duplicate), 0);
    assert_true (duplicate);
    assert_int_equal (changes.count, 1);        //  no delta
    assert_true (ab_briefing_has_article (briefing, "a1"));
    assert_false (ab_briefing_has_article (briefing, "a2"));
    json_t *after = ab_briefing_to_json (briefing);
    assert_true (json_equal (before, after));
    ab_result_destroy (&again);
    json_decref (before);
    json_decref (after);
    json_decref (changes.last);
    ab_briefing_destroy (&briefing);
}

static void
test_same_claim_twice_in_one_article (void **state)
{
    ab_briefing_t *briefing = ab_briefing_new ();
    ab_result_t *result = s_rank ("a1", "2024-03-25", 1000, 0, "4", "reported");
    s_claim (result, "commander_rank", "unit=USFJ", "rank=4", "reported", "");
    assert_int_equal (s_merge (briefing, result, NULL, NULL), 1);
    json_t *item = ab_briefing_item_json (briefing, KEY);
    assert_int_equal (s_int (item, "support"), 1);
    assert_int_equal (s_int (s_side (item, "rank=4"), "support"), 1);
    assert_int_equal (s_int (json_object_get (item, "hedges"), "reported"), 1);
    json_decref (item);
    ab_briefing_destroy (&briefing);
}

static void
test_near_duplicates (void **state)
{
    const uint64_t original = 0x0123456789abcdefULL;
    ab_briefing_t *briefing = ab_briefing_new ();
    s_merge (briefing, s_rank ("orig", "2024-03-25", 1000, original, "4", "reported"), NULL, NULL);
    //  2 bits away, in two different bands: a copy
    s_merge (briefing, s_rank ("copy", "2024-03-25", 2000, original ^ 0x0000000100010000ULL,
                               "4", "reported"), NULL, NULL);
    json_t *item = ab_briefing_item_json (briefing, KEY);
    json_t *side = s_side (item, "rank=4");
    assert_int_equal (s_int (side, "support"), 1);
    assert_int_equal (s_int (side, "articles_total"), 2);
    json_t *articles = json_object_get (side, "articles");
    assert_int_equal (json_array_size (articles), 1);
    json_t *entry = json_array_get (articles, 0);
    assert_string_equal (s_str (entry, "id"), "orig");
    json_t *copies = json_object_get (entry, "copies");
    assert_int_equal (json_array_size (copies), 1);
    assert_string_equal (json_string_value (json_array_get (copies, 0)), "copy");
    json_decref (item);

    //  10 bits away (3 in one band, 3, 2, 2 in the others): independent
    s_merge (briefing, s_rank ("other", "2024-03-26", 3000, original ^ 0x0007000700030003ULL,
                               "4", "reported"), NULL, NULL);
    item = ab_briefing_item_json (briefing, KEY);
    assert_int_equal (s_int (s_side (item, "rank=4"), "support"), 2);
    assert_int_equal (s_int (item, "support"), 2);
    json_decref (item);

    json_t *summary = ab_briefing_summary_json (briefing);
    assert_int_equal (s_int (summary, "articles"), 3);
    assert_int_equal (s_int (summary, "copies"), 1);
    assert_int_equal (s_int (summary, "independent_articles"), 2);
    json_decref (summary);
    ab_briefing_destroy (&briefing);
}

static void
test_copy_with_new_claim (void **state)
{
    //  A copy that says something its original did not: it supports that
    //  claim itself, once, and the cluster still counts once elsewhere
    const uint64_t fp = 0xfedcba9876543210ULL;
    ab_briefing_t *briefing = ab_briefing_new ();
    s_merge (briefing, s_rank ("orig", "2024-03-25", 1000, fp, "4", "reported"), NULL, NULL);
    ab_result_t *copy = s_rank ("copy", "2024-03-25", 2000, fp ^ 1, "4", "reported");
    s_claim (copy, "force_posture", "actor=US", "count=54000", "asserted", "");
    assert_int_equal (s_merge (briefing, copy, NULL, NULL), 2);
    json_t *item = ab_briefing_item_json (briefing, "force_posture{actor=US}");
    assert_int_equal (s_int (item, "support"), 1);
    assert_string_equal (s_str (json_array_get (json_object_get (s_side (item, "count=54000"),
                                                                 "articles"), 0), "id"), "copy");
    json_decref (item);
    //  A second copy repeating both counts nowhere again
    ab_result_t *copy2 = s_rank ("copy2", "2024-03-25", 3000, fp ^ 2, "4", "reported");
    s_claim (copy2, "force_posture", "actor=US", "count=54000", "asserted", "");
    s_merge (briefing, copy2, NULL, NULL);
    item = ab_briefing_item_json (briefing, "force_posture{actor=US}");
    assert_int_equal (s_int (item, "support"), 1);
    assert_int_equal (s_int (s_side (item, "count=54000"), "articles_total"), 2);
    json_decref (item);
    item = ab_briefing_item_json (briefing, KEY);
    assert_int_equal (s_int (item, "support"), 1);
    assert_int_equal (s_int (s_side (item, "rank=4"), "articles_total"), 3);
    json_decref (item);
    ab_briefing_destroy (&briefing);
}

static void
test_delta_ops (void **state)
{
    ab_briefing_t *briefing = ab_briefing_new ();
    changes_t changes = { 0 };
    s_merge (briefing, s_rank ("a1", "2024-03-25", 1000, 0, "4", "reported"), s_on_change, &changes);
    s_merge (briefing, s_rank ("a2", "2024-03-26", 2000, 0, "4", "reported"), s_on_change, &changes);
    //  An older article with another value: conflict, newest unchanged
    s_merge (briefing, s_rank ("b1", "2024-03-01", 3000, 0, "3", "asserted"), s_on_change, &changes);
    //  A newer article for the other value: it becomes newest
    s_merge (briefing, s_rank ("b2", "2024-07-28", 4000, 0, "3", "asserted"), s_on_change, &changes);
    //  Newer still for the first value: superseded back
    s_merge (briefing, s_rank ("a3", "2024-08-01", 5000, 0, "4", "asserted"), s_on_change, &changes);
    //  Older support for the non-newest side: a plain support change
    s_merge (briefing, s_rank ("b3", "2024-02-01", 6000, 0, "3", "asserted"), s_on_change, &changes);
    assert_int_equal (changes.count, 6);
    assert_string_equal (changes.ops [0], AB_OP_ITEM_ADDED);
    assert_string_equal (changes.ops [1], AB_OP_SUPPORT_CHANGED);
    assert_string_equal (changes.ops [2], AB_OP_CONFLICT_OPENED);
    assert_string_equal (changes.ops [3], AB_OP_VALUE_SUPERSEDED);
    assert_string_equal (changes.ops [4], AB_OP_VALUE_SUPERSEDED);
    assert_string_equal (changes.ops [5], AB_OP_SUPPORT_CHANGED);
    for (int i = 0; i < changes.count; i++) {
        assert_string_equal (changes.keys [i], KEY);
        assert_string_equal (changes.topics [i], "commander_rank");
    }
    //  The item passed is the state after the change
    assert_string_equal (s_str (changes.last, "newest"), "rank=4");
    assert_int_equal (s_int (s_side (changes.last, "rank=3"), "support"), 3);

    //  One result touching two items: one change each, in claim order
    changes.count = 0;
    ab_result_t *result = s_result ("c1", "Outlet C", "2024-04-01", 7000, 0);
    s_claim (result, "defense_spending", "country=JP", "percent_gdp=2", "expected", "");
    s_claim (result, "force_posture", "actor=US", "count=54000", "asserted", "");
    s_claim (result, "defense_spending", "country=JP", "percent_gdp=2", "expected", "");
    assert_int_equal (s_merge (briefing, result, s_on_change, &changes), 2);
    assert_int_equal (changes.count, 2);
    assert_string_equal (changes.keys [0], "defense_spending{country=JP}");
    assert_string_equal (changes.keys [1], "force_posture{actor=US}");
    assert_string_equal (changes.ops [1], AB_OP_ITEM_ADDED);
    json_decref (changes.last);
    ab_briefing_destroy (&briefing);
}

static void
test_rejected_claims (void **state)
{
    ab_briefing_t *briefing = ab_briefing_new ();
    ab_result_t *result = s_result ("r1", "", "", 1000, 0);
    s_claim (result, "", "unit=X", "rank=1", "asserted", "");
    s_claim (result, "a{b", "unit=X", "rank=1", "asserted", "");
    s_claim (result, "exercise", "place=sea", "", "asserted", "");
    assert_int_equal (s_merge (briefing, result, NULL, NULL), 1);
    json_t *summary = ab_briefing_summary_json (briefing);
    assert_int_equal (s_int (summary, "rejected_claims"), 2);
    assert_int_equal (s_int (summary, "claims"), 1);
    assert_int_equal (s_int (summary, "sources"), 0);
    json_decref (summary);
    //  No article id: an error, nothing merged
    ab_result_t *anonymous = s_result ("", "", "", 1000, 0);
    assert_int_equal (ab_briefing_merge (briefing, anonymous, NULL, NULL, NULL), -1);
    ab_result_destroy (&anonymous);
    assert_int_equal (ab_briefing_article_count (briefing), 1);
    ab_briefing_destroy (&briefing);
}

static void
test_evidence_capped_support_counted (void **state)
{
    ab_briefing_t *briefing = ab_briefing_new ();
    //  80 articles, dated one day apart, merged in a scrambled order
    for (int n = 0; n < 80; n++) {
        int i = (n * 37) % 80;
        char id [16], date [16];
        snprintf (id, sizeof id, "e%02d", i);
        snprintf (date, sizeof date, "2024-%02d-%02d", 1 + i / 28, 1 + i % 28);
        s_merge (briefing, s_rank (id, date, 1000 + i, 0, "4", "asserted"), NULL, NULL);
    }
    json_t *item = ab_briefing_item_json (briefing, KEY);
    json_t *side = s_side (item, "rank=4");
    assert_int_equal (s_int (side, "support"), 80);
    json_t *evidence = json_object_get (side, "evidence");
    assert_int_equal (json_array_size (evidence), AB_BRIEFING_MAX_EVIDENCE);
    //  The newest evidence is kept, newest first
    assert_string_equal (s_str (json_array_get (evidence, 0), "article"), "e79");
    assert_string_equal (s_str (json_array_get (evidence, 7), "article"), "e72");
    assert_string_equal (s_str (side, "latest_published"), "2024-03-24");
    //  The newest articles are listed, oldest first, the rest counted
    json_t *articles = json_object_get (side, "articles");
    assert_int_equal (json_array_size (articles), AB_BRIEFING_MAX_LISTED);
    assert_int_equal (s_int (side, "articles_omitted"), 80 - AB_BRIEFING_MAX_LISTED);
    for (size_t i = 0; i < AB_BRIEFING_MAX_LISTED; i++) {
        char id [16];
        snprintf (id, sizeof id, "e%02zu", 80 - AB_BRIEFING_MAX_LISTED + i);
        assert_string_equal (s_str (json_array_get (articles, i), "id"), id);
    }
    json_decref (item);
    ab_briefing_destroy (&briefing);
}

//  Five results merged in two different orders give the same document
static void
s_merge_set (ab_briefing_t *briefing, const int *order)
{
    for (int n = 0; n < 5; n++) {
        ab_result_t *result = NULL;
        switch (order [n]) {
            case 0: result = s_rank ("a1", "2024-03-25", 1000, 0x1111, "4", "reported");
                    s_claim (result, "summit_meeting", "date=2024-04-10;place=Washington", "",
                             "expected", "Financial Times");
                    break;
            case 1: result = s_rank ("a2", "2024-03-25", 1100, 0x2222000000000000ULL, "4", "considered");
                    s_claim (result, "summit_meeting", "place=Washington;date=2024-04-10", "",
                             "reported", "Outlet Z");
                    break;
            case 2: result = s_rank ("b1", "2024-07-28", 1200, 0x33330000, "3", "asserted");
                    s_claim (result, "force_posture", "actor=US;country=JP", "count=54000",
                             "asserted", "");
                    break;
            case 3: result = s_result ("c1", "Outlet C", "2024-04-09", 1300, 0x4444ULL << 16);
                    s_claim (result, "defense_spending", "country=JP", "percent_gdp=2", "expected", "");
                    s_claim (result, "force_posture", "country=JP;actor=US", "count=54000",
                             "reported", "");
                    break;
            case 4: result = s_result ("d1", "Outlet D", "", 1400, 0);
                    s_claim (result, "defense_spending", "country=JP", "percent_gdp=1", "asserted", "");
                    break;
        }
        s_merge (briefing, result, NULL, NULL);
    }
}

static void
test_deterministic_document (void **state)
{
    const int forward [5] = { 0, 1, 2, 3, 4 };
    const int shuffled [5] = { 3, 4, 2, 1, 0 };
    ab_briefing_t *one = ab_briefing_new ();
    ab_briefing_t *two = ab_briefing_new ();
    s_merge_set (one, forward);
    s_merge_set (two, shuffled);
    json_t *a = ab_briefing_to_json (one);
    json_t *b = ab_briefing_to_json (two);
    //  Byte-identical, object member order included
    char *text_a = json_dumps (a, JSON_INDENT (1));
    char *text_b = json_dumps (b, JSON_INDENT (1));
    assert_string_equal (text_a, text_b);
    //  Sorted: conflicts first, then topic, then key
    json_t *items = json_object_get (a, "items");
    assert_int_equal (json_array_size (items), 4);
    assert_string_equal (s_str (json_array_get (items, 0), "key"), KEY);
    assert_string_equal (s_str (json_array_get (items, 1), "key"), "defense_spending{country=JP}");
    assert_string_equal (s_str (json_array_get (items, 2), "key"), "force_posture{actor=US,country=JP}");
    assert_string_equal (s_str (json_array_get (items, 3), "key"),
                         "summit_meeting{date=2024-04-10,place=Washington}");
    //  Distinct attributions kept
    json_t *summit = json_array_get (items, 3);
    assert_int_equal (json_array_size (json_object_get (summit, "attributions")), 2);
    assert_string_equal (json_string_value (json_array_get (json_object_get (summit, "actors"), 0)), "US");
    free (text_a);
    free (text_b);
    json_decref (a);
    json_decref (b);

    //  Topic filter for snapshots
    json_t *filtered = ab_briefing_items_json (one, "force");
    assert_int_equal (json_array_size (filtered), 1);
    json_decref (filtered);
    filtered = ab_briefing_items_json (one, "");
    assert_int_equal (json_array_size (filtered), 4);
    json_decref (filtered);
    ab_briefing_destroy (&one);
    ab_briefing_destroy (&two);
}

static void
test_topic_labels (void **state)
{
    char path [] = "/tmp/test_briefing_topicsXXXXXX";
    int fd = mkstemp (path);
    assert_true (fd >= 0);
    const char *good =
        "# type\ttitle\tsubject\tvalue\n"
        "commander_rank\tCommander rank\tcommander of {unit}\t{rank}-star\n"
        "\n"
        "force_posture\tForces stationed\n";
    assert_int_equal (write (fd, good, strlen (good)), (ssize_t) strlen (good));
    close (fd);

    ab_briefing_t *briefing = ab_briefing_new ();
    char errbuf [256] = "";
    assert_int_equal (ab_briefing_load_topics (briefing, path, errbuf, sizeof errbuf), 0);
    ab_result_t *result = s_rank ("a1", "2024-03-25", 1000, 0, "4", "reported");
    s_claim (result, "commander_rank", "unit=JSDF", "rank=4;status=planned", "reported", "");
    s_claim (result, "exercise", "place=sea", "", "asserted", "");
    s_merge (briefing, result, NULL, NULL);
    json_t *item = ab_briefing_item_json (briefing, KEY);
    assert_string_equal (s_str (item, "topic_label"), "Commander rank");
    assert_string_equal (s_str (item, "label"), "commander of USFJ");
    assert_string_equal (s_str (s_side (item, "rank=4"), "label"), "4-star");
    json_decref (item);
    //  Slots the format does not name are shown, not hidden
    s_expect_side_label (briefing, "commander_rank{unit=JSDF}", "rank=4,status=planned",
                         "4-star (status=planned)");
    //  Unlisted type: raw names
    item = ab_briefing_item_json (briefing, "exercise{place=sea}");
    assert_string_equal (s_str (item, "topic_label"), "exercise");
    assert_string_equal (s_str (item, "label"), "place=sea");
    json_decref (item);

    //  The shipped sink/topics.tsv loads; alternatives pick the shape
    //  whose slots are present; underscores read as spaces
    assert_int_equal (ab_briefing_load_topics (briefing, "sink/topics.tsv", errbuf, sizeof errbuf), 0);
    ab_result_t *shapes = s_result ("a2", "Outlet B", "2024-03-25", 2000, 0);
    s_claim (shapes, "command_structure", "unit=USFJ;relation=reports_to", "superior=INDOPACOM",
             "reported", "");
    s_claim (shapes, "command_structure", "country=JP;change=joint_headquarters",
             "target_date=2025-03", "expected", "");
    s_merge (briefing, shapes, NULL, NULL);
    item = ab_briefing_item_json (briefing, "command_structure{relation=reports_to,unit=USFJ}");
    assert_string_equal (s_str (item, "topic_label"), "Command structure");
    assert_string_equal (s_str (item, "label"), "USFJ: reports to");
    assert_string_equal (s_str (s_side (item, "superior=INDOPACOM"), "label"), "INDOPACOM");
    json_decref (item);
    item = ab_briefing_item_json (briefing, "command_structure{change=joint_headquarters,country=JP}");
    assert_string_equal (s_str (item, "label"), "JP: joint headquarters");
    assert_string_equal (s_str (s_side (item, "target_date=2025-03"), "label"), "by 2025-03");
    json_decref (item);
    //  Large whole numbers are grouped by thousands; years are not
    ab_result_t *numbers = s_result ("a3", "Outlet C", "2024-03-25", 3000, 0);
    s_claim (numbers, "force_posture", "country=US;host=JP;measure=troops", "count=54000",
             "asserted", "");
    s_claim (numbers, "defense_industry", "system=AMRAAM;mechanism=coproduction",
             "amount=3200000000;currency=USD", "asserted", "");
    s_claim (numbers, "treaty", "treaty=MDT;parties=JP+US", "year=1960", "asserted", "");
    s_merge (briefing, numbers, NULL, NULL);
    s_expect_side_label (briefing, "force_posture{country=US,host=JP,measure=troops}", "count=54000",
                         "54,000");
    s_expect_side_label (briefing, "defense_industry{mechanism=coproduction,system=AMRAAM}",
                         "amount=3200000000,currency=USD", "3,200,000,000 USD");
    s_expect_side_label (briefing, "treaty{parties=JP+US,treaty=MDT}", "year=1960", "signed 1960");
    assert_int_equal (ab_briefing_load_topics (briefing, path, errbuf, sizeof errbuf), 0);

    //  A bad file names its line and keeps the old table
    fd = open (path, O_WRONLY | O_TRUNC);
    const char *bad = "# comment\nexercise\tExercises\n\ncapability\tCapabilities\t{unit\n";
    assert_int_equal (write (fd, bad, strlen (bad)), (ssize_t) strlen (bad));
    close (fd);
    assert_int_equal (ab_briefing_load_topics (briefing, path, errbuf, sizeof errbuf), -1);
    assert_non_null (strstr (errbuf, ":4: "));
    item = ab_briefing_item_json (briefing, KEY);
    assert_string_equal (s_str (item, "topic_label"), "Commander rank");
    json_decref (item);
    assert_int_equal (ab_briefing_load_topics (briefing, "/nonexistent/topics.tsv",
                                               errbuf, sizeof errbuf), -1);
    unlink (path);
    ab_briefing_destroy (&briefing);
}

static void
test_invalid_utf8_metadata (void **state)
{
    ab_briefing_t *briefing = ab_briefing_new ();
    ab_result_t *result = s_rank ("a1", "2024-03-25", 1000, 0, "4", "reported");
    assert_int_equal (ab_article_set (&result->title, "Bad \xff title"), 0);
    s_merge (briefing, result, NULL, NULL);
    json_t *item = ab_briefing_item_json (briefing, KEY);
    json_t *article = json_array_get (json_object_get (s_side (item, "rank=4"), "articles"), 0);
    assert_string_equal (s_str (article, "title"), "Bad \xef\xbf\xbd title");
    json_decref (item);
    ab_briefing_destroy (&briefing);
}

//  One person quoted under two spellings is listed once per item; each
//  article's entry keeps the spelling it used
static void
test_attribution_spelling_variants_listed_once (void **state)
{
    ab_briefing_t *briefing = ab_briefing_new ();
    const char *cited [] = {
        "Aiko Tanabe (Defense Minister)",
        "Aiko Tanabe (Defense Minister; written \"Aiko Tanabee\")",
        "Aiko Tanabe (written \"A. Tanabe\")",
        "Aiko Tanabe",
    };
    //  far-apart fingerprints: four independent articles, not copies
    const uint64_t fingerprints [] = { 0, ~0ull, 0x00000000ffffffffull, 0xffffffff00000000ull };
    for (int index = 0; index < 4; index++) {
        char id [16];
        snprintf (id, sizeof id, "t%d", index);
        ab_result_t *result = s_result (id, "Outlet", "2024-05-01", 1000 + index, fingerprints [index]);
        s_claim (result, "official_statement", "speaker=TANABE;topic=budget", "status=approved",
                 "asserted", cited [index]);
        s_merge (briefing, result, NULL, NULL);
    }
    json_t *item = ab_briefing_item_json (briefing, "official_statement{speaker=TANABE,topic=budget}");
    assert_non_null (item);
    json_t *attributions = json_object_get (item, "attributions");
    assert_int_equal (json_array_size (attributions), 2);
    assert_string_equal (json_string_value (json_array_get (attributions, 0)), "Aiko Tanabe");
    assert_string_equal (json_string_value (json_array_get (attributions, 1)), "Aiko Tanabe (Defense Minister)");
    json_t *articles = json_object_get (json_array_get (json_object_get (item, "sides"), 0), "articles");
    assert_int_equal (json_array_size (articles), 4);
    assert_non_null (strstr (s_str (json_array_get (articles, 1), "attribution"), "written"));
    json_decref (item);
    ab_briefing_destroy (&briefing);
}

//  The summary counts merged claims per type, listed by type name whatever
//  order the types arrived in
static void
test_claims_by_type (void **state)
{
    ab_briefing_t *briefing = ab_briefing_new ();
    const char *types [] = { "summit_meeting", "exercise", "treaty", "exercise", "commander_rank" };
    const uint64_t fingerprints [] = { 0, ~0ull, 0x00000000ffffffffull, 0xffffffff00000000ull,
                                       0x0f0f0f0f0f0f0f0full };
    for (int index = 0; index < 5; index++) {
        char id [16];
        snprintf (id, sizeof id, "c%d", index);
        ab_result_t *result = s_result (id, "Outlet", "2024-05-01", 1000 + index, fingerprints [index]);
        s_claim (result, types [index], "unit=USFJ", "rank=4", "asserted", "");
        s_merge (briefing, result, NULL, NULL);
    }
    json_t *summary = ab_briefing_summary_json (briefing);
    json_t *by_type = json_object_get (summary, "claims_by_type");
    assert_int_equal (json_object_size (by_type), 4);
    const char *expected [] = { "commander_rank", "exercise", "summit_meeting", "treaty" };
    const json_int_t counts [] = { 1, 2, 1, 1 };
    size_t index = 0;
    const char *type;
    json_t *count;
    json_object_foreach (by_type, type, count) {
        assert_string_equal (type, expected [index]);
        assert_int_equal (json_integer_value (count), counts [index]);
        index++;
    }
    assert_int_equal (s_int (summary, "claims"), 5);
    json_decref (summary);
    ab_briefing_destroy (&briefing);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_canonical_key_and_value),
        cmocka_unit_test (test_slot_order_same_item),
        cmocka_unit_test (test_corroboration),
        cmocka_unit_test (test_hedge_not_asserted_without_assertion),
        cmocka_unit_test (test_conflict_and_newest_by_published),
        cmocka_unit_test (test_newest_by_arrival_when_undated),
        cmocka_unit_test (test_same_article_twice),
        cmocka_unit_test (test_same_claim_twice_in_one_article),
        cmocka_unit_test (test_near_duplicates),
        cmocka_unit_test (test_copy_with_new_claim),
        cmocka_unit_test (test_delta_ops),
        cmocka_unit_test (test_rejected_claims),
        cmocka_unit_test (test_evidence_capped_support_counted),
        cmocka_unit_test (test_deterministic_document),
        cmocka_unit_test (test_topic_labels),
        cmocka_unit_test (test_invalid_utf8_metadata),
        cmocka_unit_test (test_attribution_spelling_variants_listed_once),
        cmocka_unit_test (test_claims_by_type),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
