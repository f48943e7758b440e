/*  =========================================================================
    gen_confusables - generate workers/rules/confusables.tsv from ICU

    Walks the Cyrillic, Greek, Armenian, Cherokee and a few other letter
    blocks and asks ICU's spoof checker (UTS #39 confusables data) for each
    letter's skeleton.  A letter whose skeleton is the skeleton of exactly
    one ASCII Latin letter of the same case class is written out as
    "code point, ASCII letter, script".  The product never links ICU: it
    reads the generated table.

    Build and run (from the repo root):
        cc -std=c11 -O2 -o /tmp/gen_confusables tools/gen-confusables/gen_confusables.c \
           $(pkg-config --cflags --libs icu-uc icu-i18n)
        /tmp/gen_confusables > workers/rules/confusables.tsv
    or simply: sh tools/gen-confusables/run.sh
    =========================================================================
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>
#include <unicode/uversion.h>

//  Blocks whose letters are commonly swapped into Latin text.  Fullwidth
//  Latin is left out on purpose: NFKC already folds it to ASCII.
static const struct { UChar32 first, last; } s_blocks [] = {
    { 0x0370, 0x03FF },     //  Greek and Coptic
    { 0x0400, 0x04FF },     //  Cyrillic
    { 0x0500, 0x052F },     //  Cyrillic Supplement
    { 0x0530, 0x058F },     //  Armenian
    { 0x13A0, 0x13FF },     //  Cherokee
    { 0x1C80, 0x1C8F },     //  Cyrillic Extended-C
    { 0x1F00, 0x1FFF },     //  Greek Extended
    { 0x2DE0, 0x2DFF },     //  Cyrillic Extended-A
    { 0xA640, 0xA69F },     //  Cyrillic Extended-B
    { 0xAB70, 0xABBF },     //  Cherokee Supplement
};

//  Skeleton of one code point as UTF-8; returns 0 on success.
static int
s_skeleton (USpoofChecker *sc, UChar32 cp, char *out, size_t outlen)
{
    UChar in [4], sk [64];
    int32_t inlen = 0;
    U16_APPEND_UNSAFE (in, inlen, cp);
    UErrorCode err = U_ZERO_ERROR;
    int32_t sklen = uspoof_getSkeleton (sc, 0, in, inlen, sk, 64, &err);
    if (U_FAILURE (err))
        return -1;
    int32_t n8 = 0;
    u_strToUTF8 (out, (int32_t) outlen, &n8, sk, sklen, &err);
    return U_FAILURE (err)? -1: 0;
}

int
main (void)
{
    UErrorCode err = U_ZERO_ERROR;
    USpoofChecker *sc = uspoof_open (&err);
    if (U_FAILURE (err)) {
        fprintf (stderr, "gen_confusables: uspoof_open: %s\n", u_errorName (err));
        return 1;
    }
    //  Skeletons of the 52 ASCII letters; several share one ("I" and "l"
    //  both map to "l"), so the source letter's case decides between them.
    char latin_sk [128][64];
    for (int c = 'A'; c <= 'z'; c++) {
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            continue;
        if (s_skeleton (sc, c, latin_sk [c], sizeof latin_sk [c])) {
            fprintf (stderr, "gen_confusables: skeleton of %c failed\n", c);
            return 1;
        }
    }
    UVersionInfo uv, iv;
    char uvs [U_MAX_VERSION_STRING_LENGTH], ivs [U_MAX_VERSION_STRING_LENGTH];
    u_getUnicodeVersion (uv);
    u_versionToString (uv, uvs);
    u_getVersion (iv);
    u_versionToString (iv, ivs);

    printf ("# confusables.tsv - non-Latin letters that look like one ASCII letter\n");
    printf ("# GENERATED, do not edit: UTS #39 confusables via ICU %s uspoof_getSkeleton,\n", ivs);
    printf ("# Unicode %s data.  Regenerate from the repo root with:\n", uvs);
    printf ("#   sh tools/gen-confusables/run.sh\n");
    printf ("# Format (tab separated): code point (hex), ASCII letter, script.\n");
    printf ("# A letter is kept when its skeleton equals the skeleton of an ASCII\n");
    printf ("# letter; ties (I/l) go to the letter of the same case.\n");
    int count = 0;
    for (size_t b = 0; b < sizeof s_blocks / sizeof s_blocks [0]; b++) {
        for (UChar32 cp = s_blocks [b].first; cp <= s_blocks [b].last; cp++) {
            if (!u_isalpha (cp))
                continue;
            char sk [64];
            if (s_skeleton (sc, cp, sk, sizeof sk))
                continue;
            int upper = u_isupper (cp);
            int lower = u_islower (cp);
            int pick = 0;
            for (int c = 'A'; c <= 'z' && !pick; c++) {
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
                    continue;
                if (strcmp (sk, latin_sk [c]))
                    continue;
                int c_upper = c <= 'Z';
                //  Same case class wins; an uncased letter takes the first
                if ((upper && c_upper) || (lower && !c_upper) || (!upper && !lower))
                    pick = c;
            }
            if (!pick) {
                //  Only a letter of the other case shares the skeleton
                //  (e.g. Cyrillic small "ve" looks like a small-cap B):
                //  not a convincing swap in running text, so skip it.
                continue;
            }
            UErrorCode serr = U_ZERO_ERROR;
            UScriptCode script = uscript_getScript (cp, &serr);
            printf ("%04X\t%c\t%s\n", (unsigned) cp, pick,
                    U_FAILURE (serr)? "Unknown": uscript_getName (script));
            count++;
        }
    }
    fprintf (stderr, "gen_confusables: %d letters\n", count);
    uspoof_close (sc);
    return 0;
}
