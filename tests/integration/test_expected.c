/*  =========================================================================
    test_expected - ../shared/seeds/EXPECTED.md, item by item, against the
    briefing the real pipeline writes

    The unit test test_extract checks the claims behind each item one
    article at a time; this one checks what an analyst reads: the sink's
    briefing.json after sink, workers and producer ran as processes on the
    five seeds.  Each row names an item of EXPECTED.md, how to find it
    (type, key slots, value) and exactly which seed files must support it.
    Seeds are named by their file's three-digit prefix, found through each
    cited article's origin.  Skipped when ../shared/seeds is not there.
    =========================================================================
*/
#include "ab_testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <czmq.h>

typedef struct {
    int item;                   //  row of EXPECTED.md
    const char *type;
    const char *keys;           //  "slot=value,..." the item's keys must include
                                //  ("slot=-": must not have that slot)
    const char *value;          //  the side's value, e.g. "rank=4"
    const char *articles;       //  exactly these seeds support that side
    bool hedged;                //  must not read as asserted fact
    const char *attribution;    //  the item's attributions include this, or NULL
} expected_t;

static const expected_t s_expected [] = {
    { 1, "commander_rank", "unit=USFJ,status=planned,aspect=-", "rank=4", "000,001,003", true, NULL },
    { 1, "commander_rank", "unit=USFJ,status=planned,aspect=-", "rank=3", "002", true, "a U.S. official" },
    //  "Some U.S. officials wanting the new commander limited to exercises,
    //  training and information sharing (001) is a dissenting detail of item 1"
    { 1, "commander_rank", "unit=USFJ,status=planned,aspect=duties", "duties=limited", "001", true,
      "U.S. officials" },
    { 2, "command_structure", "change=joint_headquarters,country=JP", "target_date=2025-03", "000,001", true, NULL },
    { 3, "summit_meeting", "date=2024-04-10,participants=JP+US", "event=summit", "000,001,003", true,
      "Financial Times" },
    { 4, "force_posture", "country=US,host=JP,measure=troops", "count=54000", "001,002,003", false, NULL },
    { 5, "defense_spending", "country=JP,metric=percent_gdp,status=target", "percent=2", "001,002,003,004",
      false, NULL },
    { 5, "defense_spending", "country=JP,metric=percent_gdp,status=baseline", "percent=1", "002,004",
      false, NULL },
    { 6, "capability", "country=JP,measure=range,system=missile", "range_km=1000", "001,003", false, NULL },
    { 6, "capability", "country=JP,system=counter_strike", NULL, "004", false, NULL },
    { 7, "treaty_reference", "treaty=MDT,year=1960", NULL, "003,004", false, NULL },
    { 8, "official_statement", "speaker=HAYASHI,topic=joint_command_cooperation", "partners=KR+US", "000,001",
      false, "Yoshimasa Hayashi (Chief Cabinet Secretary)" },
    { 8, "official_statement", "speaker=HAYASHI,topic=summit_agenda", "status=undecided", "000,001,003",
      false, NULL },
    { 9, "commander_rank", "unit=USFJ,status=current", "rank=3", "000,001", false, NULL },
    { 9, "command_structure", "aspect=command_authority,over=JSDF,unit=USFJ", "authority=none", "000,001",
      false, NULL },
    { 10, "command_structure", "change=reconstitute,unit=USFJ", "form=joint_force_headquarters", "002",
      false, NULL },
    { 10, "command_structure", "relation=reports_to,unit=USFJ", "superior=INDOPACOM", "002", false, NULL },
    { 11, "trilateral_cooperation", "participants=JP+KR+US", NULL, "002", false, NULL },
    { 12, "summit_meeting", "date=2024-04-11,participants=JP+PH+US", "event=summit", "003", false, NULL },
    { 13, "defense_industry", "country=US", NULL, "004", false, NULL },
    { 14, "missile_defense", "participants=JP+US", NULL, "004", false, NULL },
    { 15, "exercise", "date=2024-04-07", "location=SCS", "004", false, NULL },
    { 16, "geography", "place=TW,reference=JP", "distance_km=100", "001,003", false, NULL },
    { 17, "space_cooperation", "country=JP,program=ARTEMIS", NULL, "004", false, NULL },
};

//  Text that exists in the seeds only as captions, credits and site
//  boilerplate; no evidence sentence may contain it.
static const char *s_boilerplate [] = {
    "Getty Images", "Related Stories", "Source link", "Leave a Reply", "Akismet", NULL
};

static int
s_setup (void **state)
{
    if (!ab_test_seeds_dir ()) {
        printf ("test_expected: ../shared/seeds not present, skipped\n");
        return -1;
    }
    ab_fixture_t *fixture = ab_fixture_new ();
    if (!fixture)
        return -1;
    json_t *briefing = ab_fixture_run_pipeline (fixture, ab_test_seeds_dir (), NULL, 2);
    ab_fixture_destroy (&fixture);
    *state = briefing;
    return briefing? 0: -1;
}

static int
s_teardown (void **state)
{
    json_t *briefing = *state;
    json_decref (briefing);
    return 0;
}

static bool
s_has_keys (json_t *item, const char *wanted)
{
    json_t *keys = json_object_get (item, "keys");
    char *copy = strdup (wanted);
    bool all = true;
    char *saveptr = NULL;
    for (char *pair = strtok_r (copy, ",", &saveptr); pair && all; pair = strtok_r (NULL, ",", &saveptr)) {
        char *equals = strchr (pair, '=');
        assert_non_null (equals);
        *equals = 0;
        const char *have = json_string_value (json_object_get (keys, pair));
        all = streq (equals + 1, "-") ? !have : have && streq (have, equals + 1);
    }
    free (copy);
    return all;
}

static json_t *
s_find_item (json_t *briefing, const expected_t *row)
{
    json_t *found = NULL, *item;
    size_t index;
    json_array_foreach (json_object_get (briefing, "items"), index, item) {
        if (!streq (json_string_value (json_object_get (item, "type")), row->type)
        ||  !s_has_keys (item, row->keys))
            continue;
        if (found)
            fail_msg ("item %d: two items match %s{%s}: %s and %s (split?)", row->item, row->type, row->keys,
                      json_string_value (json_object_get (found, "key")),
                      json_string_value (json_object_get (item, "key")));
        found = item;
    }
    return found;
}

//  "000,001" from the origins of a side's articles, sorted
static void
s_side_seeds (json_t *side, char *out, size_t size)
{
    zlistx_t *names = zlistx_new ();
    zlistx_set_destructor (names, (czmq_destructor *) zstr_free);
    zlistx_set_duplicator (names, (czmq_duplicator *) strdup);
    zlistx_set_comparator (names, (czmq_comparator *) strcmp);
    json_t *article;
    size_t index;
    json_array_foreach (json_object_get (side, "articles"), index, article) {
        const char *origin = json_string_value (json_object_get (article, "origin"));
        assert_non_null (origin);
        const char *base = strrchr (origin, '/');
        base = base? base + 1: origin;
        char prefix [4] = "";
        snprintf (prefix, sizeof prefix, "%s", base);
        zlistx_add_end (names, prefix);
    }
    zlistx_sort (names);
    *out = 0;
    for (const char *name = zlistx_first (names); name; name = zlistx_next (names))
        snprintf (out + strlen (out), size - strlen (out), "%s%s", *out? ",": "", name);
    zlistx_destroy (&names);
}

static bool
s_has_attribution (json_t *item, const char *wanted)
{
    json_t *value;
    size_t index;
    json_array_foreach (json_object_get (item, "attributions"), index, value)
        if (strstr (json_string_value (value), wanted))
            return true;
    return false;
}

static void
test_every_expected_item (void **state)
{
    json_t *briefing = *state;
    size_t rows = sizeof s_expected / sizeof s_expected [0];
    size_t misses = 0;
    for (size_t row_index = 0; row_index < rows; row_index++) {
        const expected_t *row = &s_expected [row_index];
        json_t *item = s_find_item (briefing, row);
        if (!item) {
            printf ("MISS item %d: no %s{%s}\n", row->item, row->type, row->keys);
            misses++;
            continue;
        }
        json_t *side = NULL, *candidate;
        size_t index;
        json_array_foreach (json_object_get (item, "sides"), index, candidate)
            if (!row->value || streq (json_string_value (json_object_get (candidate, "value")), row->value))
                side = candidate;
        char seeds [64] = "";
        if (side)
            s_side_seeds (side, seeds, sizeof seeds);
        const char *hedge = side? json_string_value (json_object_get (side, "hedge")): "";
        bool ok = side && streq (seeds, row->articles)
               && (!row->hedged || !streq (hedge, "asserted"))
               && (!row->attribution || s_has_attribution (item, row->attribution));
        printf ("%s item %2d: %s = %s from %s (%s)\n", ok? "ok  ": "MISS", row->item,
                json_string_value (json_object_get (item, "key")), row->value? row->value: "*",
                side? seeds: "no such side", hedge);
        if (!ok) {
            printf ("     want %s%s%s%s\n", row->articles, row->hedged? ", hedged": "",
                    row->attribution? ", attributed to ": "", row->attribution? row->attribution: "");
            misses++;
        }
    }
    assert_int_equal (misses, 0);
}

static void
test_rank_conflict_newest_is_002 (void **state)
{
    json_t *briefing = *state;
    json_t *item = s_find_item (briefing, &s_expected [0]);
    assert_non_null (item);
    assert_true (json_is_true (json_object_get (item, "conflict")));
    assert_string_equal (json_string_value (json_object_get (item, "newest")), "rank=3");
    //  The conflict is listed up front, and it is this one
    json_t *conflicts = json_object_get (briefing, "conflicts");
    bool listed = false;
    json_t *conflict;
    size_t index;
    json_array_foreach (conflicts, index, conflict) {
        const char *key = json_string_value (json_object_get (conflict, "key"));
        if (!key)
            key = json_string_value (conflict);
        listed = listed || (key && streq (key, json_string_value (json_object_get (item, "key"))));
    }
    assert_true (listed);
}

//  No article counted twice for one item, nothing from boilerplate, and no
//  homoglyph left in any key or value (an unrepaired `е` would split items)
static void
test_no_double_count_boilerplate_or_homoglyph (void **state)
{
    json_t *briefing = *state;
    json_t *item;
    size_t index;
    json_array_foreach (json_object_get (briefing, "items"), index, item) {
        zhashx_t *seen = zhashx_new ();
        json_t *side;
        size_t side_index;
        const char *key = json_string_value (json_object_get (item, "key"));
        for (const char *p = key; *p; p++)
            assert_true ((unsigned char) *p < 0x80);
        json_array_foreach (json_object_get (item, "sides"), side_index, side) {
            const char *value = json_string_value (json_object_get (side, "value"));
            for (const char *p = value; *p; p++)
                assert_true ((unsigned char) *p < 0x80);
            json_t *article, *evidence;
            size_t article_index;
            json_array_foreach (json_object_get (side, "articles"), article_index, article) {
                const char *id = json_string_value (json_object_get (article, "id"));
                if (zhashx_lookup (seen, id))
                    fail_msg ("%s: article %s counted twice", key, id);
                zhashx_insert (seen, id, (void *) 1);
            }
            json_array_foreach (json_object_get (side, "evidence"), article_index, evidence) {
                const char *sentence = json_string_value (json_object_get (evidence, "sentence"));
                for (const char **marker = s_boilerplate; *marker; marker++)
                    if (strstr (sentence, *marker))
                        fail_msg ("%s: evidence from boilerplate: %s", key, sentence);
            }
        }
        zhashx_destroy (&seen);
    }
    json_t *summary = json_object_get (briefing, "summary");
    assert_int_equal (json_integer_value (json_object_get (summary, "articles")), 5);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_every_expected_item),
        cmocka_unit_test (test_rank_conflict_newest_is_002),
        cmocka_unit_test (test_no_double_count_boilerplate_or_homoglyph),
    };
    if (!ab_test_seeds_dir ()) {
        printf ("test_expected: ../shared/seeds not present, skipped\n");
        return 0;
    }
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
