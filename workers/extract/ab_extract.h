/*  =========================================================================
    ab_extract - normalized sentences in, typed alliance claims out

    The worker's second stage.  An ab_extractor_t holds the compiled rules
    (claim patterns, entity gazetteer, hedge and attribution cues) loaded
    from data files; it is read-only after construction.
    =========================================================================
*/
#ifndef AB_EXTRACT_H_INCLUDED
#define AB_EXTRACT_H_INCLUDED

#include "ab_msg.h"
#include "ab_normalize.h"

typedef struct ab_extractor_t ab_extractor_t;

//  Load and compile the extractor's rule files in rules_dir (entities.tsv,
//  claims.rules, hedges.tsv, attributions.tsv).  Returns NULL with a
//  "file:line: reason" message in errbuf on the first invalid rule.
ab_extractor_t *ab_extractor_new (const char *rules_dir, char *errbuf, size_t errlen);
void ab_extractor_destroy (ab_extractor_t **self_p);

//  Append the claims found in doc to result (ab_result_add_claim).
//  published ("YYYY-MM-DD..." or "") anchors relative dates.  Returns the
//  number of claims appended, or -1 on no memory.
int ab_extract (const ab_extractor_t *self, const ab_doc_t *doc,
                const char *published, ab_result_t *result);

#endif
