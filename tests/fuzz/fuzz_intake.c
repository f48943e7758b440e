/*  =========================================================================
    fuzz_intake - libFuzzer harness for the article parser (ab_intake)

    The first input byte picks the path a source would take: a text file
    with an optional header (even), or one JSON line (odd); bit 1 also
    applies a manifest entry parsed from the input's last line, as the
    directory source does.  Every accepted article must then satisfy what
    the producer relies on: a 16-hex-digit id, a normalized date, a body
    within the limit, and an ARTICLE message that encodes and decodes back
    to the same fields.  A refusal must name a known reason.  Any violation
    aborts, so the fuzzer keeps the input.

    Built and run by tests/fuzz/run.sh against build/fuzz/libab.a.
    =========================================================================
*/
#include <czmq.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ab_intake.h"

//  Small enough that the fuzzer reaches "too_large" with short inputs
#define FUZZ_MAX_BODY 4096

static const char *s_reasons [] = {
    "empty", "too_large", "binary", "bad_utf8", "bad_header", "bad_json", "bad_date", "bad_id",
    "no_memory", NULL
};

static void
s_check (int cond, const char *what)
{
    if (!cond) {
        fprintf (stderr, "fuzz_intake: contract broken: %s\n", what);
        abort ();
    }
}

static bool
s_is_id (const char *id)
{
    if (!id || strlen (id) != 16)
        return false;
    for (const char *p = id; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

//  "", "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" (what ab_article_new documents)
static bool
s_is_date (const char *date)
{
    size_t length = date? strlen (date): 0;
    if (!date || (length != 0 && length != 10 && length != 20))
        return false;
    for (size_t i = 0; i < length; i++) {
        const char *shape = "dddd-dd-ddTdd:dd:ddZ";
        bool digit = date [i] >= '0' && date [i] <= '9';
        if (shape [i] == 'd'? !digit: date [i] != shape [i])
            return false;
    }
    return true;
}

static void
s_check_roundtrip (const ab_article_t *article)
{
    zmsg_t *msg = ab_article_encode (article);
    s_check (msg != NULL, "accepted article does not encode");
    ab_proto_error_t error;
    ab_article_t *copy = ab_article_decode (msg, &error);
    s_check (copy != NULL, "accepted article does not decode");
    s_check (streq (copy->id, article->id), "id changed on the wire");
    s_check (streq (copy->source, article->source), "source changed on the wire");
    s_check (streq (copy->published, article->published), "published changed on the wire");
    s_check (copy->body_size == article->body_size
             && memcmp (copy->body, article->body, article->body_size) == 0, "body changed on the wire");
    ab_article_destroy (&copy);
    zmsg_destroy (&msg);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t mode = data [0];
    const char *input = (const char *) data + 1;
    size_t input_size = size - 1;
    ab_article_t *article = ab_article_new ();
    s_check (article != NULL, "no article");
    ab_intake_error_t error = { NULL, "" };
    int rc = (mode & 1)? ab_intake_parse_json (input, input_size, article, &error)
                       : ab_intake_parse_text (input, input_size, article, &error);
    if (rc == 0 && (mode & 2)) {
        const char *last_line = memrchr (input, '\n', input_size);
        last_line = last_line? last_line + 1: input;
        json_t *entry = json_loadb (last_line, input_size - (size_t) (last_line - input), 0, NULL);
        if (json_is_object (entry))
            ab_intake_apply_manifest (article, entry);
        json_decref (entry);
    }
    if (rc == 0)
        rc = ab_intake_finish (article, FUZZ_MAX_BODY, &error);
    if (rc == 0) {
        s_check (s_is_id (article->id), "accepted article without a 16-hex-digit id");
        s_check (s_is_date (article->published), "accepted article with an unnormalized date");
        //  Bytes, not a C string: a few NULs are the normalizer's to strip
        s_check (article->body && article->body_size > 0, "accepted article with an empty body");
        s_check (article->body_size <= FUZZ_MAX_BODY, "accepted body over the limit");
        s_check_roundtrip (article);
    }
    else {
        s_check (error.reason != NULL, "refusal without a reason");
        bool known = false;
        for (const char **reason = s_reasons; *reason; reason++)
            known = known || streq (*reason, error.reason);
        s_check (known, "refusal with an unknown reason");
        s_check (memchr (error.message, 0, sizeof error.message) != NULL, "message not terminated");
    }
    ab_article_destroy (&article);
    return 0;
}
