/*  =========================================================================
    ab_render - the briefing for people: Markdown and one-line summaries

    Renders from the briefing JSON only (sink/BRIEFING-SCHEMA.md), never
    from the sink's memory, so that a subscriber holding a snapshot plus
    deltas prints exactly what the sink writes to briefing.md.  Missing
    optional fields are tolerated (labels fall back to keys and canonical
    values); hedged claims are always worded as such, never as fact.
    =========================================================================
*/
#ifndef AB_RENDER_H_INCLUDED
#define AB_RENDER_H_INCLUDED

#include <jansson.h>

//  Render a whole briefing document ({"schema", "summary", "items", ...})
//  as Markdown: a header (articles, sources, items, conflicts, last
//  update), a Conflicts section, then the other items grouped by topic.
//  An item about the same subject as others (every key slot of one among
//  the other's, at least two) ends with a "Related:" line naming them.
//  An empty or item-less document renders a header and a "no items" line.
//  Returns a NUL-terminated string the caller owns (free), or NULL on no
//  memory or if briefing is not a JSON object.
char *ab_render_markdown (json_t *briefing);

//  Render one item (an element of "items", or a DELTA's item) as a single
//  line for a terminal, without a trailing newline, e.g.
//      CONFLICT commander_rank{unit=USFJ}: rank=4 (3 articles, reported)
//          vs rank=3 (1 article, newest)
//      force_posture{actor=US}: count=54000 (2 articles)
//  (the first is one line).  Returns a string the caller owns (free), or
//  NULL on no memory or if item is not a JSON object.
char *ab_render_item_line (json_t *item);

//  Words for a hedge in prose: "asserted" -> "stated", "reported" ->
//  "reported, unconfirmed", ...  Unknown hedges give "unverified".
//  Returns a static string.
const char *ab_render_hedge_words (const char *hedge);

#endif
