/*  =========================================================================
    ab_xvalue - value normalizers for claim slots (private to extract)

    Claims from different outlets merge only if their slot values are
    spelled identically, so every number, rank, distance, sum of money and
    date that a rule captures goes through one of these functions and comes
    out in one canonical form: "54,000", "about 54000" -> "54000";
    "four-star" -> "4"; "2 percent" -> "2"; "620 miles" -> "998";
    "$12 million" -> "12000000" + "USD"; "April 10" -> "2024-04-10".

    All functions are pure: they read (text, size) and write a
    NUL-terminated result into a caller buffer.  They return 0, or -1 when
    the text holds nothing they understand (the rule then does not fire).
    =========================================================================
*/
#ifndef AB_XVALUE_H_INCLUDED
#define AB_XVALUE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

//  A calendar date at year, month or day precision (month/day 0 when
//  unknown).  year 0 means "no date".
typedef struct {
    int year;
    int month;
    int day;
} ab_xdate_t;

//  Parse the first number in text: digits with thousands separators and
//  decimals ("54,000", "1.5"), number words ("two", "fifty-four"), and a
//  scale word after it ("million", "bn", "thousand").  Sets *value and, if
//  end_p is not NULL, the byte offset just past the number.  Returns 0 or -1.
int ab_xvalue_number (const char *text, size_t size, double *value, size_t *end_p);

//  Format a number canonically: integers without decimals ("54000"),
//  others with up to 6 significant digits and no trailing zeros ("1.5").
void ab_xvalue_format_number (double value, char *out, size_t outlen);

//  "four-star", "4-star", "three star" -> "4", "3".
int ab_xvalue_rank (const char *text, size_t size, char *out, size_t outlen);

//  A count of things: "54,000", "about 54000", "some 1.5 million",
//  "forty-one" -> integer; a text that is only a roman numeral of I, V, X
//  ("II" in "Pillar II") counts too.
int ab_xvalue_count (const char *text, size_t size, char *out, size_t outlen);

//  A percentage: "2%", "2 percent", "two per cent", "2.0 %" -> "2".
int ab_xvalue_percent (const char *text, size_t size, char *out, size_t outlen);

//  A distance in kilometres: "1,000 km", "1,000 kilometers (620 miles)" ->
//  "1000"; miles are converted (and rounded) only when no kilometre figure
//  is present: "62 miles" -> "100".
int ab_xvalue_km (const char *text, size_t size, char *out, size_t outlen);

//  Money: "$12 million" -> amount "12000000", currency "USD"; knows $, US$,
//  A$, ¥, €, £ and the words dollars, yen, euros, pounds, won, pesos.
int ab_xvalue_money (const char *text, size_t size, char *amount, size_t amountlen,
                     char *currency, size_t currencylen);

//  A four-digit year between 1800 and 2199: "in 1960" -> "1960".
int ab_xvalue_year (const char *text, size_t size, char *out, size_t outlen);

//  Parse "YYYY-MM-DD..." (the published date); returns 0 or -1.
int ab_xdate_parse_iso (const char *text, ab_xdate_t *date);

//  Resolve a date expression against the published date (may be NULL or
//  have year 0 when unknown) and an anchor (the last day-precision date
//  the article mentioned, for "the next day"; may be NULL).  future says
//  whether the sentence speaks of the future, which decides whether a bare
//  weekday means the coming or the past one.  Understands "April 10",
//  "10 April 2024", "April 10, 2024", "March 2025", "the end of March
//  2025", "2025", "next month", "this year", "last year", "Monday", "next
//  Monday", "today", "tomorrow", "yesterday", "the next day".  Returns 0
//  with *date set, or -1 when the expression needs a published date that
//  is not known, or does not parse.
int ab_xvalue_date (const char *text, size_t size, const ab_xdate_t *published,
                    const ab_xdate_t *anchor, bool future, ab_xdate_t *date);

//  Format a date as "YYYY-MM-DD", "YYYY-MM" or "YYYY" by its precision.
void ab_xdate_format (const ab_xdate_t *date, char *out, size_t outlen);

//  Days since 1970-01-01 of a day-precision date, and back.
long ab_xdate_days (int year, int month, int day);
void ab_xdate_from_days (long days, ab_xdate_t *date);

//  Fold a captured phrase into a slot word: lowercase ASCII letters and
//  digits, every other run of bytes one '_' ("Joint Force  HQ" ->
//  "joint_force_hq").  Returns 0, or -1 if nothing is left.
int ab_xvalue_word (const char *text, size_t size, char *out, size_t outlen);

#endif
