/*  =========================================================================
    test_extract - claim extraction: rule loading, values, hedges,
    attributions, negatives, and the seed articles' expected claims

    Run from the repository root (rules in workers/rules).  The seed test
    reads ../shared/seeds at run time and is skipped with a message when
    that directory is absent.  Fixture sentences are written for these
    tests; documents for them are built by hand (text plus sentence spans)
    so that they do not depend on the normalizer.
    =========================================================================
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ab_extract.h"
#include "ab_testutil.h"
#include "ab_file.h"
#include "ab_xrules.h"
#include "ab_xvalue.h"

#define RULES_DIR   "workers/rules"
#define SEEDS_DIR   "../shared/seeds"

typedef struct {
    ab_extractor_t *extractor;
    ab_normalizer_t *normalizer;    //  NULL if the normalizer cannot load
} s_state_t;

static int
s_setup (void **state)
{
    s_state_t *self = calloc (1, sizeof (s_state_t));
    char err [512] = "";
    self->extractor = ab_extractor_new (RULES_DIR, err, sizeof (err));
    if (!self->extractor) {
        fprintf (stderr, "cannot load extractor rules: %s\n", err);
        free (self);
        return -1;
    }
    self->normalizer = ab_normalizer_new (RULES_DIR, err, sizeof (err));
    if (!self->normalizer)
        fprintf (stderr, "note: normalizer unavailable (%s)\n", err);
    *state = self;
    return 0;
}

static int
s_teardown (void **state)
{
    s_state_t *self = *state;
    if (!self)
        return 0;               //  the group setup failed and said why
    ab_extractor_destroy (&self->extractor);
    ab_normalizer_destroy (&self->normalizer);
    free (self);
    return 0;
}

//  --------------------------------------------------------------------------
//  Helpers

//  A hand-built document: sentences end at . ! ? (maybe followed by a
//  closing quote) before a space, and at line ends; "U.S." is not an end.  The caller frees
//  doc->text and doc->sentences.
static void
s_doc (const char *text, ab_doc_t *doc)
{
    memset (doc, 0, sizeof (*doc));
    doc->size = strlen (text);
    doc->text = strdup (text);
    doc->sentences = calloc (doc->size + 1, sizeof (ab_span_t));
    uint32_t start = 0;
    for (uint32_t i = 0; i <= doc->size; i++) {
        bool end = false;
        uint32_t stop = i;
        if (i == doc->size || text [i] == '\n')
            end = true;
        else
        if ((text [i] == '.' || text [i] == '!' || text [i] == '?')
        &&  !(text [i] == '.' && i >= 1 && text [i - 1] >= 'A' && text [i - 1] <= 'Z'
              && (i == 1 || text [i - 2] == '.' || text [i - 2] == ' '))) {
            //  (a period after a single capital, as in "U.S.", ends nothing)
            uint32_t j = i + 1;
            if (j + 2 < doc->size && (unsigned char) text [j] == 0xE2
            &&  (unsigned char) text [j + 1] == 0x80 && (unsigned char) text [j + 2] == 0x9D)
                j += 3;
            else
            if (j < doc->size && text [j] == '"')
                j++;
            if (j == doc->size || text [j] == ' ' || text [j] == '\n') {
                end = true;
                stop = j;
                i = j - 1;
            }
        }
        if (!end)
            continue;
        if (stop > doc->size)
            stop = (uint32_t) doc->size;
        while (start < stop && text [start] == ' ')
            start++;
        if (stop > start) {
            doc->sentences [doc->sentence_count].start = start;
            doc->sentences [doc->sentence_count].end = stop;
            doc->sentence_count++;
        }
        start = stop + 1;
    }
}

static void
s_doc_free (ab_doc_t *doc)
{
    free (doc->text);
    free (doc->sentences);
}

//  The claim with this key in result, or NULL; *count_p how many have it.
static const ab_claim_t *
s_find (const ab_result_t *result, const char *key, int *count_p)
{
    const ab_claim_t *found = NULL;
    int count = 0;
    for (uint32_t i = 0; i < result->claim_count; i++) {
        char k [512];
        ab_test_claim_key (&result->claims [i], k, sizeof (k));
        if (strcmp (k, key) == 0) {
            if (!found)
                found = &result->claims [i];
            count++;
        }
    }
    if (count_p)
        *count_p = count;
    return found;
}

//  Every claim's offsets must point into the document and its evidence
//  must be the sentence they delimit.
static void
s_check_offsets (const ab_doc_t *doc, const ab_result_t *result)
{
    for (uint32_t i = 0; i < result->claim_count; i++) {
        const ab_claim_t *c = &result->claims [i];
        assert_true (c->evidence_start < c->evidence_end);
        assert_true (c->evidence_end <= doc->size);
        assert_true (c->evidence_start <= c->match_start);
        assert_true (c->match_start < c->match_end);
        assert_true (c->match_end <= c->evidence_end);
        assert_int_equal (strlen (c->evidence), c->evidence_end - c->evidence_start);
        assert_memory_equal (c->evidence, doc->text + c->evidence_start, strlen (c->evidence));
        assert_true (strlen (c->rule) > 0);
    }
}

//  --------------------------------------------------------------------------
//  Value normalizers

static void
s_expect_value (int (*fn) (const char *, size_t, char *, size_t),
                const char *text, const char *expected)
{
    char out [64] = "";
    int rc = fn (text, strlen (text), out, sizeof (out));
    if (!expected) {
        if (rc == 0)
            fprintf (stderr, "'%s' should not parse, gave '%s'\n", text, out);
        assert_int_equal (rc, -1);
        return;
    }
    if (rc != 0 || strcmp (out, expected) != 0)
        fprintf (stderr, "'%s': expected '%s', got rc=%d '%s'\n", text, expected, rc, out);
    assert_int_equal (rc, 0);
    assert_string_equal (out, expected);
}

static void
test_values (void **state)
{
    (void) state;
    s_expect_value (ab_xvalue_rank, "four-star", "4");
    s_expect_value (ab_xvalue_rank, "4-star", "4");
    s_expect_value (ab_xvalue_rank, "three star", "3");
    s_expect_value (ab_xvalue_rank, "star", NULL);
    s_expect_value (ab_xvalue_count, "54,000", "54000");
    s_expect_value (ab_xvalue_count, "54000", "54000");
    s_expect_value (ab_xvalue_count, "about 54,000", "54000");
    s_expect_value (ab_xvalue_count, "more than 1.5 million", "1500000");
    s_expect_value (ab_xvalue_count, "fifty-four thousand", "54000");
    s_expect_value (ab_xvalue_count, "a dozen", "12");
    s_expect_value (ab_xvalue_count, "several", NULL);
    s_expect_value (ab_xvalue_percent, "2%", "2");
    s_expect_value (ab_xvalue_percent, "2 percent", "2");
    s_expect_value (ab_xvalue_percent, "two percent", "2");
    s_expect_value (ab_xvalue_percent, "2.5 per cent", "2.5");
    s_expect_value (ab_xvalue_percent, "2.0%", "2");
    s_expect_value (ab_xvalue_percent, "2 points", NULL);
    s_expect_value (ab_xvalue_km, "1,000 kilometers (620 miles)", "1000");
    s_expect_value (ab_xvalue_km, "1,000 km", "1000");
    s_expect_value (ab_xvalue_km, "620 miles (1,000 km)", "1000");
    s_expect_value (ab_xvalue_km, "620 miles", "1000");
    s_expect_value (ab_xvalue_km, "62 miles", "100");
    s_expect_value (ab_xvalue_km, "115 miles", "185");
    s_expect_value (ab_xvalue_km, "300 meters", NULL);
    s_expect_value (ab_xvalue_year, "in 1960", "1960");
    s_expect_value (ab_xvalue_year, "12345", NULL);
    s_expect_value (ab_xvalue_word, "Joint Force  Headquarters", "joint_force_headquarters");

    char amount [32], currency [8];
    assert_int_equal (ab_xvalue_money ("$12 million", 11, amount, 32, currency, 8), 0);
    assert_string_equal (amount, "12000000");
    assert_string_equal (currency, "USD");
    assert_int_equal (ab_xvalue_money ("US$3.2 billion", 14, amount, 32, currency, 8), 0);
    assert_string_equal (amount, "3200000000");
    assert_string_equal (currency, "USD");
    assert_int_equal (ab_xvalue_money ("A$368 billion", 13, amount, 32, currency, 8), 0);
    assert_string_equal (currency, "AUD");
    assert_int_equal (ab_xvalue_money ("500 million yen", 15, amount, 32, currency, 8), 0);
    assert_string_equal (amount, "500000000");
    assert_string_equal (currency, "JPY");
    assert_int_equal (ab_xvalue_money ("12 million", 10, amount, 32, currency, 8), -1);

    //  Dates against a publication date (2024-03-25 was a Monday)
    ab_xdate_t pub = { 2024, 3, 25 }, anchor = { 2024, 4, 10 }, d;
    struct { const char *text; bool future; const char *expected; } dates [] = {
        { "April 10", true, "2024-04-10" },
        { "on April 10, 2025", false, "2025-04-10" },
        { "10 April 2023", false, "2023-04-10" },
        { "by March 2025", true, "2025-03" },
        { "the end of March 2025", true, "2025-03" },
        { "next month", true, "2024-04" },
        { "last year", false, "2023" },
        { "Monday", false, "2024-03-25" },
        { "Monday", true, "2024-04-01" },
        { "last Friday", false, "2024-03-22" },
        { "Thursday", true, "2024-03-28" },
        { "the next day", true, "2024-04-11" },
        { "tomorrow", true, "2024-03-26" },
        { "January 5", true, "2024-01-05" },
        { "2027", true, "2027" },
        { "2024-04-10", false, "2024-04-10" },
        { NULL, false, NULL }
    };
    for (int i = 0; dates [i].text; i++) {
        char out [16] = "";
        int rc = ab_xvalue_date (dates [i].text, strlen (dates [i].text), &pub, &anchor,
                                 dates [i].future, &d);
        if (rc == 0)
            ab_xdate_format (&d, out, sizeof (out));
        if (rc != 0 || strcmp (out, dates [i].expected) != 0)
            fprintf (stderr, "date '%s': expected %s, got rc=%d %s\n",
                     dates [i].text, dates [i].expected, rc, out);
        assert_int_equal (rc, 0);
        assert_string_equal (out, dates [i].expected);
    }
    //  Published December: "January 5" is the coming one
    ab_xdate_t december = { 2024, 12, 28 };
    assert_int_equal (ab_xvalue_date ("January 5", 9, &december, NULL, true, &d), 0);
    assert_int_equal (d.year, 2025);
    //  Without a publication date, relative dates do not resolve
    assert_int_equal (ab_xvalue_date ("April 10", 8, NULL, NULL, true, &d), -1);
    assert_int_equal (ab_xvalue_date ("Monday", 6, NULL, NULL, true, &d), -1);
    assert_int_equal (ab_xvalue_date ("April 10, 2024", 14, NULL, NULL, true, &d), 0);
    assert_int_equal (ab_xvalue_date ("the day", 7, &pub, NULL, true, &d), -1);
}

//  --------------------------------------------------------------------------
//  Fixtures: one claim expected per case

typedef struct {
    const char *name;
    const char *published;
    const char *text;
    const char *key;            //  expected claim key
    const char *values;         //  expected value slots
    const char *hedge;          //  NULL: not checked
    const char *attribution;    //  NULL: not checked
} s_case_t;

static const s_case_t s_cases [] = {
    //  Ranks
    { "rank four-star", "2024-03-25",
      "Tokyo hopes Washington will name a four-star general to lead U.S. Forces Japan.",
      "commander_rank{unit=USFJ,status=planned}", "rank=4", "hoped", "" },
    { "rank 4-star", "2024-03-25",
      "The Pentagon plans to appoint a 4-star admiral to command USFJ.",
      "commander_rank{unit=USFJ,status=planned}", "rank=4", "expected", "" },
    { "rank current", "2024-03-25",
      "U.S. Forces Japan is led by a three-star general.",
      "commander_rank{unit=USFJ,status=current}", "rank=3", "asserted", "" },
    //  Counts
    { "count 54,000", "2024-03-25",
      "About 54,000 American troops are stationed in Japan.",
      "force_posture{country=US,host=JP,measure=troops}", "count=54000", "asserted", "" },
    { "count 54000", "2024-03-25",
      "Japan hosts 54000 U.S. troops.",
      "force_posture{country=US,host=JP,measure=troops}", "count=54000", "asserted", "" },
    { "count about", "2024-03-25",
      "Japan is home to about 54,000 U.S. service members.",
      "force_posture{country=US,host=JP,measure=troops}", "count=54000", "asserted", "" },
    //  Percentages
    { "percent 2%", "2024-03-25",
      "Japan pledged to raise defense spending to 2% of GDP.",
      "defense_spending{country=JP,metric=percent_gdp,status=target}", "percent=2", "expected", "" },
    { "percent 2 percent", "2024-03-25",
      "Australia will lift its military budget to 2 percent of gross domestic product.",
      "defense_spending{country=AU,metric=percent_gdp,status=target}", "percent=2", "expected", "" },
    { "percent two percent", "2024-03-25",
      "Germany vowed to boost defense spending to two percent of GDP.",
      "defense_spending{country=DE,metric=percent_gdp,status=target}", "percent=2", "expected", "" },
    { "percent from 1 to 2 (target)", "2024-03-25",
      "The Philippines doubled its spending on defense from 1% of its GDP to 2% of its GDP.",
      "defense_spending{country=PH,metric=percent_gdp,status=target}", "percent=2", "asserted", "" },
    { "percent from 1 to 2 (baseline)", "2024-03-25",
      "The Philippines doubled its spending on defense from 1% of its GDP to 2% of its GDP.",
      "defense_spending{country=PH,metric=percent_gdp,status=baseline}", "percent=1", "asserted", "" },
    //  Distances
    { "km with miles", "2024-03-25",
      "Japan is buying missiles that can hit targets 1,000 kilometers (620 miles) away.",
      "capability{country=JP,system=missile,measure=range}", "range_km=1000", "asserted", "" },
    { "km", "2024-03-25",
      "Japan will field missiles able to strike targets up to 1,000 km away.",
      "capability{country=JP,system=missile,measure=range}", "range_km=1000", "expected", "" },
    { "miles only", "2024-03-25",
      "Manila wants to buy missiles that reach ships 620 miles away.",
      "capability{country=PH,system=missile,measure=range}", "range_km=1000", "hoped", "" },
    { "distance between places", "2024-03-25",
      "Taiwan lies roughly 110 km from Japan.",
      "geography{place=TW,reference=JP,measure=distance}", "distance_km=110", "asserted", "" },
    //  Money
    { "money", "2024-03-25",
      "Washington will provide $12 million in military aid to the Philippines.",
      "funding{donor=US,recipient=PH,purpose=military_aid}", "amount=12000000,currency=USD",
      "expected", "" },
    //  Dates
    { "date April 10", "2024-03-25",
      "Kishida and Marcos will meet in Manila on April 10.",
      "summit_meeting{participants=JP+PH,date=2024-04-10}", "event=summit", "expected", "" },
    { "date by March 2025", "2024-03-25",
      "Japan aims to set up a joint operations headquarters by March 2025.",
      "command_structure{country=JP,change=joint_headquarters}", "target_date=2025-03",
      "expected", "" },
    { "date next month", "2024-03-25",
      "Tokyo plans to launch a new joint command headquarters by next month.",
      "command_structure{country=JP,change=joint_headquarters}", "target_date=2024-04",
      "expected", "" },
    { "date weekday", "2024-03-27",
      "Biden and Yoon will meet at the White House on Monday.",
      "summit_meeting{participants=KR+US,date=2024-04-01}", "event=summit", "expected", "" },
    { "date held", "2024-04-12",
      "Biden and Kishida held talks at the White House on April 10.",
      "summit_meeting{participants=JP+US,date=2024-04-10}", "event=summit", "asserted", "" },
    { "date without publication", "",
      "Biden and Marcos will meet on April 10.",
      "summit_meeting{participants=PH+US,date=april_10}", "event=summit", "expected", "" },
    { "date explicit without publication", "",
      "Biden and Marcos will meet on April 10, 2024.",
      "summit_meeting{participants=PH+US,date=2024-04-10}", "event=summit", "expected", "" },
    { "date next day", "2024-03-25",
      "Biden and Kishida will meet on April 10. A summit between Japan, the Philippines and the "
      "United States will take place the next day.",
      "summit_meeting{participants=JP+PH+US,date=2024-04-11}", "event=summit", "expected", "" },
    { "date exercise", "2024-05-06",
      "On May 3, Japan and Australia held a naval exercise in the Coral Sea.",
      "exercise{participants=AU+JP,date=2024-05-03}", "location=CORAL_SEA", "asserted", "" },
    //  Years
    { "year", "2024-03-25",
      "Officials called it the most significant upgrade of the alliance since the 1951 Mutual "
      "Defense Treaty.",
      "treaty_reference{treaty=MDT,year=1951}", "relation=biggest_upgrade_since", "asserted", "" },
    //  Hedges
    { "hedge according to", "2024-03-25",
      "According to Kyodo, Japan will spend 2% of GDP on defense.",
      "defense_spending{country=JP,metric=percent_gdp,status=target}", "percent=2",
      "reported", "Kyodo" },
    { "hedge reported", "2024-03-25",
      "Reuters reported that 28,500 U.S. troops are based in South Korea.",
      "force_posture{country=US,host=KR,measure=troops}", "count=28500", "reported", "Reuters" },
    { "hedge sources said", "2024-03-25",
      "Two sources said Canberra had doubled defense spending to 2% of GDP.",
      "defense_spending{country=AU,metric=percent_gdp,status=target}", "percent=2",
      "reported", "two sources" },
    { "hedge expected to", "2024-03-25",
      "Seoul is expected to raise defense spending to 3% of GDP.",
      "defense_spending{country=KR,metric=percent_gdp,status=target}", "percent=3", "expected", "" },
    { "hedge is set to", "2024-03-25",
      "Manila is set to raise its defense budget to 2.5% of GDP.",
      "defense_spending{country=PH,metric=percent_gdp,status=target}", "percent=2.5",
      "expected", "" },
    { "hedge considering", "2024-03-25",
      "Washington is considering appointing a four-star general to lead U.S. Forces Japan.",
      "commander_rank{unit=USFJ,status=planned}", "rank=4", "considered", "" },
    { "hedge will consider", "2024-03-25",
      "Sources say Washington will consider appointing a four-star commander to oversee forces "
      "in Japan.",
      "commander_rank{unit=USFJ,status=planned}", "rank=4", "considered", "sources" },
    { "hedge could", "2024-03-25",
      "A four-star commander could lead U.S. Forces Japan.",
      "commander_rank{unit=USFJ,status=planned}", "rank=4", "considered", "" },
    { "hedge denied", "2024-03-25",
      "The Pentagon denied that it would appoint a four-star general to lead U.S. Forces Japan.",
      "commander_rank{unit=USFJ,status=planned}", "rank=4", "denied", "" },
    { "hedge not", "2024-03-25",
      "Washington will not appoint a four-star general to lead USFJ.",
      "commander_rank{unit=USFJ,status=planned}", "rank=4", "denied", "" },
    { "hedge hoped", "2024-03-25",
      "Japanese officials hope a four-star general will lead U.S. Forces Japan.",
      "commander_rank{unit=USFJ,status=planned}", "rank=4", "hoped", "" },
    { "hedge hoped, want ... to", "2024-03-25",
      "U.S. Forces Japan may get a four-star commander. Japan's Self-Defense Forces are "
      "forming a joint headquarters. Some officials want any new U.S. commander there "
      "limited to exercises and training, two sources said.",
      "commander_rank{unit=USFJ,status=planned,aspect=duties}", "duties=limited", "hoped",
      "two sources" },
    { "planned duties, the force of the country named", "2024-03-25",
      "U.S. Forces Japan has about 54,000 troops. Tokyo wants the Self-Defense Forces under "
      "one joint command. Some U.S. officials would rather the planned American commander "
      "be responsible solely for training and information sharing.",
      "commander_rank{unit=USFJ,status=planned,aspect=duties}", "duties=limited", NULL, NULL },
    //  Attributions
    { "attribution according to outlet", "2024-03-25",
      "According to the Financial Times, Biden and Kishida will meet in Washington on April 10.",
      "summit_meeting{participants=JP+US,date=2024-04-10}", "event=summit",
      "reported", "Financial Times" },
    { "attribution next sentence", "2024-03-25",
      "Biden is expected to meet Kishida at the White House on April 10.\n"
      "This information comes from the Financial Times.",
      "summit_meeting{participants=JP+US,date=2024-04-10}", "event=summit",
      "reported", "Financial Times" },
    { "attribution senior administration official", "2024-03-25",
      "Biden and Marcos will meet on April 11, a senior administration official said.",
      "summit_meeting{participants=PH+US,date=2024-04-11}", "event=summit",
      "expected", "a senior administration official" },
    { "attribution U.S. official", "2024-07-28",
      "Washington will reconstitute U.S. Forces Japan as a joint force headquarters. "
      "A U.S. official said it would be headed by a three-star general.",
      "commander_rank{unit=USFJ,status=planned}", "rank=3", "expected", "a U.S. official" },
    { "attribution colon", "2024-07-28",
      "A U.S. official said:\n"
      "\xe2\x80\x9cWashington will reconstitute U.S. Forces Japan as a joint force headquarters.\xe2\x80\x9d",
      "command_structure{unit=USFJ,change=reconstitute}", "form=joint_force_headquarters",
      "expected", "a U.S. official" },
    { "attribution quote then speaker", "2024-03-25",
      "\xe2\x80\x9c" "A new joint command would deepen coordination with Australia and the United "
      "States.\xe2\x80\x9d Hayashi told a briefing.",
      "official_statement{speaker=HAYASHI,topic=joint_command_cooperation}", "partners=AU+US",
      "asserted", "Yoshimasa Hayashi (Chief Cabinet Secretary)" },
    { "attribution name variant", "2024-03-25",
      "Yoshitsune Hayashi said the joint command can strengthen cooperation with the United "
      "States and South Korea.",
      "official_statement{speaker=HAYASHI,topic=joint_command_cooperation}", "partners=KR+US",
      "asserted", "Yoshimasa Hayashi (Chief Cabinet Secretary; written \"Yoshitsune Hayashi\")" },
    { "attribution pronoun", "2024-03-25",
      "Yoshimasa Hayashi briefed reporters on Tuesday. He added that the agenda for the summit "
      "has not yet been decided.",
      "official_statement{speaker=HAYASHI,topic=summit_agenda}", "status=undecided",
      "asserted", "Yoshimasa Hayashi (Chief Cabinet Secretary)" },
    { "attribution pronoun after another report", "2024-03-25",
      "Yoshimasa Hayashi briefed reporters on Tuesday. Kyodo reported that no decision had "
      "been made. He called the plan the most significant upgrade of the alliance since the "
      "1951 Mutual Defense Treaty.",
      "treaty_reference{treaty=MDT,year=1951}", "relation=biggest_upgrade_since", "asserted",
      "\"he\", probably Yoshimasa Hayashi (Chief Cabinet Secretary)" },
    { "attribution in the claim's clause", "2025-03-25",
      "Ishiba told reporters that Japan is weighing its options; according to Kyodo, officials "
      "are studying a target of 3% of GDP by 2030.",
      "defense_spending{country=JP,metric=percent_gdp,status=target,by=2030}", "percent=3",
      NULL, "Kyodo" },
    //  Future tense in another clause does not hedge the claim
    { "clause scope", "2024-03-25",
      "About 28,500 U.S. troops are based in South Korea, and officials said the drills would "
      "expand.",
      "force_posture{country=US,host=KR,measure=troops}", "count=28500", "asserted", "" },
    //  A dateline names no one; an alliance stands for its members; US$ is money
    { "dateline", "2026-01-15",
      "MANILA \xe2\x80\x94 The United States will rotate about 2,000 Marines through Naval Base "
      "Camilo Osias.",
      "force_posture{country=US,site=CAMILO_OSIAS,measure=marines}", "count=2000", "expected", "" },
    { "alliance members", "2024-03-25",
      "Leaders of the Quad will meet in Tokyo on May 20.",
      "summit_meeting{participants=AU+IN+JP+US,date=2024-05-20}", "event=summit", "expected", "" },
    { "currency prefix", "2024-03-25",
      "The leaders endorsed a US$3.2 billion arrangement to co-produce AMRAAM missiles.",
      "defense_industry{system=AMRAAM,mechanism=coproduction}", "amount=3200000000,currency=USD",
      "asserted", "" },
    //  Curly quotes, dashes and case
    { "curly and dashes", "2024-03-25",
      "WASHINGTON WILL CONSIDER APPOINTING A FOUR\xe2\x80\x93STAR GENERAL TO LEAD U.S. FORCES "
      "JAPAN, \xe2\x80\x9cSOURCES\xe2\x80\x9d SAID.",
      "commander_rank{unit=USFJ,status=planned}", "rank=4", "considered", NULL },
    //  Words of 8 bytes and longer, in capitals: the scan hashes and
    //  compares words 8 bytes at a time
    { "long words in capitals", "2024-03-25",
      "Some 28,500 American SERVICEMEMBERS are STATIONED in the Republic of Korea.",
      "force_posture{country=US,host=KR,measure=troops}", "count=28500", "asserted", "" },
    //  Clause separators keep a modal in the next clause off the claim
    { "double hyphen ends the clause", "2024-03-25",
      "About 54,000 U.S. troops are based in Japan -- officials say the number could change.",
      "force_posture{country=US,host=JP,measure=troops}", "count=54000", "asserted", "" },
    { "en dash ends the clause", "2024-03-25",
      "About 54,000 U.S. troops are based in Japan \xe2\x80\x93 officials say the number "
      "could change.",
      "force_posture{country=US,host=JP,measure=troops}", "count=54000", "asserted", "" },
    { "semicolon ends the clause", "2024-03-25",
      "About 54,000 U.S. troops are based in Japan; the number would grow, officials said.",
      //  the closing "officials said" covers the whole sentence (attributions.tsv)
      "force_posture{country=US,host=JP,measure=troops}", "count=54000", "asserted", "officials" },
    { "dash at the sentence start", "2024-03-25",
      "- Tokyo will set up a joint headquarters by March 2025, and 28,500 US troops are "
      "stationed in South Korea.",
      "force_posture{country=US,host=KR,measure=troops}", "count=28500", "asserted", "" },
    { NULL, NULL, NULL, NULL, NULL, NULL, NULL }
};

static void
test_fixtures (void **state)
{
    s_state_t *self = *state;
    int failures = 0;
    for (const s_case_t *c = s_cases; c->name; c++) {
        ab_doc_t doc;
        s_doc (c->text, &doc);
        ab_result_t *result = ab_result_new ();
        assert_non_null (result);
        int n = ab_extract (self->extractor, &doc, c->published, result);
        assert_int_equal (n, (int) result->claim_count);
        s_check_offsets (&doc, result);
        int count;
        const ab_claim_t *claim = s_find (result, c->key, &count);
        char values [512] = "";
        if (claim)
            ab_test_claim_values (claim, values, sizeof (values));
        bool ok = claim && count == 1 && strcmp (values, c->values) == 0
               && (!c->hedge || strcmp (claim->hedge, c->hedge) == 0)
               && (!c->attribution || strcmp (claim->attribution, c->attribution) == 0);
        if (!ok) {
            fprintf (stderr, "FIXTURE '%s': expected %s = %s [%s] \"%s\"\n", c->name, c->key,
                     c->values, c->hedge ? c->hedge : "*", c->attribution ? c->attribution : "*");
            ab_test_dump_claims (result);
            failures++;
        }
        ab_result_destroy (&result);
        s_doc_free (&doc);
    }
    assert_int_equal (failures, 0);
}

//  --------------------------------------------------------------------------
//  Negative space

static void
test_negatives (void **state)
{
    s_state_t *self = *state;
    static const char *texts [] = {
        //  Mere mentions
        "NATO leaders gathered in Brussels to discuss the alliance.",
        "Japan and the United States are close allies.",
        "A four-star general visited Tokyo last week.",
        "U.S. Forces Japan held a press briefing on Monday.",
        //  Headlines, captions and related-story links: no closing
        //  punctuation, title case, would otherwise match a rule
        "U.S. Will Appoint Four-Star General To Lead U.S. Forces Japan",
        "Related Stories\nJapan To Set Up Joint Headquarters By March 2025\n"
        "Japan Pledges To Raise Defense Spending To 2% Of GDP\nSource link",
        "Photo: Biden And Kishida Will Meet At The White House On April 10",
        //  A troop movement is not the size of the garrison
        "The Pentagon is considering moving 4,500 troops out of South Korea.",
        //  Empty and blank
        "",
        "   ",
        NULL
    };
    for (int i = 0; texts [i]; i++) {
        ab_doc_t doc;
        s_doc (texts [i], &doc);
        ab_result_t *result = ab_result_new ();
        int n = ab_extract (self->extractor, &doc, "2024-03-25", result);
        if (n != 0) {
            fprintf (stderr, "NEGATIVE '%s' gave %d claims\n", texts [i], n);
            ab_test_dump_claims (result);
        }
        assert_int_equal (n, 0);
        assert_int_equal (result->claim_count, 0);
        ab_result_destroy (&result);
        s_doc_free (&doc);
    }
}

//  At most max_claims_per_sentence (3) from one sentence
static void
test_sentence_cap (void **state)
{
    s_state_t *self = *state;
    ab_doc_t doc;
    s_doc ("On May 3, Japan and Australia held a naval exercise in the Coral Sea, Japan raised "
           "defense spending to 2% of GDP, 54,000 U.S. troops are based in Japan, Tokyo will set "
           "up a joint headquarters by March 2025, and a four-star general will lead U.S. Forces "
           "Japan.", &doc);
    assert_int_equal (doc.sentence_count, 1);
    ab_result_t *result = ab_result_new ();
    int n = ab_extract (self->extractor, &doc, "2024-05-06", result);
    assert_int_equal (n, 3);
    ab_result_destroy (&result);
    s_doc_free (&doc);
}

//  One key once per article: the least hedged statement is kept
static void
test_article_dedupe (void **state)
{
    s_state_t *self = *state;
    ab_doc_t doc;
    s_doc ("Washington is considering appointing a four-star general to lead USFJ. "
           "Sources said Japanese officials hope a four-star general will lead U.S. Forces Japan. "
           "U.S. Forces Japan will be led by a four-star general, an official said.", &doc);
    assert_int_equal (doc.sentence_count, 3);
    ab_result_t *result = ab_result_new ();
    ab_extract (self->extractor, &doc, "2024-03-25", result);
    int count;
    const ab_claim_t *claim = s_find (result, "commander_rank{unit=USFJ,status=planned}", &count);
    assert_non_null (claim);
    assert_int_equal (count, 1);
    assert_string_equal (claim->hedge, "expected");
    assert_string_equal (claim->attribution, "an official");
    //  Evidence is the third sentence
    assert_true (strncmp (claim->evidence, "U.S. Forces Japan will", 22) == 0);
    ab_result_destroy (&result);
    s_doc_free (&doc);
}

//  The result may already hold claims: ours are appended after them
static void
test_appends (void **state)
{
    s_state_t *self = *state;
    ab_doc_t doc;
    s_doc ("Japan pledged to raise defense spending to 2% of GDP.", &doc);
    ab_result_t *result = ab_result_new ();
    ab_claim_t *first = ab_result_add_claim (result);
    assert_non_null (first);
    assert_int_equal (ab_article_set (&first->type, "other"), 0);
    int n = ab_extract (self->extractor, &doc, "2024-03-25", result);
    assert_int_equal (n, 1);
    assert_int_equal (result->claim_count, 2);
    assert_string_equal (result->claims [0].type, "other");
    assert_string_equal (result->claims [1].type, "defense_spending");
    //  Actors are canonical ids
    assert_int_equal (result->claims [1].actor_count, 1);
    assert_string_equal (result->claims [1].actors [0], "JP");
    ab_result_destroy (&result);
    s_doc_free (&doc);
}

//  A claim's actors are its slots' entities and whoever its own clause
//  names: not an entity of a contrasting clause, though one of a list
//  ("X, Y, and Z") before the claim counts
static void
test_actors_of_the_clause (void **state)
{
    s_state_t *self = *state;
    ab_doc_t doc;
    s_doc ("The Philippines hosts rotating Marines, while the U.S. Army, Navy, and air forces "
           "in Japan are led by a three-star general.", &doc);
    ab_result_t *result = ab_result_new ();
    assert_int_equal (ab_extract (self->extractor, &doc, "2024-03-25", result), 1);
    const ab_claim_t *claim = &result->claims [0];
    assert_string_equal (claim->type, "commander_rank");
    bool us = false;
    for (uint32_t i = 0; i < claim->actor_count; i++) {
        assert_string_not_equal (claim->actors [i], "PH");
        us |= streq (claim->actors [i], "US");
    }
    assert_true (us);
    ab_result_destroy (&result);
    s_doc_free (&doc);
}

//  Hostile input: random words, numbers, punctuation and invalid UTF-8,
//  cut into random (valid) spans.  Nothing may crash, and every claim's
//  offsets must stay inside its sentence.
static void
test_garbage (void **state)
{
    s_state_t *self = *state;
    static const char *words [] = {
        "four-star", "star", "general", "to", "lead", "U.S.", "Forces", "Japan", "USFJ",
        "will", "meet", "on", "April", "10", "Monday", "the", "next", "day", "54,000", "troops",
        "stationed", "in", "2%", "of", "GDP", "defense", "spending", "1,000", "km", "miles",
        "missiles", "$12", "million", "Hayashi", "said", "\xe2\x80\x9c", "\xe2\x80\x9d", "\xff\xfe",
        "\xe2\x80", "according", "Reuters", "not", "by", "March", "2025", "headquarters", ",",
        ".", ":", ";", "\xe2\x80\x94", "(", ")", "summit", "Quad", "US$", "MANILA", "-",
        //  whole claims, so that some survive the shuffling
        "Japan pledged to raise defense spending to 2% of GDP.",
        "Washington will name a four-star general to lead U.S. Forces Japan.",
        "Kishida and Marcos will meet in Manila on April 10.",
        "\xe2\x80\x9c" "A new joint command would deepen coordination with Australia and the "
        "United States.\xe2\x80\x9d", "Hayashi said", NULL
    };
    int nwords = 0;
    while (words [nwords])
        nwords++;
    uint32_t seed = 12345;
    #define RAND() (seed = seed * 1103515245u + 12345u, (seed >> 8) & 0xFFFFFF)
    char text [4096];
    int total = 0;
    for (int round = 0; round < 300; round++) {
        size_t n = 0;
        int count = (int) (RAND () % 200);
        for (int i = 0; i < count && n + 32 < sizeof (text); i++) {
            const char *w = words [RAND () % (uint32_t) nwords];
            size_t len = strlen (w);
            memcpy (text + n, w, len);
            n += len;
            //  any byte but NUL, which the normalizer never leaves in text
            text [n++] = RAND () % 7 ? ' ' : (char) (1 + RAND () % 255);
        }
        ab_doc_t doc;
        memset (&doc, 0, sizeof (doc));
        doc.text = malloc (n + 1);
        memcpy (doc.text, text, n);
        doc.text [n] = 0;
        doc.size = n;
        doc.sentences = calloc (64, sizeof (ab_span_t));
        uint32_t at = 0;
        while (at < n && doc.sentence_count < 64) {
            uint32_t len = 1 + RAND () % 300;
            uint32_t end = at + len > n ? (uint32_t) n : at + len;
            doc.sentences [doc.sentence_count].start = at;
            doc.sentences [doc.sentence_count].end = end;
            doc.sentence_count++;
            at = end;
        }
        ab_result_t *result = ab_result_new ();
        int claims = ab_extract (self->extractor, &doc, round % 2 ? "2024-03-25" : "", result);
        assert_true (claims >= 0);
        assert_int_equal ((uint32_t) claims, result->claim_count);
        total += claims;
        s_check_offsets (&doc, result);
        ab_result_destroy (&result);
        s_doc_free (&doc);
    }
    #undef RAND
    //  The offset checks above must have had claims to check
    assert_true (total > 0);
}

//  --------------------------------------------------------------------------
//  Rule files: validation errors and extension without recompiling

static char s_tmpdir [64];

static void
s_copy_rules (void)
{
    snprintf (s_tmpdir, sizeof (s_tmpdir), "/tmp/test_extract.XXXXXX");
    assert_non_null (mkdtemp (s_tmpdir));
    const char *files [] = { "entities.tsv", "claims.rules", "hedges.tsv", "attributions.tsv", NULL };
    for (int i = 0; files [i]; i++) {
        char src [256], dst [256], err [256];
        size_t size;
        snprintf (src, sizeof (src), "%s/%s", RULES_DIR, files [i]);
        snprintf (dst, sizeof (dst), "%s/%s", s_tmpdir, files [i]);
        char *data = ab_file_read (src, 1 << 22, &size, err, sizeof (err));
        assert_non_null (data);
        FILE *f = fopen (dst, "w");
        assert_non_null (f);
        assert_int_equal (fwrite (data, 1, size, f), size);
        fclose (f);
        free (data);
    }
}

static void
s_remove_rules (void)
{
    const char *files [] = { "entities.tsv", "claims.rules", "hedges.tsv", "attributions.tsv", NULL };
    for (int i = 0; files [i]; i++) {
        char path [256];
        snprintf (path, sizeof (path), "%s/%s", s_tmpdir, files [i]);
        unlink (path);
    }
    rmdir (s_tmpdir);
}

//  The extractor of the rule files in s_tmpdir, which must load
static ab_extractor_t *
s_load_tmpdir (void)
{
    char err [512] = "";
    ab_extractor_t *x = ab_extractor_new (s_tmpdir, err, sizeof (err));
    if (!x)
        fprintf (stderr, "%s\n", err);
    assert_non_null (x);
    return x;
}

//  Append text to a copied rule file; returns the line number of the
//  first appended line.
static int
s_append (const char *file, const char *text)
{
    char path [256], err [256];
    size_t size;
    snprintf (path, sizeof (path), "%s/%s", s_tmpdir, file);
    char *data = ab_file_read (path, 1 << 22, &size, err, sizeof (err));
    assert_non_null (data);
    int lines = 0;
    for (size_t i = 0; i < size; i++)
        lines += data [i] == '\n';
    bool open_line = size > 0 && data [size - 1] != '\n';
    free (data);
    FILE *f = fopen (path, "a");
    assert_non_null (f);
    if (open_line)
        fputs ("\n", f);
    fputs (text, f);
    fclose (f);
    return open_line ? lines + 2 : lines + 1;
}

static void
s_expect_error (const char *file, const char *text, int line_offset, const char *reason)
{
    s_copy_rules ();
    int line = s_append (file, text) + line_offset;
    char err [512] = "", expected [128];
    ab_extractor_t *x = ab_extractor_new (s_tmpdir, err, sizeof (err));
    snprintf (expected, sizeof (expected), "%s:%d: ", file, line);
    if (x || strncmp (err, expected, strlen (expected)) != 0 || !strstr (err, reason))
        fprintf (stderr, "expected '%s...%s', got '%s'\n", expected, reason, err);
    assert_null (x);
    assert_true (strncmp (err, expected, strlen (expected)) == 0);
    assert_non_null (strstr (err, reason));
    s_remove_rules ();
}

static void
test_rule_errors (void **state)
{
    (void) state;
    s_expect_error ("entities.tsv", "BAD\tcountry\tonly three\n", 0, "expected 6 tab-separated fields");
    s_expect_error ("entities.tsv", "ZZ\tcountry\tZembla\t-\tNOWHERE\tZembla\n", 0,
                    "country 'NOWHERE' is not an entity");
    s_expect_error ("entities.tsv", "ZZ\tcountry\tZembla\t-\t-\tJapan\n", 0,
                    "alias 'Japan' already names JP");
    s_expect_error ("claims.rules",
                    "rule bad.slots\n    form commander_rank.planned\n    need star\n"
                    "    match (?<rank>{RANK})\n    slot rank rank rank\n", 0,
                    "leaves slot 'unit' of form commander_rank.planned empty");
    s_expect_error ("claims.rules",
                    "rule bad.converter\n    form commander_rank.planned\n    need star\n"
                    "    match (?<rank>{RANK})\n    slot rank frobnicate rank\n", 4,
                    "unknown converter 'frobnicate'");
    s_expect_error ("claims.rules",
                    "rule bad.regex\n    form commander_rank.planned\n    need star\n"
                    "    match (?<rank>{RANK}\n    slot rank rank rank\n    slot unit ref:force\n", 3,
                    "pattern does not compile");
    //  Patterns match bytes: a code point escape above \x7F, or such a
    //  character inside a class, is refused with what to write instead
    s_expect_error ("claims.rules",
                    "rule bad.escape\n    form commander_rank.planned\n    need star\n"
                    "    match \\x{201C}(?<rank>{RANK})\n    slot rank rank rank\n    slot unit ref:force\n", 3,
                    "patterns match bytes: write a character above");
    s_expect_error ("claims.rules",
                    "rule bad.class\n    form commander_rank.planned\n    need star\n"
                    "    match [\"“](?<rank>{RANK})\n    slot rank rank rank\n    slot unit ref:force\n", 3,
                    "inside [...]");
    s_expect_error ("claims.rules",
                    "rule bad.macro\n    form commander_rank.planned\n    need star\n"
                    "    match {NOSUCH}\n", 3, "unknown macro {NOSUCH}");
    s_expect_error ("claims.rules",
                    "rule bad.group\n    form commander_rank.planned\n    need star\n"
                    "    match (?<rank>{RANK})\n    slot rank rank rnk\n    slot unit ref:force\n", 0,
                    "uses group 'rnk'");
    s_expect_error ("claims.rules",
                    "rule bad.need\n    form commander_rank.planned\n"
                    "    match (?<rank>{RANK})\n    slot rank rank rank\n    slot unit ref:force\n", 0,
                    "has no 'need' line");
    s_expect_error ("claims.rules",
                    "form commander_rank.again\n    type commander_rank\n    key unit status=planned\n"
                    "    value rank\n", 0, "has the same key as form commander_rank.planned");
    s_expect_error ("claims.rules", "frobnicate everything\n", 0, "unknown directive 'frobnicate'");
    s_expect_error ("claims.rules",
                    "form free.text\n    type free\n    key unit=U.S.(Forces)\n    value x\n", 2,
                    "must be letters, digits");
    s_expect_error ("hedges.tsv", "maybe\tsentence\tperhaps\t-\n", 0, "unknown hedge 'maybe'");
    s_expect_error ("hedges.tsv", "hoped\teverywhere\twish\t-\n", 0, "unknown scope 'everywhere'");
    s_expect_error ("hedges.tsv", "hoped\tsentence\tWish\t-\n", 0, "trigger word 'Wish'");
    s_expect_error ("hedges.tsv", "denied\tnear\tnot\t-\n", 0, "a near cue needs a pattern");
    s_expect_error ("hedges.tsv", "hoped\tsentence\twish\t(wish\n", 0, "pattern does not compile");
    s_expect_error ("attributions.tsv", "elsewhere\t-\tsomeone\t-\t\\bsomeone\\b\n", 0,
                    "unknown place 'elsewhere'");
    s_expect_error ("attributions.tsv", "self\t-\t$\tsomeone\t\\bsomeone\\b\n", 0,
                    "needs a (?<src>...) group");
    s_expect_error ("attributions.tsv", "self\t-\tsomeone\t\\bsomeone\\b\n", 0,
                    "expected 5 tab-separated fields");
    s_expect_error ("attributions.tsv", "self\t-\tsomeone\tsomeone&\t\\bsomeone\\b\n", 0,
                    "an empty trigger group");
    s_expect_error ("attributions.tsv", "self\t-\tsomeone\ta&b&c&d&e\t\\bsomeone\\b\n", 0,
                    "more than 4 trigger groups");

    //  A missing file names itself
    s_copy_rules ();
    char path [256], err [512] = "";
    snprintf (path, sizeof (path), "%s/hedges.tsv", s_tmpdir);
    unlink (path);
    ab_extractor_t *x = ab_extractor_new (s_tmpdir, err, sizeof (err));
    assert_null (x);
    assert_non_null (strstr (err, "hedges.tsv"));
    s_remove_rules ();
}

//  A form and rule a user might add: "access to four new bases in Zembla"
#define S_BASING_RULE \
    "form basing.sites\n" \
    "    type    basing_access\n" \
    "    key     host\n" \
    "    value   sites\n" \
    "rule basing.sites\n" \
    "    form    basing.sites\n" \
    "    need    bases\n" \
    "    match   access\\sto\\s(?<n>{NUM})\\s(?:new\\s)?bases\\sin\\s(?<host>{entity:country})\n" \
    "    slot    host entity:country host\n" \
    "    slot    sites count n\n"

//  The project's rules plus the country Zembla, S_BASING_RULE and the
//  attribution lines given (or none), loaded from s_tmpdir; the caller
//  calls s_remove_rules when done
static ab_extractor_t *
s_load_basing (const char *attributions)
{
    s_copy_rules ();
    s_append ("entities.tsv", "ZZ\tcountry\tZembla\t-\t-\tZembla|Zemblan\n");
    s_append ("claims.rules", S_BASING_RULE);
    if (attributions)
        s_append ("attributions.tsv", attributions);
    return s_load_tmpdir ();
}

//  New entities, forms and rules work from the data files alone
static void
test_rule_extension (void **state)
{
    (void) state;
    ab_extractor_t *x = s_load_basing (NULL);
    ab_doc_t doc;
    s_doc ("The United States gained access to four new bases in Zembla.", &doc);
    ab_result_t *result = ab_result_new ();
    assert_int_equal (ab_extract (x, &doc, "2024-03-25", result), 1);
    int count;
    const ab_claim_t *claim = s_find (result, "basing_access{host=ZZ}", &count);
    assert_non_null (claim);
    assert_string_equal (ab_claim_value (claim, "sites"), "4");
    assert_string_equal (claim->rule, "basing.sites");
    ab_result_destroy (&result);
    s_doc_free (&doc);
    ab_extractor_destroy (&x);
    assert_null (x);
    s_remove_rules ();
}

//  Each text gives one S_BASING_RULE claim (host Zembla), attributed to
//  its label ("" for none)
static void
s_expect_basing_labels (const ab_extractor_t *x, const char **texts, const char **labels, int count)
{
    for (int i = 0; i < count; i++) {
        ab_doc_t doc;
        s_doc (texts [i], &doc);
        ab_result_t *result = ab_result_new ();
        assert_int_equal (ab_extract (x, &doc, "2024-03-25", result), 1);
        int found;
        const ab_claim_t *claim = s_find (result, "basing_access{host=ZZ}", &found);
        assert_non_null (claim);
        assert_string_equal (claim->attribution, labels [i]);
        assert_true (claim->match_end <= doc.size);
        ab_result_destroy (&result);
        s_doc_free (&doc);
    }
}

//  Patterns match bytes, so a group bounded by '.' may end inside a
//  character: the label keeps the whole characters only ("Zo", not "Zo"
//  and half of "ë"), and a literal non-ASCII word still matches
static void
test_whole_characters (void **state)
{
    (void) state;
    ab_extractor_t *x = s_load_basing (
        "self\treported\t$\tper\t\\bper\\s(?<src>.{1,3})\n"
        "self\treported\tthe Zemblan Gazette\tgazeta\t\\bGazeta\\sZembłańska\\b\n");
    const char *texts [] = {
        "The United States gained access to four new bases in Zembla, per Zoë's office.",
        "The United States gained access to four new bases in Zembla, Gazeta Zembłańska reported."
    };
    const char *labels [] = { "Zo", "the Zemblan Gazette" };
    s_expect_basing_labels (x, texts, labels, 2);
    ab_extractor_destroy (&x);
    s_remove_rules ();
}

//  A cue with trigger groups joined by '&' runs only where a word of
//  each group is in the sentence, though its pattern alone would match
static void
test_cue_trigger_groups (void **state)
{
    (void) state;
    ab_extractor_t *x = s_load_basing ("self\treported\tthe pair\talpha&beta|gamma\t\\balpha\\b\n");
    const char *texts [] = {
        "The United States gained access to four new bases in Zembla, alpha said.",
        "The United States gained access to four new bases in Zembla, alpha and gamma said."
    };
    const char *labels [] = { "", "the pair" };
    s_expect_basing_labels (x, texts, labels, 2);
    ab_extractor_destroy (&x);
    s_remove_rules ();
}

//  Claims from one sentence with the extractor of s_tmpdir
static uint32_t
s_claims_of (const ab_extractor_t *x, const char *text)
{
    ab_doc_t doc;
    s_doc (text, &doc);
    ab_result_t *result = ab_result_new ();
    assert_true (ab_extract (x, &doc, "2024-03-25", result) >= 0);
    uint32_t count = result->claim_count;
    ab_result_destroy (&result);
    s_doc_free (&doc);
    return count;
}

//  Does one sentence give a claim with this key, with the extractor of s_tmpdir?
static bool
s_text_has (const ab_extractor_t *x, const char *text, const char *key)
{
    ab_doc_t doc;
    s_doc (text, &doc);
    ab_result_t *result = ab_result_new ();
    assert_true (ab_extract (x, &doc, "2024-03-25", result) >= 0);
    int count = 0;
    bool found = s_find (result, key, &count) != NULL;
    ab_result_destroy (&result);
    s_doc_free (&doc);
    return found;
}

//  {entity:KIND} alternatives are grouped by first letter: within a group
//  the longest alias still wins, an exact-case alias keeps its case, and
//  aliases opening with a digit or a non-ASCII letter still match
static void
test_entity_alternation (void **state)
{
    (void) state;
    s_copy_rules ();
    s_append ("entities.tsv",
              "ZN\tcountry\tNova Zembla\t-\t-\tNova Zembla|=NZ\n"
              "NV\tcountry\tNova\t-\t-\tNova|Novan|novaland\n"
              "SV\tcountry\tSeven Isles\t-\t-\t7 Isles\n"
              "EM\tcountry\t\xC3\x89meraude\t-\t-\t\xC3\x89meraude\n");
    s_append ("claims.rules",
              "form basing.sites\n    type basing_access\n    key host\n    value sites\n"
              "rule basing.sites\n    form basing.sites\n    need bases\n"
              "    match access\\sto\\s(?<n>{NUM})\\sbases\\sin\\s(?<host>{entity:country})\n"
              "    slot host entity:country host\n    slot sites count n\n"
              //  The pattern alone decides here: no slot looks the alias up
              "form basing.count\n    type basing_count\n    key sites\n    value event=basing\n"
              "rule basing.count\n    form basing.count\n    need bases\n"
              "    match access\\sto\\s(?<n>{NUM})\\sbases\\sin\\s{entity:country}\\.\n"
              "    slot sites count n\n"
              //  Inside (?-i:...) every alias keeps the case it is written in
              "form basing.strict\n    type basing_strict\n    key sites\n    value event=strict\n"
              "rule basing.strict\n    form basing.strict\n    need bases\n"
              "    match access\\sto\\s(?<n>{NUM})\\sbases\\sat\\s(?-i:{entity:country})\\.\n"
              "    slot sites count n\n");
    ab_extractor_t *x = s_load_tmpdir ();
    static const struct { const char *place, *host; } cases [] = {
        { "Nova Zembla", "ZN" }, { "NOVA ZEMBLA", "ZN" }, { "Nova-Zembla", "ZN" },
        { "NZ", "ZN" }, { "Nova", "NV" }, { "Novan", "NV" }, { "7 Isles", "SV" },
        { "\xC3\x89meraude", "EM" }, { "novaland", "NV" }, { "NOVALAND", "NV" },
        { "nz", NULL }, { "nZ", NULL }, { "Novanx", NULL }, { NULL, NULL }
    };
    static const struct { const char *place; uint32_t claims; } strict [] = {
        { "Nova Zembla", 1 }, { "nova Zembla", 0 }, { "NOVA ZEMBLA", 0 }, { "novaland", 1 },
        { "Novaland", 0 }, { "NZ", 1 }, { "nZ", 0 }, { "7 Isles", 1 }, { NULL, 0 }
    };
    for (int i = 0; strict [i].place; i++) {
        char text [128];
        snprintf (text, sizeof (text), "Zembla gained access to four bases at %s.", strict [i].place);
        if (s_claims_of (x, text) != strict [i].claims)
            fprintf (stderr, "\"%s\": expected %u claims\n", text, strict [i].claims);
        assert_int_equal (s_claims_of (x, text), strict [i].claims);
    }
    for (int i = 0; cases [i].place; i++) {
        char text [128], key [64];
        snprintf (text, sizeof (text), "Zembla gained access to four bases in %s.", cases [i].place);
        if (cases [i].host) {
            snprintf (key, sizeof (key), "basing_access{host=%s}", cases [i].host);
            if (!s_text_has (x, text, key))
                fprintf (stderr, "\"%s\": no %s\n", text, key);
            assert_true (s_text_has (x, text, key));
            assert_true (s_text_has (x, text, "basing_count{sites=4}"));
        }
        else {
            if (s_claims_of (x, text))
                fprintf (stderr, "\"%s\": expected no claim\n", text);
            assert_int_equal (s_claims_of (x, text), 0);
        }
    }
    ab_extractor_destroy (&x);
    s_remove_rules ();
}

//  The scan goes on from a word to the next only with a word that some
//  key continues with (the key's bit mask of next words).  Aliases written
//  with other word breaks than in entities.tsv must still be found: run
//  together ("NZ Isles" for "N. Z. Isles"), or spelling another alias
//  ("N.Z.I." is "NZI", reached through "nz", a prefix of "N. Z. Isles").
//  The host is the first country the scan found, not a pattern's match.
static void
test_mention_word_breaks (void **state)
{
    (void) state;
    s_copy_rules ();
    s_append ("entities.tsv",
              "ZI\tcountry\tZembla Isles\t-\t-\tN. Z. Isles|NZI|Zembla Isles|Zembla Isles of the North\n");
    s_append ("claims.rules",
              "form basing.hosts\n    type basing_hosts\n    key host\n    value sites\n"
              "rule basing.hosts\n    form basing.hosts\n    need hosts\n"
              "    match \\bhosts\\s(?<n>{NUM})\\sbases\n"
              "    slot host first:country\n    slot sites count n\n");
    ab_extractor_t *x = s_load_tmpdir ();
    static const struct { const char *place; bool found; } cases [] = {
        { "N. Z. Isles", true }, { "NZ Isles", true }, { "N.Z. Isles", true }, { "N.Z.I.", true },
        { "NZI", true }, { "Zembla Isles", true }, { "Zembla Isles of the North", true },
        { "The Zembla Isles", true }, { "N. Z. Tribune", false }, { "Zembla Islands", false },
        { NULL, false }
    };
    for (int i = 0; cases [i].place; i++) {
        char text [128];
        snprintf (text, sizeof (text), "%s hosts four bases, the ministry said.", cases [i].place);
        bool found = s_text_has (x, text, "basing_hosts{host=ZI}");
        if (found != cases [i].found)
            fprintf (stderr, "\"%s\": expected %s\n", text, cases [i].found ? "host ZI" : "no host");
        assert_int_equal (found, cases [i].found);
    }
    ab_extractor_destroy (&x);
    s_remove_rules ();
}

//  Veto lines in their three forms: trigger words and a pattern, a pattern
//  alone (tried on every sentence with a claim), words alone
static void
test_veto_lines (void **state)
{
    (void) state;
    s_copy_rules ();
    s_append ("entities.tsv", "ZZ\tcountry\tZembla\t-\t-\tZembla\n");
    s_append ("claims.rules",
              "veto    frankly     \\bfrankly\\b\n"
              "veto    \\bhonestly\\b\n"
              "veto    regrettably -\n"
              S_BASING_RULE);
    ab_extractor_t *x = s_load_tmpdir ();
    assert_int_equal (s_claims_of (x, "The United States gained access to four new bases in Zembla."), 1);
    assert_int_equal (s_claims_of (x, "Frankly, the United States gained access to four new bases in Zembla."), 0);
    assert_int_equal (s_claims_of (x, "Honestly, the United States gained access to four new bases in Zembla."), 0);
    assert_int_equal (s_claims_of (x, "Regrettably the United States gained access to four new bases in Zembla."), 0);
    //  A trigger word alone is not the pattern: "frankly" must be a word
    assert_int_equal (s_claims_of (x, "Franklyn Pierce said the United States gained access to four new bases in Zembla."), 1);
    ab_extractor_destroy (&x);
    s_remove_rules ();

    s_expect_error ("claims.rules", "veto Frankly \\bfrankly\\b\n", 0, "trigger word 'Frankly'");
    s_expect_error ("claims.rules", "veto\n", 0, "veto needs trigger words and a pattern");
}

//  The entity kinds read off a pattern gate it: only a macro the pattern
//  cannot match without counts, and a gated rule still fires wherever its
//  kind may start (an alias spelled with other spacing included)
typedef struct {
    const char *match;
    const char *kinds;          //  the sets, "country|place;force", or ""
} s_kinds_case_t;

static const s_kinds_case_t s_kinds_cases [] = {
    { "(?<c>{entity:country})\\sbases", "country" },
    { "bases\\sin\\s{entity:country,place}", "country|place" },
    { "{entity:force}\\sat\\s(?:the\\s)?{entity:country}", "force;country" },
    { "(?:{entity:country}\\s)?bases", "" },
    { "(?:{entity:country}|Zembla)\\sbases", "" },
    { "bases|{entity:country}", "" },
    { "bases(?=\\sin\\s{entity:country})", "" },
    { "bases(?!\\s{entity:country})", "" },
    { "bases\\s{entity:country}{0,2}", "" },
    { "bases\\s{entity:country}*", "" },
    { "bases\\s{entity:country}+", "country" },
    { "bases\\s(?:{entity:country}){1,2}", "country" },
    { "[({|]bases\\)?\\s\\{x\\}\\s{entity:country}", "country" },
    { "bases\\s{ZINPLACE}", "country" },
    { "bases\\s{ZINPLACE}?", "" },
    { "(?i:bases\\s(?<x>{entity:country}))", "country" },
    { NULL, NULL }
};

static void
s_kinds_text (const ab_extractor_t *x, const ab_xkinds_t *kinds, char *out, size_t size)
{
    size_t n = 0;
    out [0] = 0;
    for (int i = 0; i < kinds->count; i++) {
        bool first = true;
        for (int k = 0; k < x->kind_count; k++)
            if (kinds->sets [i] & (1u << k)) {
                n += (size_t) snprintf (out + n, size - n, "%s%s",
                                        first ? (i ? ";" : "") : "|", x->kinds [k]);
                first = false;
            }
    }
}

static void
test_rule_kinds (void **state)
{
    (void) state;
    s_copy_rules ();
    s_append ("entities.tsv", "ZZ\tcountry\tNova Zembla\t-\t-\tNova Zembla\n");
    s_append ("claims.rules",
              "define ZINPLACE in\\s{entity:country}\n"
              "form kinds.test\n    type kinds_test\n    key k=x\n    value v=y\n");
    char rule [512];
    for (int i = 0; s_kinds_cases [i].match; i++) {
        snprintf (rule, sizeof (rule), "rule kinds.case%d\n    form kinds.test\n    need bases\n"
                  "    match %s\n", i, s_kinds_cases [i].match);
        s_append ("claims.rules", rule);
    }
    ab_extractor_t *x = s_load_tmpdir ();
    for (int i = 0; s_kinds_cases [i].match; i++) {
        char id [32], got [128];
        snprintf (id, sizeof (id), "kinds.case%d", i);
        const ab_xrule_t *found = NULL;
        for (int r = 0; r < x->rule_count; r++)
            if (strcmp (x->rules [r].id, id) == 0)
                found = &x->rules [r];
        assert_non_null (found);
        s_kinds_text (x, &found->kinds, got, sizeof (got));
        if (strcmp (got, s_kinds_cases [i].kinds) != 0)
            fprintf (stderr, "%s: needs '%s', expected '%s'\n", s_kinds_cases [i].match,
                     got, s_kinds_cases [i].kinds);
        assert_string_equal (got, s_kinds_cases [i].kinds);
    }
    //  Optional kinds do not gate: no country here, and still a claim
    assert_int_equal (s_claims_of (x, "Four bases were opened last year."), 1);
    //  A needed kind spelled with other spacing ("Nova Zembla" as
    //  "NovaZembla", "Nova-Zembla") still counts as present: the first,
    //  gated rule is the one that fires
    static const char *spellings [] = {
        "They visited the Nova Zembla bases.", "They visited the NovaZembla bases.",
        "They visited the Nova-Zembla bases.", "They visited the nova zembla bases.", NULL
    };
    for (int i = 0; spellings [i]; i++) {
        ab_doc_t doc;
        s_doc (spellings [i], &doc);
        ab_result_t *result = ab_result_new ();
        assert_int_equal (ab_extract (x, &doc, "2024-03-25", result), 1);
        if (strcmp (result->claims [0].rule, "kinds.case0") != 0)
            fprintf (stderr, "\"%s\": rule %s fired\n", spellings [i], result->claims [0].rule);
        assert_string_equal (result->claims [0].rule, "kinds.case0");
        ab_result_destroy (&result);
        s_doc_free (&doc);
    }
    ab_extractor_destroy (&x);
    s_remove_rules ();
}

//  --------------------------------------------------------------------------
//  Seeds: EXPECTED.md's items, article by article

typedef struct {
    int item;
    const char *article;        //  file prefix, "000"
    const char *key;
    const char *values;
    const char *hedge;
    const char *attribution;
} s_seed_t;

#define HAYASHI "Yoshimasa Hayashi (Chief Cabinet Secretary)"
#define HAYASHI_VARIANT "Yoshimasa Hayashi (Chief Cabinet Secretary; written \"Yoshitsune Hayashi\")"

static const s_seed_t s_seeds [] = {
    //  1: planned rank of the USFJ commander: four-star (000, 001, 003)
    //  conflicts with three-star (002) under one key; 001's dissent on the
    //  new commander's duties is its own key, related to that one
    { 1, "001", "commander_rank{unit=USFJ,status=planned,aspect=duties}", "duties=limited", "hoped",
      "U.S. officials" },
    { 1, "000", "commander_rank{unit=USFJ,status=planned}", "rank=4", "reported", "media reports" },
    { 1, "001", "commander_rank{unit=USFJ,status=planned}", "rank=4", "considered", "sources" },
    { 1, "003", "commander_rank{unit=USFJ,status=planned}", "rank=4", "considered", "Reuters" },
    { 1, "002", "commander_rank{unit=USFJ,status=planned}", "rank=3", "expected", "a U.S. official" },
    //  2: joint headquarters by March 2025
    { 2, "000", "command_structure{country=JP,change=joint_headquarters}", "target_date=2025-03",
      "hoped", "sources" },
    { 2, "001", "command_structure{country=JP,change=joint_headquarters}", "target_date=2025-03",
      "hoped", "" },
    //  3: Biden-Kishida summit on April 10
    { 3, "000", "summit_meeting{participants=JP+US,date=2024-04-10}", "event=summit",
      "reported", "Financial Times" },
    { 3, "001", "summit_meeting{participants=JP+US,date=2024-04-10}", "event=summit",
      "reported", "Financial Times" },
    { 3, "003", "summit_meeting{participants=JP+US,date=2024-04-10}", "event=summit",
      "expected", "" },
    //  4: 54,000 U.S. troops in Japan
    { 4, "001", "force_posture{country=US,host=JP,measure=troops}", "count=54000", "asserted", "" },
    { 4, "002", "force_posture{country=US,host=JP,measure=troops}", "count=54000", "asserted", "" },
    { 4, "003", "force_posture{country=US,host=JP,measure=troops}", "count=54000", "asserted", "" },
    //  5: defense spending to 2% of GDP
    { 5, "001", "defense_spending{country=JP,metric=percent_gdp,status=target}", "percent=2",
      "expected", "" },
    { 5, "002", "defense_spending{country=JP,metric=percent_gdp,status=target}", "percent=2",
      "expected", "" },
    { 5, "003", "defense_spending{country=JP,metric=percent_gdp,status=target}", "percent=2",
      "expected", "Japan" },
    { 5, "004", "defense_spending{country=JP,metric=percent_gdp,status=target}", "percent=2",
      "asserted", "" },
    //  6: missiles with a 1,000 km range; 004: counter-strike capabilities
    { 6, "001", "capability{country=JP,system=missile,measure=range}", "range_km=1000",
      "expected", "" },
    { 6, "003", "capability{country=JP,system=missile,measure=range}", "range_km=1000",
      "expected", "" },
    { 6, "004", "capability{country=JP,system=counter_strike}", "status=acquiring", "asserted", "" },
    //  7: biggest upgrade since the 1960 treaty; 003's "He called ..." follows
    //  a Financial Times paragraph, so Hayashi is only the likely speaker
    { 7, "003", "treaty_reference{treaty=MDT,year=1960}", "relation=biggest_upgrade_since",
      "asserted", "\"he\", probably " HAYASHI },
    { 7, "004", "treaty_reference{treaty=MDT,year=1960}", "relation=biggest_upgrade_since",
      "asserted", "an official" },
    //  8: Hayashi on the joint command and the summit agenda
    { 8, "000", "official_statement{speaker=HAYASHI,topic=joint_command_cooperation}",
      "partners=KR+US", "asserted", HAYASHI },
    { 8, "001", "official_statement{speaker=HAYASHI,topic=joint_command_cooperation}",
      "partners=KR+US", "asserted", HAYASHI_VARIANT },
    { 8, "000", "official_statement{speaker=HAYASHI,topic=summit_agenda}", "status=undecided",
      "asserted", HAYASHI },
    { 8, "001", "official_statement{speaker=HAYASHI,topic=summit_agenda}", "status=undecided",
      "asserted", HAYASHI_VARIANT },
    { 8, "003", "official_statement{speaker=HAYASHI,topic=summit_agenda}", "status=undecided",
      "asserted", HAYASHI },
    //  9: today a three-star commander without authority over Japanese forces
    { 9, "000", "commander_rank{unit=USFJ,status=current}", "rank=3", "asserted", "" },
    { 9, "001", "commander_rank{unit=USFJ,status=current}", "rank=3", "asserted", "" },
    { 9, "000", "command_structure{unit=USFJ,over=JSDF,aspect=command_authority}",
      "authority=none", "asserted", "" },
    { 9, "001", "command_structure{unit=USFJ,over=JSDF,aspect=command_authority}",
      "authority=none", "asserted", "" },
    //  10: USFJ reconstituted as a Joint Force Headquarters under INDOPACOM
    { 10, "002", "command_structure{unit=USFJ,change=reconstitute}", "form=joint_force_headquarters",
      "expected", "a U.S. official" },
    { 10, "002", "command_structure{unit=USFJ,relation=reports_to}", "superior=INDOPACOM",
      "expected", "a U.S. official" },
    //  11: trilateral cooperation institutionalized
    { 11, "002", "trilateral_cooperation{participants=JP+KR+US,aspect=institutionalize}",
      "status=signed", "reported", "Reuters" },
    //  12: first Japan-U.S.-Philippines summit the day after (April 11)
    { 12, "003", "summit_meeting{participants=JP+PH+US,date=2024-04-11}", "event=summit",
      "expected", "" },
    //  13: military-industrial council
    { 13, "004", "defense_industry{country=US,mechanism=industrial_council}", "status=planned",
      "expected", "" },
    //  14: integrated air and missile defense
    { 14, "004", "missile_defense{participants=JP+US,system=integrated_air_missile_defense}",
      "status=planned", "expected", "" },
    //  15: naval exercise in the South China Sea on April 7
    { 15, "004", "exercise{participants=AU+JP+PH+US,date=2024-04-07}", "location=SCS",
      "asserted", "" },
    //  16: Taiwan about 100 km from Japanese territory
    { 16, "001", "geography{place=TW,reference=JP,measure=distance}", "distance_km=100",
      "asserted", "Japan" },
    { 16, "003", "geography{place=TW,reference=JP,measure=distance}", "distance_km=100",
      "asserted", "" },
    //  17: Japan a full partner in Artemis
    { 17, "004", "space_cooperation{country=JP,program=ARTEMIS}", "role=full_partner",
      "expected", "" },
    { 0, NULL, NULL, NULL, NULL, NULL }
};

static const char *s_articles [] = { "000", "001", "002", "003", "004", NULL };

//  The manifest's publication date and the file name for an article
//  prefix; returns 0 or -1.
static int
s_manifest (const char *prefix, char *file, size_t filelen, char *published, size_t publen)
{
    char err [256];
    size_t size;
    char *data = ab_file_read (SEEDS_DIR "/manifest.jsonl", 1 << 20, &size, err, sizeof (err));
    if (!data)
        return -1;
    int rc = -1;
    for (char *line = strtok (data, "\n"); line; line = strtok (NULL, "\n")) {
        json_error_t jerr;
        json_t *entry = json_loads (line, 0, &jerr);
        const char *name = json_string_value (json_object_get (entry, "file"));
        const char *date = json_string_value (json_object_get (entry, "published"));
        if (name && date && strncmp (name, prefix, strlen (prefix)) == 0) {
            snprintf (file, filelen, "%s", name);
            snprintf (published, publen, "%s", date);
            rc = 0;
        }
        json_decref (entry);
    }
    free (data);
    return rc;
}

static void
test_seeds (void **state)
{
    s_state_t *self = *state;
    struct stat st;
    if (stat (SEEDS_DIR "/EXPECTED.md", &st) != 0) {
        printf ("SKIP test_seeds: %s not found (run from the repository root beside shared/)\n",
                SEEDS_DIR);
        skip ();
    }
    if (!self->normalizer) {
        printf ("SKIP test_seeds: the normalizer's rules do not load\n");
        skip ();
    }
    ab_result_t *results [5] = { NULL };
    int misses = 0;
    for (int a = 0; s_articles [a]; a++) {
        char file [256], published [32], path [512], err [256];
        assert_int_equal (s_manifest (s_articles [a], file, sizeof (file),
                                      published, sizeof (published)), 0);
        snprintf (path, sizeof (path), "%s/%s", SEEDS_DIR, file);
        size_t size;
        char *raw = ab_file_read (path, 1 << 24, &size, err, sizeof (err));
        assert_non_null (raw);
        ab_doc_t *doc = ab_doc_new ();
        assert_int_equal (ab_normalize (self->normalizer, raw, size, doc), 0);
        results [a] = ab_result_new ();
        int n = ab_extract (self->extractor, doc, published, results [a]);
        assert_true (n >= 0);
        s_check_offsets (doc, results [a]);
        ab_doc_destroy (&doc);
        free (raw);
    }
    //  Recall, values, hedges, attributions: every row of the table
    for (const s_seed_t *row = s_seeds; row->key; row++) {
        int a = 0;
        while (strcmp (s_articles [a], row->article) != 0)
            a++;
        int count;
        const ab_claim_t *claim = s_find (results [a], row->key, &count);
        char values [512] = "";
        if (claim)
            ab_test_claim_values (claim, values, sizeof (values));
        bool ok = claim && count == 1 && strcmp (values, row->values) == 0
               && strcmp (claim->hedge, row->hedge) == 0
               && strcmp (claim->attribution, row->attribution) == 0;
        printf ("  item %2d  %s  %-70s %s\n", row->item, row->article, row->key,
                ok ? "ok" : "MISS");
        if (!ok) {
            fprintf (stderr, "SEED item %d in %s: expected %s = %s [%s] \"%s\"\n", row->item,
                     row->article, row->key, row->values, row->hedge, row->attribution);
            ab_test_dump_claims (results [a]);
            misses++;
        }
    }
    //  Precision: an item's key appears in no article not listed for it
    for (const s_seed_t *row = s_seeds; row->key; row++) {
        bool first = true;
        for (const s_seed_t *prev = s_seeds; prev < row; prev++)
            if (strcmp (prev->key, row->key) == 0)
                first = false;
        if (!first)
            continue;
        for (int a = 0; s_articles [a]; a++) {
            bool listed = false;
            for (const s_seed_t *other = s_seeds; other->key; other++)
                if (strcmp (other->key, row->key) == 0
                &&  strcmp (other->article, s_articles [a]) == 0)
                    listed = true;
            if (!listed && s_find (results [a], row->key, NULL)) {
                fprintf (stderr, "SEED item %d: %s appears in %s, which EXPECTED.md does not "
                                 "list for it\n", row->item, row->key, s_articles [a]);
                misses++;
            }
        }
    }
    //  Item 1 is one key across articles with a conflicting value
    const ab_claim_t *four = s_find (results [0], "commander_rank{unit=USFJ,status=planned}", NULL);
    const ab_claim_t *three = s_find (results [2], "commander_rank{unit=USFJ,status=planned}", NULL);
    assert_non_null (four);
    assert_non_null (three);
    assert_string_equal (ab_claim_value (four, "rank"), "4");
    assert_string_equal (ab_claim_value (three, "rank"), "3");
    //  Claims outside the table are listed, for review
    for (int a = 0; s_articles [a]; a++)
        for (uint32_t i = 0; i < results [a]->claim_count; i++) {
            char key [512];
            ab_test_claim_key (&results [a]->claims [i], key, sizeof (key));
            bool known = false;
            for (const s_seed_t *row = s_seeds; row->key; row++)
                known |= strcmp (row->key, key) == 0;
            if (!known)
                printf ("  extra    %s  %s\n", s_articles [a], key);
        }
    for (int a = 0; a < 5; a++)
        ab_result_destroy (&results [a]);
    assert_int_equal (misses, 0);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_values),
        cmocka_unit_test (test_fixtures),
        cmocka_unit_test (test_negatives),
        cmocka_unit_test (test_sentence_cap),
        cmocka_unit_test (test_article_dedupe),
        cmocka_unit_test (test_actors_of_the_clause),
        cmocka_unit_test (test_appends),
        cmocka_unit_test (test_garbage),
        cmocka_unit_test (test_rule_errors),
        cmocka_unit_test (test_rule_extension),
        cmocka_unit_test (test_whole_characters),
        cmocka_unit_test (test_cue_trigger_groups),
        cmocka_unit_test (test_veto_lines),
        cmocka_unit_test (test_rule_kinds),
        cmocka_unit_test (test_entity_alternation),
        cmocka_unit_test (test_mention_word_breaks),
        cmocka_unit_test (test_seeds),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
