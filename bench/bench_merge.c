/*  =========================================================================
    bench_merge - merge rate and memory per distinct claim of ab_briefing

    Built by `make MODE=release bench-programs` (bench/run.sh does it).

    Usage: bench_merge [distinct-claims ...]     (default 10000 100000 1000000)

    For each size, in a fresh child process so that sizes do not share a
    heap: synthetic RESULTs of 10 claims each, every claim a new key
    (one supporting article), realistic string sizes (a 120-byte evidence
    sentence, title, URL; outlets, attributions, rules and actors drawn
    from small sets as in real news).  Prints:

      - replay: merge rate with no change callback (start-up replay);
      - live:   merge rate with a callback, so every change builds its item
                JSON as the sink does to publish a DELTA;
      - memory: resident bytes per distinct claim (/proc/self/statm before
                and after the replay pass; includes the articles and the
                near-duplicate index);
      - hot:    50k results (env BENCH_HOT) over only 1000 keys
                (conflicting values, support in the hundreds): the rate of
                the first and last quarter, to show that the cost of one
                RESULT does not grow with the briefing (BENCH_HOT_REPLAY=1:
                without the callback).

    Only the merge calls are timed (thread CPU time); filling in the reused
    result is not.
    =========================================================================
*/
#include "ab_briefing.h"
#include "bench_corpus.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CLAIMS_PER_RESULT 10

static uint64_t
s_next (uint64_t *state)
{
    //  splitmix64: fast, and fingerprints far apart like real simhashes
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

//  Thread CPU time: on a shared machine the wall clock also counts the
//  turns other processes had on the core
static double
s_now (void)
{
    return bench_cpu_now ();
}

static long
s_resident_bytes (void)
{
    FILE *file = fopen ("/proc/self/statm", "r");
    long size = 0, resident = 0;
    if (file) {
        if (fscanf (file, "%ld %ld", &size, &resident) != 2)
            resident = 0;
        fclose (file);
    }
    return resident * sysconf (_SC_PAGESIZE);
}

//  Overwrite a string the result owns, keeping its buffer (it was made
//  long enough when the result was built)
#define SET(field, ...) snprintf ((field), 40, __VA_ARGS__)
#define PLACEHOLDER "........................................"

static ab_result_t *
s_result_new (void)
{
    static const char *sentence =
        "The two allies agreed on Tuesday to deepen cooperation on the matter, "
        "officials said, in a move expected later this year.";
    ab_result_t *result = ab_result_new ();
    if (!result)
        return NULL;
    ab_article_set (&result->article_id, PLACEHOLDER);
    ab_article_set (&result->source, PLACEHOLDER);
    ab_article_set (&result->published, PLACEHOLDER);
    ab_article_set (&result->title, "Allies agree to deepen cooperation in a synthetic headline");
    ab_article_set (&result->url, "https://news.example/world/asia/2024/synthetic-story-" PLACEHOLDER);
    for (int i = 0; i < CLAIMS_PER_RESULT; i++) {
        ab_claim_t *claim = ab_result_add_claim (result);
        ab_article_set (&claim->type, PLACEHOLDER);
        ab_article_set (&claim->rule, PLACEHOLDER);
        ab_article_set (&claim->hedge, PLACEHOLDER);
        ab_article_set (&claim->attribution, PLACEHOLDER);
        ab_article_set (&claim->evidence, sentence);
        claim->evidence_start = 200;
        claim->evidence_end = 200 + (uint32_t) strlen (sentence);
        claim->match_start = 210;
        claim->match_end = 230;
        ab_claim_add_key (claim, "unit", PLACEHOLDER);
        ab_claim_add_value (claim, "rank", PLACEHOLDER);
        ab_claim_add_actor (claim, PLACEHOLDER);
        ab_claim_add_actor (claim, PLACEHOLDER);
    }
    return result;
}

//  Result number n: claims on keys key_base .. key_base + 9 modulo keys
static void
s_result_fill (ab_result_t *result, uint64_t n, uint64_t keys, uint64_t *random)
{
    static const char *hedges [] = { "asserted", "reported", "expected", "considered" };
    static const char *types [] = { "commander_rank", "force_posture", "defense_spending",
                                    "capability", "exercise", "summit_meeting" };
    static const char *actors [] = { "US", "JP", "KR", "PH", "AU", "USFJ", "JSDF", "INDOPACOM" };
    SET (result->article_id, "%016" PRIx64, s_next (random));
    SET (result->source, "Outlet %d", (int) (n % 40));
    SET (result->published, "2024-%02d-%02d", (int) (1 + n % 12), (int) (1 + n % 28));
    SET (strstr (result->url, "story-") + 6, "%" PRIu64, n);
    result->received_ms = 1700000000000 + (int64_t) n;
    result->fingerprint = s_next (random);
    for (int i = 0; i < CLAIMS_PER_RESULT; i++) {
        ab_claim_t *claim = &result->claims [i];
        uint64_t key = (n * CLAIMS_PER_RESULT + (uint64_t) i) % keys;
        SET (claim->type, "%s", types [key % 6]);
        SET (claim->rule, "rule.%d", (int) (key % 50));
        SET (claim->hedge, "%s", hedges [n % 4]);
        SET (claim->attribution, "%s", n % 3? "": "Official spokesperson");
        SET (claim->keys [0].value, "U%" PRIu64, key);
        //  In the hot run keys repeat; give them two competing values
        SET (claim->values [0].value, "%d", (int) (3 + (n / 7) % 2));
        SET (claim->actors [0], "%s", actors [key % 8]);
        SET (claim->actors [1], "%s", actors [(key + 3) % 8]);
    }
}

static void
s_on_change (void *arg, const char *op, const char *topic, const char *key, json_t *item)
{
    (*(size_t *) arg)++;
}

static int
s_run_size (uint64_t claims)
{
    uint64_t results = claims / CLAIMS_PER_RESULT;
    uint64_t random = 42;
    ab_result_t *result = s_result_new ();
    //  Replay: no callback; memory measured around it
    ab_briefing_t *briefing = ab_briefing_new ();
    long before = s_resident_bytes ();
    double elapsed = 0;
    for (uint64_t n = 0; n < results; n++) {
        s_result_fill (result, n, claims, &random);
        double start = s_now ();
        if (ab_briefing_merge (briefing, result, NULL, NULL, NULL) < 0) {
            fprintf (stderr, "bench_merge: merge failed\n");
            return 1;
        }
        elapsed += s_now () - start;
    }
    long after = s_resident_bytes ();
    size_t items = ab_briefing_item_count (briefing);
    ab_briefing_destroy (&briefing);

    //  Live: a callback, so each changed item's JSON is built
    random = 42;
    briefing = ab_briefing_new ();
    size_t changes = 0;
    double live = 0;
    for (uint64_t n = 0; n < results; n++) {
        s_result_fill (result, n, claims, &random);
        double start = s_now ();
        ab_briefing_merge (briefing, result, s_on_change, &changes, NULL);
        live += s_now () - start;
    }
    ab_briefing_destroy (&briefing);
    ab_result_destroy (&result);
    printf ("%10" PRIu64 " %10zu %12.0f %12.0f %12.0f %12.0f %10.0f\n",
            claims, items, results / elapsed, claims / elapsed,
            results / live, claims / live, (double) (after - before) / (double) claims);
    char name [64];
    snprintf (name, sizeof name, "merge_%" PRIu64 "_replay_cps", claims);
    bench_figure (name, claims / elapsed);
    snprintf (name, sizeof name, "merge_%" PRIu64 "_live_cps", claims);
    bench_figure (name, claims / live);
    snprintf (name, sizeof name, "merge_%" PRIu64 "_rss_per_claim", claims);
    bench_figure (name, (double) (after - before) / (double) claims);
    return 0;
}

static int
s_run_hot (void)
{
    const uint64_t results = getenv ("BENCH_HOT")? strtoull (getenv ("BENCH_HOT"), NULL, 10): 50000;
    const uint64_t keys = 1000;
    uint64_t random = 7;
    ab_result_t *result = s_result_new ();
    ab_briefing_t *briefing = ab_briefing_new ();
    size_t changes = 0;
    double quarter [4] = { 0 };
    ab_briefing_change_fn *callback = getenv ("BENCH_HOT_REPLAY")? NULL: s_on_change;
    for (uint64_t n = 0; n < results; n++) {
        s_result_fill (result, n, keys, &random);
        double start = s_now ();
        ab_briefing_merge (briefing, result, callback, &changes, NULL);
        quarter [n * 4 / results] += s_now () - start;
    }
    json_t *item = ab_briefing_item_json (briefing, "force_posture{unit=U1}");
    long long support = json_integer_value (json_object_get (item, "support"));
    json_decref (item);
    printf ("hot: %" PRIu64 " results over %" PRIu64 " keys (support per item ~%lld): "
            "results/s first quarter %.0f, last quarter %.0f\n",
            results, keys, support, results / 4 / quarter [0], results / 4 / quarter [3]);
    ab_briefing_destroy (&briefing);
    ab_result_destroy (&result);
    return 0;
}

static int
s_in_child (int (*run) (uint64_t), uint64_t arg)
{
    fflush (stdout);
    pid_t pid = fork ();
    if (pid < 0)
        return run (arg);
    if (pid == 0)
        exit (run (arg));
    int status = 0;
    waitpid (pid, &status, 0);
    return WIFEXITED (status)? WEXITSTATUS (status): 1;
}

static int
s_hot_adapter (uint64_t unused)
{
    return s_run_hot ();
}

int
main (int argc, char **argv)
{
    uint64_t defaults [] = { 10000, 100000, 1000000 };
    printf ("bench_merge: %d claims per result, one supporting article per claim\n",
            CLAIMS_PER_RESULT);
    printf ("%10s %10s %12s %12s %12s %12s %10s\n", "claims", "items", "replay r/s",
            "replay c/s", "live r/s", "live c/s", "RSS B/claim");
    int rc = 0;
    if (argc > 1)
        for (int i = 1; i < argc; i++)
            rc |= s_in_child (s_run_size, strtoull (argv [i], NULL, 10));
    else
        for (size_t i = 0; i < sizeof defaults / sizeof defaults [0]; i++)
            rc |= s_in_child (s_run_size, defaults [i]);
    rc |= s_in_child (s_hot_adapter, 0);
    return rc;
}
