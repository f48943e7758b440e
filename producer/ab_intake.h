/*  =========================================================================
    ab_intake - turn what a source delivers into a checked ab_article_t

    Every input path (directory file, JSON line, feed item) ends here, so
    that one set of rules decides what an article is, what its id is and
    why a bad one is refused.  A refusal carries a short machine reason
    ("empty", "too_large", "binary", "bad_utf8", "bad_header", "bad_json")
    and a human message; the caller dead-letters it.
    =========================================================================
*/
#ifndef AB_INTAKE_H_INCLUDED
#define AB_INTAKE_H_INCLUDED

#include "ab_msg.h"

typedef struct {
    const char *reason;     //  static machine reason, see above
    char message [256];     //  human explanation
} ab_intake_error_t;

//  Parse a text file: an optional header block of "Key: value" lines
//  (Title, Source, URL, Published, Author, Id) ended by a blank line, then
//  the body.  Without a header block the whole file is body.  Fields
//  already set in article (e.g. from a manifest) are kept unless the header
//  gives them.  Returns 0, or -1 with error filled.
int ab_intake_parse_text (const char *data, size_t size, ab_article_t *article,
                          ab_intake_error_t *error);

//  Parse one JSON line {"id","source","url","title","published","body"};
//  body is required, the rest optional.  Returns 0 or -1 with error.
int ab_intake_parse_json (const char *line, size_t size, ab_article_t *article,
                          ab_intake_error_t *error);

//  Apply metadata from a manifest entry (JSON object with published,
//  source, url, title) to fields the article does not have yet.
void ab_intake_apply_manifest (ab_article_t *article, json_t *entry);

//  Check the body (empty, over max_body, binary, UTF-8 beyond repair),
//  normalize the published date and assign the stable id when none was
//  given: the first 16 hex digits of SHA-1 over source, NUL, body.
//  Returns 0 or -1 with error.
int ab_intake_finish (ab_article_t *article, size_t max_body, ab_intake_error_t *error);

//  Compute the stable id of (source, body) into out (17 bytes).
void ab_intake_make_id (const char *source, const char *body, size_t size, char *out);

#endif
