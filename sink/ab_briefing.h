/*  =========================================================================
    ab_briefing - the sink's consolidated state: claims merged into items

    Every RESULT a worker sends is merged here.  A claim's KEY is its type
    plus its key slots, canonical (slots sorted by name, then value):

        commander_rank{status=planned,unit=USFJ}

    and its VALUE is its value slots, canonical in the same way: "rank=4".
    A claim without key slots has the bare type as key; one without value
    slots has the empty value.  In both strings the characters \ , = { }
    inside names and values are escaped with a backslash.

    One ITEM per key.  An item holds one SIDE per distinct value: the same
    value from another article corroborates a side, a different value opens
    a CONFLICT.  Values that differ only in dates of which one refines the
    other ("2024-03" and "2024-03-07") are the same value: the side keeps
    the finest.  Exactly one side of every item is NEWEST: the one whose
    latest supporting article is latest (published date, or arrival time
    received_ms where an article has no parseable date); ties go to the side
    with the latest arrival, then to the smaller value string.

    Support counts INDEPENDENT articles.  An article id already merged
    changes nothing (merge reports it as a duplicate, so the sink can ack
    it again).  An article whose fingerprint is within AB_BRIEFING_NEAR_BITS
    bits (Hamming) of an earlier representative article is a COPY of it:
    the cluster counts once and copies are listed beside the article that
    brought the claim.  The first-seen article of a cluster is its
    representative, so which article of a cluster is listed first depends
    on arrival order; everything else in the briefing does not.
    Fingerprint 0 means "unknown" and never matches.

    Merging is incremental: hash tables for items, articles and interned
    strings, a 4 x 16-bit band index for near-duplicates (pigeonhole: two
    fingerprints within 3 bits agree exactly on at least one of four
    16-bit bands), so the cost of one RESULT depends on the result and the
    items it touches, not on the size of the briefing.  Per item, evidence
    is capped (AB_BRIEFING_MAX_EVIDENCE per side), as are the distinct
    actors and attributions kept; support is always counted in full.

    The JSON shapes (items, summary, the briefing.json document) are
    specified field by field in sink/BRIEFING-SCHEMA.md.

    Not thread-safe: one briefing belongs to one thread (the sink's loop).
    =========================================================================
*/
#ifndef AB_BRIEFING_H_INCLUDED
#define AB_BRIEFING_H_INCLUDED

#include "ab_msg.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define AB_BRIEFING_SCHEMA          "allybrief.briefing/1"
#define AB_BRIEFING_NEAR_BITS       3       //  near-duplicate threshold
#define AB_BRIEFING_MAX_EVIDENCE    8       //  evidence sentences per side
#define AB_BRIEFING_MAX_LISTED      16      //  articles listed per side in JSON
#define AB_BRIEFING_MAX_ACTORS      32      //  distinct actors kept per item
#define AB_BRIEFING_MAX_ATTRIBUTIONS 16     //  distinct attributions per item
#define AB_BRIEFING_MAX_SENTENCE    1024    //  bytes of evidence text kept

//  Change operations passed to the change callback, one per changed item
//  per merge.  When several apply, the first in this list is reported.
#define AB_OP_ITEM_ADDED        "item_added"        //  new key
#define AB_OP_CONFLICT_OPENED   "conflict_opened"   //  a 1-side item got a 2nd value
#define AB_OP_VALUE_SUPERSEDED  "value_superseded"  //  conflict: newest side changed
#define AB_OP_SUPPORT_CHANGED   "support_changed"   //  anything else (support,
                                                    //  copies, actors, ...)

typedef struct ab_briefing_t ab_briefing_t;

//  Create an empty briefing.  Returns NULL on no memory.
ab_briefing_t *ab_briefing_new (void);

//  Destroy a briefing and everything it holds; accepts NULL (or a NULL
//  *self_p) and sets *self_p to NULL.
void ab_briefing_destroy (ab_briefing_t **self_p);

//  Load human labels for topics from a tab-separated file (format in
//  sink/BRIEFING-SCHEMA.md and sink/topics.tsv):
//      type <TAB> title [<TAB> subject format [<TAB> value format]]
//  Formats use {slot} placeholders, "-" or empty for none, alternatives
//  separated by '|' (the first whose slots are all present).  Replaces any
//  labels loaded before; items already merged are labelled by the new
//  table from then on (labels are applied when JSON is built).  Loading
//  is optional: without a table, labels fall back to the type name and
//  the canonical key/value strings.  Returns 0, or -1 with a
//  "path:line: reason" message in errbuf (the old table is kept).
int ab_briefing_load_topics (ab_briefing_t *self, const char *path,
                             char *errbuf, size_t errlen);

//  Called once per changed item, after the whole result has been applied
//  (so the summary and other items are already up to date), in the order
//  the items were first touched by the result's claims.  op is one of the
//  AB_OP_ strings, topic the claim type, key the item key; item is the
//  item's JSON after the change, BORROWED: valid only during the call,
//  json_incref it to keep it.  The callback may read the briefing (e.g.
//  ab_briefing_summary_json) but must not merge into it.
typedef void (ab_briefing_change_fn) (void *arg, const char *op,
                                      const char *topic, const char *key,
                                      json_t *item);

//  Merge one RESULT.  Never takes ownership of result.  change may be NULL
//  (replaying a log at start-up); item JSON is then not built at all.
//  Returns the number of changed items (0 if nothing changed), or -1 on
//  no memory or a result without an article id.  *duplicate (if not NULL)
//  is set true when this article id was merged before: nothing changes,
//  0 is returned, and the sink should ack it again.  Claims with an empty
//  type, a type containing '{', or an empty slot name are skipped and
//  counted in the summary's "rejected_claims".  After -1 on no memory the
//  briefing may hold part of the result; it is still safe to read and
//  destroy, but the sink should treat it as fatal.
int ab_briefing_merge (ab_briefing_t *self, const ab_result_t *result,
                       ab_briefing_change_fn *change, void *arg,
                       bool *duplicate);

//  The JSON of the item with this key, or NULL if there is none.
//  Caller owns the returned reference (json_decref).
json_t *ab_briefing_item_json (ab_briefing_t *self, const char *key);

//  Array of the items whose topic (claim type) starts with topic_prefix
//  ("" or NULL for all), sorted: conflicts first, then by topic, then by
//  key.  This is what a SNAPSHOT reply carries.  Caller owns it; NULL on
//  no memory.
json_t *ab_briefing_items_json (ab_briefing_t *self, const char *topic_prefix);

//  The briefing header: {"articles", "independent_articles", "copies",
//  "sources", "items", "conflicts", "claims", "rejected_claims",
//  "last_update_ms"}.  Cheap (counters only).  Caller owns it.
json_t *ab_briefing_summary_json (ab_briefing_t *self);

//  The whole briefing.json document:
//  {"schema", "summary", "conflicts": [keys], "items": [...]}.
//  Deterministic: the same set of results gives the same document in
//  whatever order they were merged (near-duplicate clusters aside, see
//  above).  Caller owns it; NULL on no memory.
json_t *ab_briefing_to_json (ab_briefing_t *self);

//  Number of items (distinct keys), of merged article ids, of conflicts.
size_t ab_briefing_item_count (ab_briefing_t *self);
size_t ab_briefing_article_count (ab_briefing_t *self);
size_t ab_briefing_conflict_count (ab_briefing_t *self);

//  True if an article with this id has been merged.
bool ab_briefing_has_article (ab_briefing_t *self, const char *id);

//  Canonical key / value string of a claim, as described above.  Caller
//  owns the returned string (free).  NULL on no memory or a claim the
//  merge would reject.
char *ab_briefing_claim_key (const ab_claim_t *claim);
char *ab_briefing_claim_value (const ab_claim_t *claim);

#endif
