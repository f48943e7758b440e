/*  =========================================================================
    test_render - Markdown and one-line rendering (common/ab_render)

    Documents come from real briefings (sink/ab_briefing) and from JSON
    written by hand, since the renderer must work from JSON alone.
    =========================================================================
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ab_briefing.h"
#include "ab_render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

//  ---------------------------------------------------------------------
//  Fixture helpers

static void
s_add (ab_briefing_t *briefing, const char *id, const char *source, const char *published,
       const char *type, const char *key_name, const char *key_value,
       const char *value_name, const char *value, const char *hedge,
       const char *attribution, const char *sentence)
{
    ab_result_t *result = ab_result_new ();
    assert_non_null (result);
    ab_article_set (&result->article_id, id);
    ab_article_set (&result->source, source);
    ab_article_set (&result->published, published);
    ab_article_set (&result->title, "A headline");
    result->received_ms = 1711400000000;
    ab_claim_t *claim = ab_result_add_claim (result);
    ab_article_set (&claim->type, type);
    ab_article_set (&claim->rule, "r1");
    ab_article_set (&claim->hedge, hedge);
    ab_article_set (&claim->attribution, attribution);
    ab_article_set (&claim->evidence, sentence);
    claim->evidence_end = (uint32_t) strlen (sentence);
    claim->match_end = 3;
    ab_claim_add_key (claim, key_name, key_value);
    if (value_name)
        ab_claim_add_value (claim, value_name, value);
    ab_claim_add_actor (claim, "US");
    assert_true (ab_briefing_merge (briefing, result, NULL, NULL, NULL) > 0);
    ab_result_destroy (&result);
}

//  Three reports of one rank, one newer report of another, plus two
//  plain items in two topics
static ab_briefing_t *
s_sample (bool labels)
{
    ab_briefing_t *briefing = ab_briefing_new ();
    assert_non_null (briefing);
    if (labels) {
        char path [] = "/tmp/test_render_topicsXXXXXX";
        int fd = mkstemp (path);
        const char *text = "commander_rank\tCommander rank\tcommander of {unit}\t{rank}-star\n"
                           "force_posture\tForces stationed\t{actor} in {country}\t{count} troops\n"
                           "defense_spending\tDefense spending\t{country}\t{percent_gdp}% of GDP\n";
        assert_int_equal (write (fd, text, strlen (text)), (ssize_t) strlen (text));
        close (fd);
        char errbuf [200];
        assert_int_equal (ab_briefing_load_topics (briefing, path, errbuf, sizeof errbuf), 0);
        unlink (path);
    }
    s_add (briefing, "a1", "Wire One", "2024-03-25", "commander_rank", "unit", "USFJ",
           "rank", "4", "reported", "Daily Paper", "A paper said the post would be upgraded.");
    s_add (briefing, "a2", "Wire Two", "2024-03-25", "commander_rank", "unit", "USFJ",
           "rank", "4", "reported", "", "The post is said to be upgraded.");
    s_add (briefing, "a3", "Wire Three", "2024-03-26", "commander_rank", "unit", "USFJ",
           "rank", "4", "reported", "", "Officials said the post may be upgraded.");
    s_add (briefing, "b1", "Wire Four", "2024-07-28", "commander_rank", "unit", "USFJ",
           "rank", "3", "asserted", "", "The post stays at its rank, an official said.");
    s_add (briefing, "c1", "Wire Five", "2024-04-09", "defense_spending", "country", "JP",
           "percent_gdp", "2", "expected", "", "The budget <b>will</b> reach *two* percent.");
    s_add (briefing, "c2", "Wire Five", "2024-04-10", "force_posture", "actor", "US",
           NULL, NULL, "asserted", "", "Troops are stationed there.");
    return briefing;
}

static char *
s_markdown (ab_briefing_t *briefing)
{
    json_t *document = ab_briefing_to_json (briefing);
    assert_non_null (document);
    char *markdown = ab_render_markdown (document);
    assert_non_null (markdown);
    json_decref (document);
    return markdown;
}

//  ---------------------------------------------------------------------
//  Tests

static void
test_empty_briefing (void **state)
{
    ab_briefing_t *briefing = ab_briefing_new ();
    char *markdown = s_markdown (briefing);
    assert_non_null (strstr (markdown, "# Alliance briefing"));
    assert_non_null (strstr (markdown, "Articles: 0 from 0 sources"));
    assert_non_null (strstr (markdown, "Items: 0, conflicts: 0"));
    assert_non_null (strstr (markdown, "Last update: never"));
    assert_non_null (strstr (markdown, "No items yet."));
    assert_null (strstr (markdown, "## Conflicts"));
    free (markdown);
    ab_briefing_destroy (&briefing);
    //  Not a document at all
    assert_null (ab_render_markdown (NULL));
    json_t *array = json_array ();
    assert_null (ab_render_markdown (array));
    assert_null (ab_render_item_line (array));
    json_decref (array);
}

static void
test_conflicts_first (void **state)
{
    ab_briefing_t *briefing = s_sample (true);
    char *markdown = s_markdown (briefing);
    char *conflicts = strstr (markdown, "## Conflicts");
    char *spending = strstr (markdown, "## Defense spending");
    char *forces = strstr (markdown, "## Forces stationed");
    assert_non_null (conflicts);
    assert_non_null (spending);
    assert_non_null (forces);
    assert_true (conflicts < spending);
    assert_true (spending < forces);
    //  Both sides, support, hedge and which is newest
    assert_non_null (strstr (markdown, "### Commander rank: commander of USFJ"));
    assert_non_null (strstr (markdown,
        "**4-star** (3 articles, reported) vs **3-star** (1 article, newest)"));
    assert_non_null (strstr (markdown, "**3-star** (newest, 2024-07-28): stated, 1 article"));
    assert_non_null (strstr (markdown, "**4-star**: reported, unconfirmed, 3 articles. Sources: `a1`"));
    //  Citations: ids, outlet, date, attribution
    assert_non_null (strstr (markdown, "`a1` (Wire One, 2024-03-25) citing Daily Paper"));
    assert_non_null (strstr (markdown, "Articles: 6 from 5 sources"));
    assert_non_null (strstr (markdown, "Items: 3, conflicts: 1"));
    assert_non_null (strstr (markdown, "Last update: 2024-03-25 "));
    //  The rank item is not repeated among the plain items
    assert_null (strstr (markdown, "\n## Commander rank"));
    free (markdown);
    ab_briefing_destroy (&briefing);
}

static void
test_hedges_in_words (void **state)
{
    ab_briefing_t *briefing = s_sample (true);
    char *markdown = s_markdown (briefing);
    //  Expected is stated as expected, never as fact; evidence is escaped
    assert_non_null (strstr (markdown,
        "- *Expected, not yet done:* **JP**: 2% of GDP (1 article)."));
    assert_non_null (strstr (markdown,
        "> The budget \\<b\\>will\\</b\\> reach \\*two\\* percent. (`c1`)"));
    //  An asserted item with no value slots reads as stated
    //  (its subject format names a slot it lacks: canonical slots shown)
    assert_non_null (strstr (markdown, "- **actor=US** (1 article, stated)."));
    free (markdown);
    ab_briefing_destroy (&briefing);
}

static void
test_without_labels (void **state)
{
    //  No topics file: raw type names and canonical values
    ab_briefing_t *briefing = s_sample (false);
    char *markdown = s_markdown (briefing);
    assert_non_null (strstr (markdown, "### commander\\_rank: unit=USFJ"));
    assert_non_null (strstr (markdown,
        "**rank=4** (3 articles, reported) vs **rank=3** (1 article, newest)"));
    assert_non_null (strstr (markdown, "## force\\_posture"));
    free (markdown);
    ab_briefing_destroy (&briefing);
}

static void
test_item_line (void **state)
{
    ab_briefing_t *briefing = s_sample (true);
    json_t *item = ab_briefing_item_json (briefing, "commander_rank{unit=USFJ}");
    char *line = ab_render_item_line (item);
    assert_string_equal (line, "CONFLICT commander_rank{unit=USFJ}: rank=4 (3 articles, reported)"
                               " vs rank=3 (1 article, newest)");
    free (line);
    json_decref (item);
    item = ab_briefing_item_json (briefing, "force_posture{actor=US}");
    line = ab_render_item_line (item);
    assert_string_equal (line, "force_posture{actor=US}: (1 article)");
    free (line);
    json_decref (item);
    item = ab_briefing_item_json (briefing, "defense_spending{country=JP}");
    line = ab_render_item_line (item);
    assert_string_equal (line, "defense_spending{country=JP}: percent_gdp=2 (1 article, expected)");
    free (line);
    json_decref (item);
    ab_briefing_destroy (&briefing);
}

static void
test_same_render_after_round_trip (void **state)
{
    //  A subscriber sees the document as JSON text: same page
    ab_briefing_t *briefing = s_sample (true);
    json_t *document = ab_briefing_to_json (briefing);
    char *text = json_dumps (document, JSON_COMPACT);
    json_t *copy = json_loads (text, 0, NULL);
    assert_non_null (copy);
    char *a = ab_render_markdown (document);
    char *b = ab_render_markdown (copy);
    assert_string_equal (a, b);
    free (a);
    free (b);
    free (text);
    json_decref (copy);
    json_decref (document);
    ab_briefing_destroy (&briefing);
}

static void
test_hand_written_json (void **state)
{
    //  Minimal item: no labels, no evidence, unknown hedge
    json_t *document = json_loads (
        "{\"summary\":{\"articles\":1,\"sources\":1,\"items\":1,\"conflicts\":0,"
        "\"last_update_ms\":0},"
        "\"items\":[{\"key\":\"treaty_reference{name=MDT}\",\"topic\":\"treaty_reference\","
        "\"sides\":[{\"value\":\"year=1960\",\"support\":1,\"hedge\":\"rumoured\","
        "\"articles\":[{\"id\":\"0123456789abcdef\",\"source\":\"\",\"published\":\"\"}]}]}]}",
        0, NULL);
    assert_non_null (document);
    char *markdown = ab_render_markdown (document);
    assert_non_null (markdown);
    assert_non_null (strstr (markdown, "## treaty\\_reference"));
    assert_non_null (strstr (markdown, "- *Unverified:* **treaty\\_reference**: year=1960 (1 article)."));
    assert_non_null (strstr (markdown, "Sources: `0123456789abcdef`."));
    free (markdown);
    json_decref (document);
    assert_string_equal (ab_render_hedge_words ("considered"), "under consideration");
    assert_string_equal (ab_render_hedge_words (NULL), "unverified");
}

//  One item of a hand-written document: key slots, label and one or two sides
static json_t *
s_item (const char *key, const char *keys, const char *label, const char *value,
        const char *hedge, const char *second_value)
{
    json_t *item = json_pack ("{s:s, s:s, s:o, s:s, s:b, s:[]}", "key", key, "topic", "t",
                              "keys", json_loads (keys, 0, NULL), "label", label,
                              "conflict", second_value != NULL, "sides");
    assert_non_null (item);
    const char *values [2] = { value, second_value };
    for (int i = 0; i < 2 && values [i]; i++)
        json_array_append_new (json_object_get (item, "sides"),
            json_pack ("{s:s, s:s, s:i, s:s, s:b, s:[{s:s}]}", "value", values [i], "label", values [i],
                       "support", 1, "hedge", hedge, "newest", i == 1, "articles", "id", "a"));
    return item;
}

static void
test_related_items (void **state)
{
    //  Items about one subject: one's key slots all among the other's,
    //  at least two of them; of any type
    json_t *items = json_array ();
    json_array_append_new (items, s_item ("rank{status=planned,unit=X}",
        "{\"status\":\"planned\",\"unit\":\"X\"}", "ITEM-A", "4-star", "reported", "3-star"));
    json_array_append_new (items, s_item ("rank{aspect=duties,status=planned,unit=X}",
        "{\"aspect\":\"duties\",\"status\":\"planned\",\"unit\":\"X\"}", "ITEM-B", "limited",
        "hoped", NULL));
    json_array_append_new (items, s_item ("rank{status=current,unit=X}",
        "{\"status\":\"current\",\"unit\":\"X\"}", "ITEM-C", "3-star", "asserted", NULL));
    json_array_append_new (items, s_item ("person{unit=X}", "{\"unit\":\"X\"}", "ITEM-D", "Smith",
        "asserted", NULL));
    json_array_append_new (items, s_item ("plan{aspect=duties,phase=2,status=planned,unit=X}",
        "{\"aspect\":\"duties\",\"phase\":\"2\",\"status\":\"planned\",\"unit\":\"X\"}",
        "ITEM-E", "drafted", "expected", NULL));
    json_t *document = json_pack ("{s:{}, s:o}", "summary", "items", items);
    char *markdown = ab_render_markdown (document);
    assert_non_null (markdown);
    //  Each item's related line, up to the next item
    char *lines [5] = { NULL };
    const char *labels [5] = { "ITEM-A", "**ITEM-B**", "**ITEM-C**", "**ITEM-D**", "**ITEM-E**" };
    for (int i = 0; i < 5; i++) {
        lines [i] = strstr (markdown, labels [i]);
        assert_non_null (lines [i]);
    }
    //  A (the conflict): B and E, not C (another status) nor D (one slot)
    char *end_a = strstr (lines [0], "\n## ");
    assert_non_null (end_a);
    *end_a = 0;
    assert_non_null (strstr (lines [0], "Related: **ITEM-B**: limited (1 article, hoped); "
                                        "**ITEM-E**: drafted (1 article, expected)."));
    assert_null (strstr (lines [0], "ITEM-C"));
    assert_null (strstr (lines [0], "ITEM-D"));
    *end_a = '\n';
    //  B: A (both its sides) and E; C and D: nothing
    char *b = strstr (markdown, "- *Hoped for:* **ITEM-B**");
    assert_non_null (b);
    char *end_b = strstr (b + 1, "\n- ");
    assert_non_null (end_b);
    *end_b = 0;
    assert_non_null (strstr (b, "Related: **ITEM-A**: **4-star** (1 article, reported) vs "
                                "**3-star** (1 article, reported, newest); "));
    assert_non_null (strstr (b, "**ITEM-E**: drafted"));
    *end_b = '\n';
    char *c = strstr (markdown, "- **ITEM-C**");
    assert_non_null (c);
    char *end_c = strstr (c + 1, "\n- ");
    assert_non_null (end_c);
    *end_c = 0;
    assert_null (strstr (c, "Related"));
    free (markdown);
    json_decref (document);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_empty_briefing),
        cmocka_unit_test (test_conflicts_first),
        cmocka_unit_test (test_hedges_in_words),
        cmocka_unit_test (test_without_labels),
        cmocka_unit_test (test_item_line),
        cmocka_unit_test (test_same_render_after_round_trip),
        cmocka_unit_test (test_hand_written_json),
        cmocka_unit_test (test_related_items),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
