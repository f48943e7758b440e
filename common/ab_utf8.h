/*  =========================================================================
    ab_utf8 - cutting UTF-8 text only between characters

    Fixed-size fields truncate text, and the extractor's patterns match
    bytes (workers/rules/README-extract.md), so a cut may fall inside a
    multi-byte character; jansson and msgpack readers then reject the
    string.  These helpers move a cut to the nearest character boundary.
    They assume well-formed UTF-8, as the normalizer writes: a boundary is
    any byte that is not a continuation byte (10xxxxxx).  Header only.
    =========================================================================
*/
#ifndef AB_UTF8_H_INCLUDED
#define AB_UTF8_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

static inline bool
ab_utf8_continues (char byte)
{
    return ((unsigned char) byte & 0xC0) == 0x80;
}

//  The largest n <= len such that text [0, n) ends on a character
//  boundary.  text [len] must be readable (the terminator will do).
static inline size_t
ab_utf8_floor (const char *text, size_t len)
{
    while (len > 0 && ab_utf8_continues (text [len]))
        len--;
    return len;
}

//  The first character boundary at or after pos, at most end
static inline size_t
ab_utf8_ceil (const char *text, size_t pos, size_t end)
{
    while (pos < end && ab_utf8_continues (text [pos]))
        pos++;
    return pos;
}

#endif
