/*  =========================================================================
    test_rules_general - alliance claims beyond the seed story (issue 13)

    Every rule added for general alliance news, run through the real
    normalizer and extractor on sentences written for this test: the claim
    it must give (key, value, rule id), and the texts that must give
    nothing (mere mentions, opinion, Markdown headings, bylines, image
    links, plans that are not facts).  Also the value forms that make
    differently written facts agree (numbers in words, roman numerals) and
    the sink's agreement of dates of different precision.

    Run from the repository root (rules in workers/rules).
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

#include "ab_briefing.h"
#include "ab_extract.h"
#include "ab_testutil.h"
#include "ab_xvalue.h"

#define RULES_DIR   "workers/rules"

typedef struct {
    ab_extractor_t *extractor;
    ab_normalizer_t *normalizer;
} s_state_t;

static int
s_setup (void **state)
{
    s_state_t *self = calloc (1, sizeof (s_state_t));
    char err [512] = "";
    self->extractor = ab_extractor_new (RULES_DIR, err, sizeof err);
    if (self->extractor)
        self->normalizer = ab_normalizer_new (RULES_DIR, err, sizeof err);
    if (!self->extractor || !self->normalizer) {
        fprintf (stderr, "cannot load rules: %s\n", err);
        ab_extractor_destroy (&self->extractor);
        free (self);
        return -1;
    }
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

//  Normalize and extract text (an article body) published on that date
static ab_result_t *
s_extract (s_state_t *self, const char *text, const char *published)
{
    ab_doc_t *doc = ab_doc_new ();
    assert_non_null (doc);
    assert_int_equal (ab_normalize (self->normalizer, text, strlen (text), doc), 0);
    ab_result_t *result = ab_result_new ();
    assert_non_null (result);
    assert_true (ab_extract (self->extractor, doc, published, result) >= 0);
    ab_doc_destroy (&doc);
    return result;
}

//  --------------------------------------------------------------------------
//  One claim per case, from the named rule

typedef struct {
    const char *rule;
    const char *published;
    const char *text;
    const char *key;
    const char *values;
} s_case_t;

static const s_case_t s_cases [] = {
    { "membership.joined", "2024-03-08",
      "Sweden formally became the 32nd member of NATO on March 7, 2024.",
      "membership{alliance=NATO,member=SE}", "date=2024-03-07" },
    { "membership.joined", "2024-04-02",
      "## NATO enlargement\n\n- Finland joined the alliance in April 2023.",
      "membership{alliance=NATO,member=FI}", "date=2023-04" },
    { "membership.followed", "2024-09-01",
      "Montenegro joined NATO in June 2017, and North Macedonia followed in March 2020.",
      "membership{alliance=NATO,member=MK}", "date=2020-03" },
    { "spending.pct_on_defense_year", "2024-09-20",
      "Poland plans to spend 4.7% of GDP on defence in 2025, more than any other ally.",
      "defense_spending{country=PL,metric=percent_gdp,status=target,year=2025}", "percent=4.7" },
    { "spending.pct_on_defense_year", "2024-07-12",
      "Canada spent 1.37% of GDP on defence last year.",
      "defense_spending{country=CA,metric=percent_gdp,status=target,year=2023}", "percent=1.37" },
    { "spending.to_pct_by", "2024-09-20",
      "Finland's defence spending will reach 3% of GDP by 2029, the government said.",
      "defense_spending{country=FI,metric=percent_gdp,status=target,by=2029}", "percent=3" },
    { "access.sites_total", "2023-04-12",
      "Manila recently announced four new EDCA sites, bringing the total to nine.",
      "access_agreement{agreement=EDCA,parties=PH+US,measure=sites}", "count=9" },
    { "summit.take_place", "2025-10-01",
      "The Quad Leaders' Summit will be held in New Delhi on November 18, 2025.",
      "summit_meeting{participants=AU+IN+JP+US,date=2025-11-18}", "event=summit" },
    { "spending.members_meeting", "2024-06-18",
      "Twenty-three of NATO's 32 members meet the alliance's guideline this year, officials said.",
      "defense_spending{country=NATO,metric=members_meeting_target,year=2024}", "count=23" },
    { "spending.allies_meet_guideline", "2025-06-05",
      "All 32 allies are expected to meet NATO's 2% guideline in 2025.",
      "defense_spending{country=NATO,metric=members_meeting_target,year=2025}", "count=32" },
    { "spending.group_to_pct_by", "2025-06-26",
      "NATO leaders agreed on Wednesday to raise defence and security spending to 5% of GDP by 2035.",
      "defense_spending{country=NATO,metric=percent_gdp,status=target,by=2035}", "percent=5" },
    { "spending.to_pct_by", "2025-02-25",
      "Britain will raise defence spending to 2.5% of GDP by April 2027.",
      "defense_spending{country=GB,metric=percent_gdp,status=target,by=2027}", "percent=2.5" },
    { "spending.pct_on_defense", "2024-07-03",
      "Poland, which spends 4.1 percent of its GDP on defence, is buying tanks.",
      "defense_spending{country=PL,metric=percent_gdp,status=target}", "percent=4.1" },
    { "spending.to_pct_by", "2024-01-15",
      "Japan aims to raise defense spending to two percent of GDP by 2027.",
      "defense_spending{country=JP,metric=percent_gdp,status=target,by=2027}", "percent=2" },
    { "treaty.year", "2025-01-12",
      "About 28,500 U.S. troops are stationed in South Korea under the 1953 Mutual Defense Treaty.",
      "treaty{treaty=MDT,parties=KR+US}", "year=1953" },
    { "treaty.signed_on", "2021-08-31",
      "The Philippines and the United States signed their Mutual Defense Treaty on August 30, 1951.",
      "treaty{treaty=MDT,parties=PH+US}", "year=1951" },
    { "access.signed", "2022-01-07",
      "Japan and Australia signed a Reciprocal Access Agreement on January 6, 2022, the first "
      "such pact Japan has concluded with any country except the United States.",
      "access_agreement{agreement=RAA,parties=AU+JP,status=signed}", "date=2022-01-06" },
    { "access.signed", "2022-01-07",       //  a bold dateline names no party
      "**MANILA** \xE2\x80\x94 Japan and Australia signed a Reciprocal Access Agreement on "
      "January 6, 2022.",
      "access_agreement{agreement=RAA,parties=AU+JP,status=signed}", "date=2022-01-06" },
    { "access.signed", "2024-07-09",
      "Japan and the Philippines signed a Reciprocal Access Agreement in Manila on July 8, 2024.",
      "access_agreement{agreement=RAA,parties=JP+PH,status=signed}", "date=2024-07-08" },
    { "access.was_signed", "2025-09-12",
      "The Reciprocal Access Agreement with Japan is now in effect for the Philippines. "
      "The agreement was signed in July 2024.",
      "access_agreement{agreement=RAA,parties=JP+PH,status=signed}", "date=2024-07" },
    { "access.signed_apposition", "2023-08-14",
      "The Reciprocal Access Agreement between Australia and Japan, signed in January 2022, "
      "took effect later.",
      "access_agreement{agreement=RAA,parties=AU+JP,status=signed}", "date=2022-01" },
    { "access.signed_apposition", "2025-09-12",
      "The Reciprocal Access Agreement, which Japan and the Philippines signed on July 8, 2024, "
      "is now in force.",
      "access_agreement{agreement=RAA,parties=JP+PH,status=signed}", "date=2024-07-08" },
    { "access.in_force", "2025-09-12",
      "The Reciprocal Access Agreement between the Philippines and Japan entered into force on "
      "September 11, 2025.",
      "access_agreement{agreement=RAA,parties=JP+PH,status=in_force}", "date=2025-09-11" },
    { "access.sites_under", "2024-02-10",
      "The Philippines has granted U.S. forces access to nine sites under the Enhanced Defense "
      "Cooperation Agreement.",
      "access_agreement{agreement=EDCA,parties=PH+US,measure=sites}", "count=9" },
    { "access.under_sites", "2024-05-02",
      "Under EDCA, U.S. forces have access to 9 Philippine military sites.",
      "access_agreement{agreement=EDCA,parties=PH+US,measure=sites}", "count=9" },
    { "deterrence.reaffirmed", "2025-01-12",
      "The United States reaffirmed its extended deterrence commitment to South Korea on Friday.",
      "deterrence{provider=US,beneficiary=KR,kind=extended_deterrence}", "status=reaffirmed" },
    { "deterrence.consultation_set_up", "2025-01-15",
      "South Korean officials met for the Nuclear Consultative Group, the body the two countries "
      "set up under the 2023 Washington Declaration.",
      "deterrence{provider=US,beneficiary=KR,kind=nuclear_consultation}", "established=2023" },
    { "deterrence.consultation_agreed", "2024-05-01",
      "Washington and Seoul agreed in April 2023 to create a Nuclear Consultative Group.",
      "deterrence{provider=US,beneficiary=KR,kind=nuclear_consultation}", "established=2023-04" },
    { "ministerial.format_in_on", "2024-07-29",
      "The foreign and defense ministers of Japan and the United States held \"2+2\" talks in "
      "Tokyo on July 28, 2024.",
      "ministerial_meeting{format=2_2,participants=JP+US,date=2024-07-28}", "place=TOKYO" },
    { "ministerial.format_in_on", "2024-07-31",
      "Blinken and Austin met their Philippine counterparts for \"2+2\" talks in Manila on "
      "July 30, 2024.",
      "ministerial_meeting{format=2_2,participants=PH+US,date=2024-07-30}", "place=MANILA" },
    { "summit.pair_met", "2024-04-11",
      "Biden and Kishida met at the White House on April 10, 2024, for a state visit.",
      "summit_meeting{participants=JP+US,date=2024-04-10}", "event=summit" },
    { "summit.pair_met", "2025-08-26",
      "Lee Jae-myung and President Trump met at the White House on August 25, 2025.",
      "summit_meeting{participants=KR+US,date=2025-08-25}", "event=summit" },
    //  the second leader introduced by nationality and title
    { "summit.pair_met", "2024-12-10",
      "Ferdinand Marcos Jr. and Japanese Prime Minister Shigeru Ishiba met in Manila on December 9, 2024.",
      "summit_meeting{participants=JP+PH,date=2024-12-09}", "event=summit" },
    { "commander.who_commands", "2025-01-20",
      "Gen. Xavier Brunson, who commands U.S. Forces Korea, spoke to lawmakers.",
      "commander{unit=USFK}", "person=BRUNSON" },
    { "commander.who_commands_command", "2025-01-20",
      "Adm. Samuel Paparo, commander of U.S. Indo-Pacific Command, visited Manila.",
      "commander{unit=INDOPACOM}", "person=PAPARO" },
    { "procurement.buy_count", "2025-03-05",
      "Australia will buy three Virginia-class submarines from the United States.",
      "procurement{buyer=AU,system=VIRGINIA_CLASS,measure=count}", "count=3" },
    { "procurement.buy_count", "2025-04-10",
      "Australia plans to buy at least three U.S. Virginia-class submarines in the 2030s.",
      "procurement{buyer=AU,system=VIRGINIA_CLASS,measure=count}", "count=3" },
    { "partnership.pillar", "2025-03-05",
      "Japan will join AUKUS Pillar II projects on advanced capabilities.",
      "partnership{group=AUKUS,partner=JP}", "pillar=2" },
    { "partnership.pillar", "2025-03-06",
      "Japan will take part in AUKUS Pillar 2 work on hypersonics.",
      "partnership{group=AUKUS,partner=JP}", "pillar=2" },
    { "exercise.edition_troops", "2025-04-22",
      "Balikatan 2024 had about 16,000 participants.",
      "exercise{exercise=BALIKATAN,year=2024,measure=troops}", "count=16000" },
    { "exercise.troops_took_part", "2024-06-30",
      "More than 5,000 troops from South Korea, Japan and the United States took part in "
      "Freedom Edge, which ran from June 27 to June 29, 2024.",
      "exercise{exercise=FREEDOM_EDGE,year=2024,measure=troops}", "count=5000" },
    { "troops.remain_in", "2025-09-12",
      "About 28,500 American troops remain in South Korea, the commander said.",
      "force_posture{country=US,host=KR,measure=troops}", "count=28500" },
    { "troops.has_in", "2024-05-01",
      "The United States has about 28,500 troops in South Korea.",
      "force_posture{country=US,host=KR,measure=troops}", "count=28500" },
    //  The rules from before issue 13, one case each (keys and values as
    //  tests/unit/test_extract.c and the seeds expect them)
    { "rank.appoint", "2024-03-25",
      "Washington plans to appoint a four-star general to lead U.S. Forces Japan.",
      "commander_rank{unit=USFJ,status=planned}", "rank=4" },
    { "rank.headed_by", "2024-03-25",
      "U.S. Forces Japan will be led by a four-star officer.",
      "commander_rank{unit=USFJ,status=planned}", "rank=4" },
    { "rank.would_head", "2024-03-25",
      "A four-star general would head U.S. Forces Japan.",
      "commander_rank{unit=USFJ,status=planned}", "rank=4" },
    { "rank.current_led", "2025-01-20",
      "U.S. Forces Korea is led by a four-star general.",
      "commander_rank{unit=USFK,status=current}", "rank=4" },
    { "rank.current_under", "2024-03-25",
      "Today U.S. Forces Japan operates under a three-star commander.",
      "commander_rank{unit=USFJ,status=current}", "rank=3" },
    { "rank.duties_limited", "2025-09-18",
      "U.S. Forces Korea may change after the transfer. Some officials would keep the new "
      "American commander confined to training and logistics.",
      "commander_rank{unit=USFK,status=planned,aspect=duties}", "duties=limited" },
    { "joint_hq.target", "2024-03-25",
      "Japan aims to set up a joint operations headquarters by March 2025.",
      "command_structure{country=JP,change=joint_headquarters}", "target_date=2025-03" },
    { "usfj.reconstitute", "2025-03-20",
      "The Pentagon will reconstitute U.S. Forces Japan as a joint force headquarters.",
      "command_structure{unit=USFJ,change=reconstitute}", "form=joint_force_headquarters" },
    { "usfj.reports_to", "2025-03-20",
      "U.S. Forces Japan would keep reporting to U.S. Indo-Pacific Command.",
      "command_structure{unit=USFJ,relation=reports_to}", "superior=INDOPACOM" },
    { "summit.meet_on", "2025-02-20",
      "Albanese and Modi are expected to meet in New Delhi on March 9.",
      "summit_meeting{participants=AU+IN,date=2025-03-09}", "event=summit" },
    { "summit.on_for", "2025-04-01",
      "India will host the leaders of Australia, Japan and the United States in New Delhi on "
      "May 21 for the next Quad summit.",
      "summit_meeting{participants=AU+IN+JP+US,date=2025-05-21}", "event=summit" },
    { "summit.attended", "2025-05-25",
      "Albanese, Modi and Ishiba attended the May 21 summit.",
      "summit_meeting{participants=AU+IN+JP,date=2025-05-21}", "event=summit" },
    { "summit.on_when_meet", "2024-04-01",
      "The deal will be announced at the White House on April 10, when Biden and Kishida meet.",
      "summit_meeting{participants=JP+US,date=2024-04-10}", "event=summit" },
    { "summit.held_on", "2024-03-06",
      "Marcos and Albanese held talks in Canberra on March 4.",
      "summit_meeting{participants=AU+PH,date=2024-03-04}", "event=summit" },
    { "summit.agreed_at", "2025-02-08",
      "Ishiba and Trump agreed at the White House on Friday to expand investment, in their "
      "first summit.",
      "summit_meeting{participants=JP+US,date=2025-02-07}", "event=summit" },
    { "summit.leaders_met", "2025-02-08",
      "Prime Minister Ishiba met President Trump at the White House on February 7.",
      "summit_meeting{participants=JP+US,date=2025-02-07}", "event=summit" },
    { "troops.stationed", "2024-03-25",
      "About 54,000 U.S. troops are stationed in Japan.",
      "force_posture{country=US,host=JP,measure=troops}", "count=54000" },
    { "troops.home_to", "2024-03-25",
      "Japan is home to about 54,000 U.S. service members.",
      "force_posture{country=US,host=JP,measure=troops}", "count=54000" },
    { "marines.rotate_through", "2026-01-10",
      "The United States will rotate about 3,000 Marines through Naval Base Camilo Osias.",
      "force_posture{country=US,site=CAMILO_OSIAS,measure=marines}", "count=3000" },
    { "marines.at_site", "2026-03-27",
      "About 1,800 U.S. Marines will rotate through Camilo Osias this year.",
      "force_posture{country=US,site=CAMILO_OSIAS,measure=marines}", "count=1800" },
    { "spending.reached", "2026-02-18",
      "Japan's defense spending reached 2 percent of GDP.",
      "defense_spending{country=JP,metric=percent_gdp,status=target}", "percent=2" },
    { "spending.from_pct", "2025-02-01",
      "South Korea raised defense spending from 2.5% to 2.8% of GDP.",
      "defense_spending{country=KR,metric=percent_gdp,status=baseline}", "percent=2.5" },
    { "spending.to_pct", "2025-02-01",
      "South Korea raised defense spending from 2.5% to 2.8% of GDP.",
      "defense_spending{country=KR,metric=percent_gdp,status=target}", "percent=2.8" },
    { "capability.missile_range", "2025-02-15",
      "Japan is deploying missiles with a range of about 1,000 kilometers.",
      "capability{country=JP,system=missile,measure=range}", "range_km=1000" },
    { "capability.counterstrike", "2025-02-15",
      "Japan is acquiring counterstrike capabilities.",
      "capability{country=JP,system=counter_strike}", "status=acquiring" },
    { "treaty.upgrade_since", "2024-04-11",
      "It is the biggest upgrade to the alliance since the 1960 Mutual Defense Treaty.",
      "treaty_reference{treaty=MDT,year=1960}", "relation=biggest_upgrade_since" },
    { "statement.joint_command_cooperation", "2024-03-25",
      "Hayashi said a joint command would strengthen cooperation with the United States and "
      "Australia.",
      "official_statement{speaker=HAYASHI,topic=joint_command_cooperation}", "partners=AU+US" },
    { "authority.none", "2024-03-25",
      "U.S. Forces Japan has no authority over the Self-Defense Forces.",
      "command_structure{unit=USFJ,over=JSDF,aspect=command_authority}", "authority=none" },
    { "statement.agenda_undecided", "2024-03-25",
      "Hayashi said the agenda for the summit has not been decided.",
      "official_statement{speaker=HAYASHI,topic=summit_agenda}", "status=undecided" },
    { "trilateral.institutionalize", "2023-08-19",
      "Japan, South Korea and the United States agreed to institutionalize trilateral security "
      "cooperation.",
      "trilateral_cooperation{participants=JP+KR+US,aspect=institutionalize}", "status=agreed" },
    { "industry.council", "2024-03-25",
      "Japan and the United States said a defense industrial council will be established.",
      "defense_industry{country=JP,mechanism=industrial_council}", "status=planned" },
    { "industry.council_create", "2024-03-25",
      "Japan and Australia will create a defense industrial forum.",
      "defense_industry{country=JP,mechanism=industrial_council}", "status=planned" },
    { "industry.coproduce_worth", "2026-02-18",
      "The allies will produce AMRAAM missiles in Japan, a program worth $3 billion.",
      "defense_industry{system=AMRAAM,mechanism=coproduction}", "amount=3000000000,currency=USD" },
    { "industry.program_to_coproduce", "2026-02-18",
      "They unveiled a $3 billion program to co-produce AMRAAM missiles.",
      "defense_industry{system=AMRAAM,mechanism=coproduction}", "amount=3000000000,currency=USD" },
    { "iamd.cooperation", "2024-03-25",
      "Japan and the United States will cooperate on integrated air and missile defense.",
      "missile_defense{participants=JP+US,system=integrated_air_missile_defense}",
      "status=planned" },
    { "exercise.on_date", "2024-05-06",
      "On May 3, Japan and Australia held a naval exercise in the Coral Sea.",
      "exercise{participants=AU+JP,date=2024-05-03}", "location=CORAL_SEA" },
    { "exercise.date_after", "2024-04-10",
      "Japanese and Philippine ships held a drill in the South China Sea on April 7.",
      "exercise{participants=JP+PH,date=2024-04-07}", "location=SCS" },
    { "geography.distance_from", "2024-03-25",
      "Taiwan lies about 110 kilometers from Japan.",
      "geography{place=TW,reference=JP,measure=distance}", "distance_km=110" },
    { "space.program_partner", "2024-04-11",
      "NASA will designate Japan as a full partner in the Artemis program.",
      "space_cooperation{country=JP,program=ARTEMIS}", "role=full_partner" },
    { "funding.aid_to", "2024-03-25",
      "Washington will provide $12 million in military aid to the Philippines.",
      "funding{donor=US,recipient=PH,purpose=military_aid}", "amount=12000000,currency=USD" },
    { NULL, NULL, NULL, NULL, NULL }
};

static void
test_rules (void **state)
{
    s_state_t *self = *state;
    int failures = 0;
    for (const s_case_t *c = s_cases; c->rule; c++) {
        ab_result_t *result = s_extract (self, c->text, c->published);
        bool found = false;
        for (uint32_t i = 0; i < result->claim_count && !found; i++) {
            char key [512], values [512];
            ab_test_claim_key (&result->claims [i], key, sizeof key);
            ab_test_claim_values (&result->claims [i], values, sizeof values);
            found = strcmp (key, c->key) == 0 && strcmp (values, c->values) == 0
                 && strcmp (result->claims [i].rule, c->rule) == 0;
        }
        if (!found) {
            fprintf (stderr, "%s: expected %s = %s from \"%s\"\n", c->rule, c->key, c->values,
                     c->text);
            ab_test_dump_claims (result);
            failures++;
        }
        ab_result_destroy (&result);
    }
    assert_int_equal (failures, 0);
}

//  Every rule in claims.rules has a case above
static void
test_every_rule_has_a_case (void **state)
{
    (void) state;
    FILE *file = fopen (RULES_DIR "/claims.rules", "r");
    assert_non_null (file);
    char line [1024];
    int rules = 0, missing = 0;
    while (fgets (line, sizeof line, file)) {
        char id [256];
        if (sscanf (line, "rule %255s", id) != 1)
            continue;
        rules++;
        bool found = false;
        for (const s_case_t *c = s_cases; c->rule && !found; c++)
            found = strcmp (c->rule, id) == 0;
        if (!found) {
            fprintf (stderr, "rule %s has no case in test_rules_general\n", id);
            missing++;
        }
    }
    fclose (file);
    assert_true (rules > 0);
    assert_int_equal (missing, 0);
}

//  --------------------------------------------------------------------------
//  Texts that state no fact give nothing

static void
test_negatives (void **state)
{
    s_state_t *self = *state;
    static const char *texts [] = {
        //  mere mentions
        "NATO, AUKUS and the Quad were all discussed at a regional security forum this week.",
        "Speakers from Japan, South Korea and the Philippines compared notes on the alliance.",
        //  opinion
        "We believe every NATO government should spend far more on defence.",
        "The Quad is not an alliance, and it should not pretend to be one.",
        "We believe Japan should raise defense spending to 3% of GDP by 2030.",
        "In my view, Australia must buy five Virginia-class submarines.",
        "Tokyo ought to join AUKUS Pillar II projects.",
        //  Markdown headings, image links, bylines, share bars
        "# Japan to work with AUKUS on Pillar 2 technology",
        "### Japan and the Philippines signed a Reciprocal Access Agreement on July 8, 2024",
        "![Japan will join AUKUS Pillar II](https://img.example.com/x.jpg)",
        "By Margaret Holloway",
        "**Share** | **Tweet** | **Email**",
        //  plans and hopes are not memberships; a mention of a treaty is no year
        "Ukraine hopes to join NATO in 2030.",
        "Manila has repeatedly said it values its Mutual Defense Treaty with Washington.",
        //  the 2+2 is not a leaders' summit
        "Blinken and Austin met their counterparts for 2+2 talks in Manila on July 30, 2024.",
        NULL
    };
    for (int i = 0; texts [i]; i++) {
        ab_result_t *result = s_extract (self, texts [i], "2024-08-01");
        uint32_t unexpected = 0;
        for (uint32_t c = 0; c < result->claim_count; c++)
            if (strcmp (result->claims [c].type, "ministerial_meeting") != 0)
                unexpected++;
        if (unexpected) {
            fprintf (stderr, "expected no claim from \"%s\"\n", texts [i]);
            ab_test_dump_claims (result);
        }
        assert_int_equal (unexpected, 0);
        ab_result_destroy (&result);
    }
}

//  One sentence never yields more claims than max_claims_per_sentence (3)
static void
test_sentence_cap (void **state)
{
    s_state_t *self = *state;
    const char *text = "Under the 1953 Mutual Defense Treaty, the United States reaffirmed its "
                       "extended deterrence commitment to South Korea, which has about 28,500 "
                       "troops in South Korea, and Sweden joined NATO on March 7, 2024, and "
                       "Australia will buy three Virginia-class submarines.";
    ab_result_t *result = s_extract (self, text, "2024-08-01");
    assert_true (result->claim_count >= 1);
    assert_true (result->claim_count <= 3);
    ab_result_destroy (&result);
}

//  Unnamed officials closing a sentence are its attribution, as written;
//  official figures name their publisher
static void
test_attribution (void **state)
{
    s_state_t *self = *state;
    struct { const char *text; const char *attribution; } cases [] = {
        { "Japan will deploy upgraded Type 12 missiles with a range of about 1,000 kilometers, "
          "defense officials said.", "defense officials" },
        { "Japan will join AUKUS Pillar II projects, the defence ministers of Australia, Britain "
          "and the United States said in a joint statement.",
          "defence ministers of Australia, Britain and the United States" },
        { "Poland spends 4.1% of GDP on defence, according to figures released by NATO.", "NATO" },
        { "Japan will join AUKUS Pillar II projects, and officials said more would follow.", "" },
        { NULL, NULL }
    };
    for (int i = 0; cases [i].text; i++) {
        ab_result_t *result = s_extract (self, cases [i].text, "2025-03-05");
        if (result->claim_count != 1
        ||  strcmp (result->claims [0].attribution, cases [i].attribution) != 0) {
            fprintf (stderr, "expected one claim attributed to \"%s\" from \"%s\"\n",
                     cases [i].attribution, cases [i].text);
            for (uint32_t c = 0; c < result->claim_count; c++)
                fprintf (stderr, "      got \"%s\"\n", result->claims [c].attribution);
        }
        assert_int_equal (result->claim_count, 1);
        assert_string_equal (result->claims [0].attribution, cases [i].attribution);
        ab_result_destroy (&result);
    }
}

//  --------------------------------------------------------------------------
//  Value forms

static void
s_expect_count (const char *text, const char *expected)
{
    char out [32] = "";
    int rc = ab_xvalue_count (text, strlen (text), out, sizeof out);
    if (!expected) {
        assert_int_equal (rc, -1);
        return;
    }
    if (rc != 0 || strcmp (out, expected))
        fprintf (stderr, "count '%s': expected %s, got rc=%d '%s'\n", text, expected, rc, out);
    assert_int_equal (rc, 0);
    assert_string_equal (out, expected);
}

static void
test_values (void **state)
{
    (void) state;
    s_expect_count ("forty-one", "41");
    s_expect_count ("41", "41");
    s_expect_count ("Twenty-three", "23");
    s_expect_count ("nine", "9");
    s_expect_count ("II", "2");
    s_expect_count ("IV", "4");
    s_expect_count ("XII", "12");
    s_expect_count ("I", "1");
    s_expect_count ("iv", NULL);        //  lower case is a word, not a numeral
    s_expect_count ("MIX", NULL);       //  only I, V and X
    char out [32];
    assert_int_equal (ab_xvalue_percent ("three percent", 13, out, sizeof out), 0);
    assert_string_equal (out, "3");
    assert_int_equal (ab_xvalue_percent ("3%", 2, out, sizeof out), 0);
    assert_string_equal (out, "3");
}

//  --------------------------------------------------------------------------
//  The sink: dates of different precision corroborate; different days do not

static ab_result_t *
s_result (const char *id, const char *published, const char *date)
{
    ab_result_t *result = ab_result_new ();
    assert_non_null (result);
    assert_int_equal (ab_article_set (&result->article_id, id), 0);
    assert_int_equal (ab_article_set (&result->source, id), 0);
    assert_int_equal (ab_article_set (&result->published, published), 0);
    ab_claim_t *claim = ab_result_add_claim (result);
    assert_non_null (claim);
    assert_int_equal (ab_article_set (&claim->type, "membership"), 0);
    assert_int_equal (ab_claim_add_key (claim, "alliance", "NATO"), 0);
    assert_int_equal (ab_claim_add_key (claim, "member", "SE"), 0);
    assert_int_equal (ab_claim_add_value (claim, "date", date), 0);
    return result;
}

//  Merge the dates in order; return the item's JSON text (caller frees)
static char *
s_merge_dates (const char **dates, int count)
{
    ab_briefing_t *briefing = ab_briefing_new ();
    assert_non_null (briefing);
    for (int i = 0; i < count; i++) {
        char id [32];
        snprintf (id, sizeof id, "%016x", i + 1);
        ab_result_t *result = s_result (id, "2024-04-01", dates [i]);
        assert_true (ab_briefing_merge (briefing, result, NULL, NULL, NULL) >= 0);
        ab_result_destroy (&result);
    }
    json_t *item = ab_briefing_item_json (briefing, "membership{alliance=NATO,member=SE}");
    assert_non_null (item);
    json_object_del (item, "first_seen_ms");
    json_object_del (item, "last_updated_ms");
    char *text = json_dumps (item, JSON_COMPACT);
    json_decref (item);
    ab_briefing_destroy (&briefing);
    return text;
}

static void
test_date_precision (void **state)
{
    (void) state;
    const char *month_first [] = { "2024-03", "2024-03-07", "2024" };
    const char *day_first [] = { "2024-03-07", "2024", "2024-03" };
    char *a = s_merge_dates (month_first, 3);
    char *b = s_merge_dates (day_first, 3);
    json_t *item = json_loads (a, 0, NULL);
    assert_non_null (item);
    //  one side, the finest date, three articles
    assert_int_equal (json_array_size (json_object_get (item, "sides")), 1);
    json_t *side = json_array_get (json_object_get (item, "sides"), 0);
    assert_string_equal (json_string_value (json_object_get (side, "value")), "date=2024-03-07");
    assert_int_equal (json_integer_value (json_object_get (side, "support")), 3);
    assert_false (json_is_true (json_object_get (item, "conflict")));
    json_decref (item);
    //  ... whatever the arrival order (the articles are listed by date, so
    //  only received_ms could differ, and it is the same here)
    assert_string_equal (a, b);
    free (a);
    free (b);

    //  Two different days are a conflict; so are different months
    const char *days [] = { "2024-03-07", "2024-03-08" };
    char *c = s_merge_dates (days, 2);
    item = json_loads (c, 0, NULL);
    assert_int_equal (json_array_size (json_object_get (item, "sides")), 2);
    assert_true (json_is_true (json_object_get (item, "conflict")));
    json_decref (item);
    free (c);
    const char *months [] = { "2024-03", "2024-04-01" };
    c = s_merge_dates (months, 2);
    item = json_loads (c, 0, NULL);
    assert_int_equal (json_array_size (json_object_get (item, "sides")), 2);
    json_decref (item);
    free (c);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_rules),
        cmocka_unit_test (test_every_rule_has_a_case),
        cmocka_unit_test (test_negatives),
        cmocka_unit_test (test_sentence_cap),
        cmocka_unit_test (test_attribution),
        cmocka_unit_test (test_values),
        cmocka_unit_test (test_date_precision),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
