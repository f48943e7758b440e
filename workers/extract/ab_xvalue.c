/*  =========================================================================
    ab_xvalue - value normalizers for claim slots (private to extract)

    Hand-written scanners rather than regexes: they run only on the few
    bytes a rule captured, and each one has to accept the many ways news
    copy spells the same quantity ("54,000", "about 54000", "fifty-four
    thousand") while rejecting anything it does not understand, so that a
    rule with an unparseable value stays silent instead of inventing one.
    =========================================================================
*/
#include "ab_xvalue.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
s_is_alpha (int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
s_is_digit (int c)
{
    return c >= '0' && c <= '9';
}

static int
s_lower (int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

//  True if the size bytes at text equal the lowercase word w, ignoring
//  ASCII case.
static bool
s_word_is (const char *text, size_t size, const char *w)
{
    size_t n = strlen (w);
    if (n != size)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s_lower ((unsigned char) text [i]) != w [i])
            return false;
    return true;
}

//  Length of the ASCII letter run at text [pos].
static size_t
s_alpha_run (const char *text, size_t size, size_t pos)
{
    size_t end = pos;
    while (end < size && s_is_alpha ((unsigned char) text [end]))
        end++;
    return end - pos;
}

//  --------------------------------------------------------------------------
//  Numbers

typedef struct {
    const char *word;
    double value;
    int kind;               //  0 unit, 1 hundred, 2 scale (thousand+)
} s_numword_t;

static const s_numword_t s_numwords [] = {
    { "zero", 0, 0 }, { "one", 1, 0 }, { "two", 2, 0 }, { "three", 3, 0 },
    { "four", 4, 0 }, { "five", 5, 0 }, { "six", 6, 0 }, { "seven", 7, 0 },
    { "eight", 8, 0 }, { "nine", 9, 0 }, { "ten", 10, 0 }, { "eleven", 11, 0 },
    { "twelve", 12, 0 }, { "thirteen", 13, 0 }, { "fourteen", 14, 0 },
    { "fifteen", 15, 0 }, { "sixteen", 16, 0 }, { "seventeen", 17, 0 },
    { "eighteen", 18, 0 }, { "nineteen", 19, 0 }, { "twenty", 20, 0 },
    { "thirty", 30, 0 }, { "forty", 40, 0 }, { "fifty", 50, 0 },
    { "sixty", 60, 0 }, { "seventy", 70, 0 }, { "eighty", 80, 0 },
    { "ninety", 90, 0 }, { "dozen", 12, 0 }, { "hundred", 100, 1 },
    { "thousand", 1e3, 2 }, { "million", 1e6, 2 }, { "billion", 1e9, 2 },
    { "trillion", 1e12, 2 }, { NULL, 0, 0 }
};

static const s_numword_t *
s_numword (const char *text, size_t size)
{
    for (const s_numword_t *w = s_numwords; w->word; w++)
        if (s_word_is (text, size, w->word))
            return w;
    return NULL;
}

//  Scale word or abbreviation at pos ("million", "bn", "k"); returns the
//  multiplier and sets *end_p, or returns 0.
static double
s_scale_at (const char *text, size_t size, size_t pos, size_t *end_p)
{
    size_t p = pos;
    while (p < size && text [p] == ' ')
        p++;
    size_t n = s_alpha_run (text, size, p);
    if (n == 0)
        return 0;
    static const struct { const char *w; double v; } scales [] = {
        { "thousand", 1e3 }, { "k", 1e3 }, { "million", 1e6 }, { "mn", 1e6 },
        { "mln", 1e6 }, { "billion", 1e9 }, { "bn", 1e9 }, { "trillion", 1e12 },
        { "tn", 1e12 }, { NULL, 0 }
    };
    for (int i = 0; scales [i].w; i++)
        if (s_word_is (text + p, n, scales [i].w)) {
            //  A bare "k" directly after digits only ("54k"), not "54 k"
            if (n == 1 && p != pos)
                return 0;
            *end_p = p + n;
            return scales [i].v;
        }
    return 0;
}

//  Digits with ',' thousands groups and an optional decimal part.
static int
s_parse_digits (const char *text, size_t size, size_t pos, double *value, size_t *end_p)
{
    double v = 0;
    size_t p = pos;
    while (p < size) {
        if (s_is_digit ((unsigned char) text [p])) {
            v = v * 10 + (text [p] - '0');
            p++;
        }
        else
        if (text [p] == ',' && p + 3 < size
        &&  s_is_digit ((unsigned char) text [p + 1])
        &&  s_is_digit ((unsigned char) text [p + 2])
        &&  s_is_digit ((unsigned char) text [p + 3])
        &&  (p + 4 >= size || !s_is_digit ((unsigned char) text [p + 4])))
            p++;            //  thousands separator: skip it
        else
            break;
    }
    if (p + 1 < size && text [p] == '.' && s_is_digit ((unsigned char) text [p + 1])) {
        double scale = 0.1;
        p++;
        while (p < size && s_is_digit ((unsigned char) text [p])) {
            v += (text [p] - '0') * scale;
            scale /= 10;
            p++;
        }
    }
    *value = v;
    *end_p = p;
    return 0;
}

//  A run of number words: "fifty-four thousand", "two hundred and ten".
static int
s_parse_words (const char *text, size_t size, size_t pos, double *value, size_t *end_p)
{
    double total = 0, current = 0;
    bool any = false;
    size_t p = pos, end = pos;
    while (p < size) {
        size_t n = s_alpha_run (text, size, p);
        if (n == 0)
            break;
        if (any && s_word_is (text + p, n, "and")) {
            //  "and" only continues a number if another number word follows
            size_t q = p + n;
            while (q < size && text [q] == ' ')
                q++;
            size_t m = s_alpha_run (text, size, q);
            if (m == 0 || !s_numword (text + q, m))
                break;
            p = q;
            continue;
        }
        if (!any && (s_word_is (text + p, n, "a") || s_word_is (text + p, n, "an"))) {
            //  "a hundred", "a dozen"
            size_t q = p + n;
            while (q < size && text [q] == ' ')
                q++;
            size_t m = s_alpha_run (text, size, q);
            const s_numword_t *w = m ? s_numword (text + q, m) : NULL;
            if (!w || w->value < 12)
                break;
            current = 1;
            any = true;
            p = q;
            continue;
        }
        const s_numword_t *w = s_numword (text + p, n);
        if (!w)
            break;
        if (w->kind == 0)
            current = (w->value == 12 && current > 0) ? current * 12 : current + w->value;
        else
        if (w->kind == 1)
            current = (current == 0 ? 1 : current) * 100;
        else {
            total += (current == 0 ? 1 : current) * w->value;
            current = 0;
        }
        any = true;
        end = p + n;
        p = end;
        if (p < size && (text [p] == '-' || text [p] == ' '))
            p++;
    }
    if (!any)
        return -1;
    *value = total + current;
    *end_p = end;
    return 0;
}

int
ab_xvalue_number (const char *text, size_t size, double *value, size_t *end_p)
{
    for (size_t pos = 0; pos < size; pos++) {
        unsigned char c = (unsigned char) text [pos];
        bool at_word = pos == 0 || !s_is_alpha ((unsigned char) text [pos - 1]);
        double v;
        size_t end;
        if (s_is_digit (c)) {
            if (pos > 0 && s_is_digit ((unsigned char) text [pos - 1]))
                continue;
            s_parse_digits (text, size, pos, &v, &end);
        }
        else
        if (s_is_alpha (c) && at_word) {
            size_t n = s_alpha_run (text, size, pos);
            if (s_parse_words (text, size, pos, &v, &end) != 0) {
                pos += n - 1;
                continue;
            }
        }
        else
            continue;
        size_t scale_end;
        double scale = s_scale_at (text, size, end, &scale_end);
        if (scale > 0) {
            v *= scale;
            end = scale_end;
        }
        *value = v;
        if (end_p)
            *end_p = end;
        return 0;
    }
    return -1;
}

void
ab_xvalue_format_number (double value, char *out, size_t outlen)
{
    if (fabs (value - nearbyint (value)) < 1e-9 && fabs (value) < 1e15)
        snprintf (out, outlen, "%lld", (long long) nearbyint (value));
    else {
        snprintf (out, outlen, "%.6g", value);
        //  %.6g never leaves trailing zeros after the point, but may give
        //  an exponent for tiny values; those do not occur in news copy.
    }
}

int
ab_xvalue_rank (const char *text, size_t size, char *out, size_t outlen)
{
    //  The rank is the number just before "star"; a bare number works too
    //  (a rule may capture only "four").
    double v;
    size_t end;
    if (ab_xvalue_number (text, size, &v, &end) != 0)
        return -1;
    if (v < 1 || v > 5 || v != floor (v))
        return -1;
    snprintf (out, outlen, "%d", (int) v);
    return 0;
}

//  A roman numeral of I, V and X alone, as in "Pillar II" or "Phase IV"
//  (larger ones do not name phases or pillars); the whole text must be it.
static int
s_parse_roman (const char *text, size_t size, double *value)
{
    int total = 0, previous = 0;
    if (size == 0 || size > 6)
        return -1;
    for (size_t i = size; i-- > 0; ) {
        int digit = text [i] == 'I'? 1: text [i] == 'V'? 5: text [i] == 'X'? 10: 0;
        if (digit == 0)
            return -1;
        total += digit < previous? -digit: digit;
        if (digit > previous)
            previous = digit;
    }
    if (total <= 0)
        return -1;
    *value = total;
    return 0;
}

int
ab_xvalue_count (const char *text, size_t size, char *out, size_t outlen)
{
    double v;
    if ((ab_xvalue_number (text, size, &v, NULL) != 0 && s_parse_roman (text, size, &v) != 0)
    ||  v < 0)
        return -1;
    ab_xvalue_format_number (nearbyint (v), out, outlen);
    return 0;
}

int
ab_xvalue_percent (const char *text, size_t size, char *out, size_t outlen)
{
    size_t pos = 0;
    while (pos < size) {
        double v;
        size_t end;
        if (ab_xvalue_number (text + pos, size - pos, &v, &end) != 0)
            return -1;
        size_t p = pos + end;
        while (p < size && text [p] == ' ')
            p++;
        if (p < size && text [p] == '%') {
            ab_xvalue_format_number (v, out, outlen);
            return 0;
        }
        size_t n = s_alpha_run (text, size, p);
        if (s_word_is (text + p, n, "percent") || s_word_is (text + p, n, "pct")) {
            ab_xvalue_format_number (v, out, outlen);
            return 0;
        }
        if (s_word_is (text + p, n, "per")) {
            size_t q = p + n;
            while (q < size && text [q] == ' ')
                q++;
            if (s_word_is (text + q, s_alpha_run (text, size, q), "cent")) {
                ab_xvalue_format_number (v, out, outlen);
                return 0;
            }
        }
        pos += end > 0 ? end : 1;
    }
    return -1;
}

//  Snap a converted distance to the roundest figure within 1%: news copy
//  converts round kilometre figures to rounded miles ("1,000 km (620
//  miles)"), so converting back should land on the round figure again
//  rather than on 998.
static double
s_snap (double v)
{
    static const double steps [] = { 1000, 500, 100, 50, 10, 5, 1 };
    for (size_t i = 0; i < sizeof (steps) / sizeof (steps [0]); i++) {
        double r = nearbyint (v / steps [i]) * steps [i];
        if (r > 0 && fabs (r - v) <= v * 0.01)
            return r;
    }
    return nearbyint (v);
}

int
ab_xvalue_km (const char *text, size_t size, char *out, size_t outlen)
{
    double miles = -1;
    size_t pos = 0;
    while (pos < size) {
        double v;
        size_t end;
        if (ab_xvalue_number (text + pos, size - pos, &v, &end) != 0)
            break;
        size_t p = pos + end;
        while (p < size && text [p] == ' ')
            p++;
        size_t n = s_alpha_run (text, size, p);
        if (s_word_is (text + p, n, "km") || s_word_is (text + p, n, "kms")
        ||  s_word_is (text + p, n, "kilometer") || s_word_is (text + p, n, "kilometers")
        ||  s_word_is (text + p, n, "kilometre") || s_word_is (text + p, n, "kilometres")) {
            ab_xvalue_format_number (v, out, outlen);
            return 0;
        }
        if (miles < 0
        && (s_word_is (text + p, n, "mile") || s_word_is (text + p, n, "miles")
        ||  s_word_is (text + p, n, "mi")))
            miles = v;
        if (miles < 0
        &&  (s_word_is (text + p, n, "nautical"))) {
            size_t q = p + n;
            while (q < size && text [q] == ' ')
                q++;
            size_t m = s_alpha_run (text, size, q);
            if (s_word_is (text + q, m, "mile") || s_word_is (text + q, m, "miles"))
                miles = v * 1.852 / 1.609344;
        }
        pos += end > 0 ? end : 1;
    }
    if (miles < 0)
        return -1;
    ab_xvalue_format_number (s_snap (miles * 1.609344), out, outlen);
    return 0;
}

int
ab_xvalue_money (const char *text, size_t size, char *amount, size_t amountlen,
                 char *currency, size_t currencylen)
{
    //  Symbol before the number: the last one seen before it decides
    static const struct { const char *sym; const char *code; } symbols [] = {
        { "US$", "USD" }, { "A$", "AUD" }, { "AU$", "AUD" }, { "NZ$", "NZD" },
        { "C$", "CAD" }, { "S$", "SGD" }, { "HK$", "HKD" }, { "NT$", "TWD" },
        { "$", "USD" }, { "\xc2\xa5", "JPY" }, { "\xe2\x82\xac", "EUR" },
        { "\xc2\xa3", "GBP" }, { "\xe2\x82\xa9", "KRW" }, { "\xe2\x82\xb1", "PHP" },
        { NULL, NULL }
    };
    static const struct { const char *word; const char *code; } words [] = {
        { "dollars", "USD" }, { "dollar", "USD" }, { "usd", "USD" },
        { "yen", "JPY" }, { "jpy", "JPY" }, { "euros", "EUR" }, { "euro", "EUR" },
        { "eur", "EUR" }, { "pounds", "GBP" }, { "gbp", "GBP" }, { "won", "KRW" },
        { "krw", "KRW" }, { "pesos", "PHP" }, { "php", "PHP" }, { "aud", "AUD" },
        { NULL, NULL }
    };
    double v;
    size_t end;
    size_t start = 0;
    //  Find where the number starts to look for a symbol before it
    for (start = 0; start < size; start++)
        if (s_is_digit ((unsigned char) text [start]))
            break;
    if (ab_xvalue_number (text, size, &v, &end) != 0)
        return -1;
    const char *code = NULL;
    for (int i = 0; symbols [i].sym && !code; i++) {
        size_t n = strlen (symbols [i].sym);
        for (size_t p = 0; p + n <= start && p + n <= size; p++)
            if (memcmp (text + p, symbols [i].sym, n) == 0
            &&  (n > 1 || p == 0 || !s_is_alpha ((unsigned char) text [p - 1]))) {
                code = symbols [i].code;
                break;
            }
    }
    if (!code) {
        //  Currency word after the number (maybe after "Australian")
        size_t p = end;
        while (p < size && !code) {
            while (p < size && !s_is_alpha ((unsigned char) text [p]))
                p++;
            size_t n = s_alpha_run (text, size, p);
            if (n == 0)
                break;
            for (int i = 0; words [i].word; i++)
                if (s_word_is (text + p, n, words [i].word)) {
                    code = words [i].code;
                    break;
                }
            if (!code && s_word_is (text + p, n, "australian")) {
                code = "AUD";
                break;
            }
            if (p - end > 24)
                break;
            p += n;
        }
    }
    if (!code)
        return -1;
    ab_xvalue_format_number (nearbyint (v), amount, amountlen);
    snprintf (currency, currencylen, "%s", code);
    return 0;
}

int
ab_xvalue_year (const char *text, size_t size, char *out, size_t outlen)
{
    for (size_t p = 0; p + 4 <= size; p++) {
        if (p > 0 && s_is_digit ((unsigned char) text [p - 1]))
            continue;
        if (!(s_is_digit ((unsigned char) text [p]) && s_is_digit ((unsigned char) text [p + 1])
        &&    s_is_digit ((unsigned char) text [p + 2]) && s_is_digit ((unsigned char) text [p + 3])))
            continue;
        if (p + 4 < size && s_is_digit ((unsigned char) text [p + 4]))
            continue;
        int y = atoi (text + p);
        if (y >= 1800 && y <= 2199) {
            snprintf (out, outlen, "%d", y);
            return 0;
        }
    }
    return -1;
}

int
ab_xvalue_word (const char *text, size_t size, char *out, size_t outlen)
{
    size_t n = 0;
    bool gap = false;
    for (size_t i = 0; i < size && n + 2 < outlen; i++) {
        unsigned char c = (unsigned char) text [i];
        if (s_is_alpha (c) || s_is_digit (c)) {
            if (gap && n > 0)
                out [n++] = '_';
            out [n++] = (char) s_lower (c);
            gap = false;
        }
        else
            gap = true;
    }
    out [n] = 0;
    return n > 0 ? 0 : -1;
}

//  --------------------------------------------------------------------------
//  Dates

//  Days from civil (proleptic Gregorian), after H. Hinnant's algorithm:
//  pure arithmetic, so no time zone or locale can shift a date.
long
ab_xdate_days (int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void
ab_xdate_from_days (long z, ab_xdate_t *date)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp + (mp < 10 ? 3 : -9);
    date->year = (int) (y + (m <= 2));
    date->month = (int) m;
    date->day = (int) d;
}

static int
s_days_in_month (int y, int m)
{
    static const int days [] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days [m - 1];
}

int
ab_xdate_parse_iso (const char *text, ab_xdate_t *date)
{
    if (!text || strlen (text) < 10)
        return -1;
    for (int i = 0; i < 10; i++) {
        bool dash = i == 4 || i == 7;
        if (dash ? text [i] != '-' : !s_is_digit ((unsigned char) text [i]))
            return -1;
    }
    int y = atoi (text), m = atoi (text + 5), d = atoi (text + 8);
    if (m < 1 || m > 12 || d < 1 || d > s_days_in_month (y, m))
        return -1;
    date->year = y;
    date->month = m;
    date->day = d;
    return 0;
}

void
ab_xdate_format (const ab_xdate_t *date, char *out, size_t outlen)
{
    if (date->month == 0)
        snprintf (out, outlen, "%04d", date->year);
    else
    if (date->day == 0)
        snprintf (out, outlen, "%04d-%02d", date->year, date->month);
    else
        snprintf (out, outlen, "%04d-%02d-%02d", date->year, date->month, date->day);
}

typedef struct {
    size_t start;
    size_t len;
} s_tok_t;

#define S_MAX_DATE_TOKENS 24

static int
s_month_of (const char *w, size_t n)
{
    static const char *names [] = {
        "january", "february", "march", "april", "may", "june", "july",
        "august", "september", "october", "november", "december"
    };
    static const char *abbrev [] = {
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
        "oct", "nov", "dec"
    };
    for (int i = 0; i < 12; i++)
        if (s_word_is (w, n, names [i]) || s_word_is (w, n, abbrev [i]))
            return i + 1;
    if (s_word_is (w, n, "sept"))
        return 9;
    return 0;
}

//  Day of week 0..6 (Sunday..Saturday) of a weekday name, or -1.
static int
s_weekday_of (const char *w, size_t n)
{
    static const char *names [] = {
        "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"
    };
    for (int i = 0; i < 7; i++)
        if (s_word_is (w, n, names [i]))
            return i;
    return -1;
}

//  Leading integer of a token ("10th" -> 10), or -1 if it does not start
//  with a digit.
static int
s_token_int (const char *text, const s_tok_t *t, int *digits)
{
    int v = 0, n = 0;
    for (size_t i = 0; i < t->len && s_is_digit ((unsigned char) text [t->start + i]); i++) {
        v = v * 10 + (text [t->start + i] - '0');
        n++;
    }
    *digits = n;
    if (n == 0)
        return -1;
    //  Only ordinal suffixes may follow the digits
    size_t rest = t->len - (size_t) n;
    if (rest > 0) {
        const char *s = text + t->start + n;
        if (!(rest == 2 && (s_word_is (s, 2, "st") || s_word_is (s, 2, "nd")
                        ||  s_word_is (s, 2, "rd") || s_word_is (s, 2, "th"))))
            return -1;
    }
    return v;
}

static bool
s_known (const ab_xdate_t *d)
{
    return d && d->year > 0 && d->month > 0 && d->day > 0;
}

int
ab_xvalue_date (const char *text, size_t size, const ab_xdate_t *published,
                const ab_xdate_t *anchor, bool future, ab_xdate_t *date)
{
    //  ISO date anywhere wins
    for (size_t p = 0; p + 10 <= size; p++)
        if (s_is_digit ((unsigned char) text [p]) && (p == 0 || !s_is_digit ((unsigned char) text [p - 1]))) {
            char buf [11];
            memcpy (buf, text + p, 10);
            buf [10] = 0;
            if (ab_xdate_parse_iso (buf, date) == 0)
                return 0;
        }
    s_tok_t toks [S_MAX_DATE_TOKENS];
    int ntok = 0;
    for (size_t p = 0; p < size && ntok < S_MAX_DATE_TOKENS; ) {
        unsigned char c = (unsigned char) text [p];
        if (s_is_alpha (c) || s_is_digit (c)) {
            size_t q = p;
            while (q < size && (s_is_alpha ((unsigned char) text [q]) || s_is_digit ((unsigned char) text [q])))
                q++;
            toks [ntok].start = p;
            toks [ntok].len = q - p;
            ntok++;
            p = q;
        }
        else
            p++;
    }
    bool have_pub = s_known (published);
    #define TOK(i) (text + toks [i].start), toks [i].len

    //  Month name with optional day and year around it
    for (int i = 0; i < ntok; i++) {
        int month = s_month_of (TOK (i));
        if (!month)
            continue;
        //  "may" is a month only next to a day or year number
        int day = 0, year = 0, digits;
        if (i + 1 < ntok) {
            int v = s_token_int (text, &toks [i + 1], &digits);
            if (v >= 1 && v <= 31 && digits <= 2) {
                day = v;
                if (i + 2 < ntok) {
                    int y = s_token_int (text, &toks [i + 2], &digits);
                    if (digits == 4)
                        year = y;
                }
            }
            else
            if (digits == 4)
                year = v;
        }
        if (!day && i > 0) {
            int v = s_token_int (text, &toks [i - 1], &digits);
            if (v >= 1 && v <= 31 && digits <= 2) {
                day = v;
                if (!year && i + 1 < ntok) {
                    int y = s_token_int (text, &toks [i + 1], &digits);
                    if (digits == 4)
                        year = y;
                }
            }
        }
        if (month == 5 && !day && !year && s_word_is (TOK (i), "may"))
            continue;
        if (day && day > s_days_in_month (year ? year : 2000, month))
            return -1;
        if (year) {
            date->year = year;
            date->month = month;
            date->day = day;
            return 0;
        }
        if (!have_pub)
            return -1;
        //  No year: the occurrence nearest to the publication date
        long pub = ab_xdate_days (published->year, published->month, published->day);
        int best = published->year;
        long best_dist = -1;
        for (int y = published->year - 1; y <= published->year + 1; y++) {
            long dist = day
                ? labs (ab_xdate_days (y, month, day) - pub)
                : labs ((long) (y * 12 + month) - (long) (published->year * 12 + published->month));
            if (best_dist < 0 || dist < best_dist) {
                best_dist = dist;
                best = y;
            }
        }
        date->year = best;
        date->month = month;
        date->day = day;
        return 0;
    }
    //  Relative expressions
    for (int i = 0; i < ntok; i++) {
        int wd = s_weekday_of (TOK (i));
        bool prev_next = i > 0 && (s_word_is (TOK (i - 1), "next") || s_word_is (TOK (i - 1), "coming"));
        bool prev_last = i > 0 && (s_word_is (TOK (i - 1), "last") || s_word_is (TOK (i - 1), "past")
                                || s_word_is (TOK (i - 1), "previous"));
        bool prev_this = i > 0 && s_word_is (TOK (i - 1), "this");
        if (wd >= 0) {
            if (!have_pub)
                return -1;
            long pub = ab_xdate_days (published->year, published->month, published->day);
            int pub_wd = (int) (((pub % 7) + 7 + 4) % 7);     //  1970-01-01 was a Thursday
            long delta;
            if (prev_next || (future && !prev_last)) {
                delta = (wd - pub_wd + 7) % 7;
                if (delta == 0 && !prev_this)
                    delta = 7;
            }
            else {
                delta = -((pub_wd - wd + 7) % 7);
                if (delta == 0 && prev_last)
                    delta = -7;
            }
            ab_xdate_from_days (pub + delta, date);
            return 0;
        }
        if (s_word_is (TOK (i), "today") || s_word_is (TOK (i), "tomorrow")
        ||  s_word_is (TOK (i), "yesterday") || s_word_is (TOK (i), "tonight")) {
            if (!have_pub)
                return -1;
            long pub = ab_xdate_days (published->year, published->month, published->day);
            if (s_word_is (TOK (i), "tomorrow"))
                pub++;
            if (s_word_is (TOK (i), "yesterday"))
                pub--;
            ab_xdate_from_days (pub, date);
            return 0;
        }
        if (s_word_is (TOK (i), "day") && i > 0
        &&  (s_word_is (TOK (i - 1), "next") || s_word_is (TOK (i - 1), "following")
        ||   (i + 1 < ntok && s_word_is (TOK (i + 1), "after") && s_word_is (TOK (i - 1), "the"))
        ||   (i + 1 < ntok && s_word_is (TOK (i + 1), "before") && s_word_is (TOK (i - 1), "the")))) {
            if (!s_known (anchor))
                return -1;
            long a = ab_xdate_days (anchor->year, anchor->month, anchor->day);
            bool before = i + 1 < ntok && s_word_is (TOK (i + 1), "before");
            ab_xdate_from_days (before ? a - 1 : a + 1, date);
            return 0;
        }
        if ((s_word_is (TOK (i), "month") || s_word_is (TOK (i), "year"))
        &&  (prev_next || prev_last || prev_this)) {
            if (!have_pub)
                return -1;
            int delta = prev_next ? 1 : prev_last ? -1 : 0;
            if (s_word_is (TOK (i), "year")) {
                date->year = published->year + delta;
                date->month = 0;
                date->day = 0;
            }
            else {
                int index = published->year * 12 + (published->month - 1) + delta;
                date->year = index / 12;
                date->month = index % 12 + 1;
                date->day = 0;
            }
            return 0;
        }
    }
    //  A bare year
    for (int i = 0; i < ntok; i++) {
        int digits;
        int y = s_token_int (text, &toks [i], &digits);
        if (digits == 4 && toks [i].len == 4 && y >= 1800 && y <= 2199) {
            date->year = y;
            date->month = 0;
            date->day = 0;
            return 0;
        }
    }
    #undef TOK
    return -1;
}
