/*  =========================================================================
    ab_swar - byte classes of eight bytes at once, in one 64-bit word

    The extractor cuts every sentence into words; finding a word's end one
    byte at a time mispredicts a branch per word.  These helpers classify
    or fold the eight bytes of a little-endian load without branches.
    The same change to the normalizer's word hashing ran fewer instructions
    but measured slower, probably because its 8-byte loads read text that
    was just written a byte at a time (a store-forwarding stall); the
    extractor reads its own memcpy'd copy of the text.  Each range test adds to the low seven bits of every
    byte, so no carry crosses into the next byte.  Header only: the
    functions are small enough that a call would cost more than they do.
    =========================================================================
*/
#ifndef AB_SWAR_H_INCLUDED
#define AB_SWAR_H_INCLUDED

#include <stdint.h>

#define AB_SWAR_ONES  0x0101010101010101ull
#define AB_SWAR_HIGHS 0x8080808080808080ull

//  0x80 in each byte of x that is an ASCII letter or digit, 0 in the
//  others (bytes from 0x80 up included).
static inline uint64_t
ab_swar_alnum (uint64_t x)
{
    uint64_t ascii = ~x & AB_SWAR_HIGHS;
    uint64_t low = x & (0x7F * AB_SWAR_ONES);
    uint64_t folded = low | (0x20 * AB_SWAR_ONES);     //  letters to lowercase
    uint64_t letter = (folded + (0x80 - 'a') * AB_SWAR_ONES)
                    & ~(folded + (0x80 - 'z' - 1) * AB_SWAR_ONES);
    uint64_t digit = (low + (0x80 - '0') * AB_SWAR_ONES)
                   & ~(low + (0x80 - '9' - 1) * AB_SWAR_ONES);
    return (letter | digit) & ascii;
}

//  x with its ASCII capitals lowercased; every other byte kept.
static inline uint64_t
ab_swar_lower (uint64_t x)
{
    uint64_t seven = x & (0x7F * AB_SWAR_ONES);
    uint64_t above_z = seven + (0x7F - 'Z') * AB_SWAR_ONES;    //  high bit: byte > 'Z'
    uint64_t from_a = seven + (0x80 - 'A') * AB_SWAR_ONES;     //  high bit: byte >= 'A'
    uint64_t upper = from_a & ~above_z & ~x & AB_SWAR_HIGHS;
    return x | (upper >> 2);
}

//  Bytes before the first byte of x whose 0x80 bit is clear in mask:
//  0 to 8.
static inline unsigned
ab_swar_run (uint64_t mask)
{
    uint64_t stops = ~mask & AB_SWAR_HIGHS;
    return stops ? (unsigned) __builtin_ctzll (stops) / 8 : 8;
}

#endif
