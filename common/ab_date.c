/*  =========================================================================
    ab_date - publication dates from the formats sources use
    =========================================================================
*/
#include "ab_date.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int
s_valid_day (int year, int month, int day)
{
    static const int days [] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return year >= 1900 && year <= 9999 && month >= 1 && month <= 12
        && day >= 1 && day <= days [month - 1];
}

//  Parse a numeric UTC offset ("Z", "+09:00", "-0500", "GMT", "UT");
//  returns seconds east of UTC or -1 on bad syntax via *ok.
static long
s_parse_offset (const char *text, int *ok)
{
    *ok = 1;
    while (*text == ' ')
        text++;
    if (*text == 0 || strcmp (text, "Z") == 0 || strcmp (text, "GMT") == 0
    ||  strcmp (text, "UT") == 0 || strcmp (text, "UTC") == 0)
        return 0;
    int sign = *text == '-'? -1: *text == '+'? 1: 0;
    if (!sign) {
        *ok = 0;
        return 0;
    }
    int hours, minutes;
    if (sscanf (text + 1, "%2d:%2d", &hours, &minutes) == 2
    ||  sscanf (text + 1, "%2d%2d", &hours, &minutes) == 2)
        return sign * (hours * 3600L + minutes * 60L);
    *ok = 0;
    return 0;
}

static void
s_format_utc (struct tm *tm, long offset, char *out, size_t outlen)
{
    time_t t = timegm (tm) - offset;
    struct tm utc;
    gmtime_r (&t, &utc);
    strftime (out, outlen, "%Y-%m-%dT%H:%M:%SZ", &utc);
}

int
ab_date_normalize (const char *text, char *out, size_t outlen)
{
    out [0] = 0;
    if (!text)
        return -1;
    while (isspace ((unsigned char) *text))
        text++;
    struct tm tm;
    memset (&tm, 0, sizeof tm);
    int year, month, day, consumed = 0;
    if (sscanf (text, "%4d-%2d-%2d%n", &year, &month, &day, &consumed) == 3
    &&  consumed == 10 && s_valid_day (year, month, day)) {
        const char *rest = text + 10;
        if (*rest == 0 || isspace ((unsigned char) *rest)) {
            snprintf (out, outlen, "%04d-%02d-%02d", year, month, day);
            return 0;
        }
        int hour, minute, second = 0, more = 0;
        if ((*rest == 'T' || *rest == ' ')
        &&  sscanf (rest + 1, "%2d:%2d%n:%2d%n", &hour, &minute, &more, &second, &more) >= 2) {
            const char *zone = rest + 1 + more;
            if (*zone == '.')                   //  fractional seconds
                for (zone++; isdigit ((unsigned char) *zone); zone++)
                    ;
            int ok;
            long offset = s_parse_offset (zone, &ok);
            if (!ok || hour > 23 || minute > 59 || second > 60)
                return -1;
            tm.tm_year = year - 1900;
            tm.tm_mon = month - 1;
            tm.tm_mday = day;
            tm.tm_hour = hour;
            tm.tm_min = minute;
            tm.tm_sec = second;
            s_format_utc (&tm, offset, out, outlen);
            return 0;
        }
        return -1;
    }
    //  RFC 822 / 2822: optional weekday, "25 Mar 2024 09:30:00 +0000";
    //  strptime is locale-bound, so month names are matched here.
    static const char *months [] = { "jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec" };
    const char *comma = strchr (text, ',');
    const char *cursor = comma? comma + 1: text;
    char month_name [4] = "";
    int hour = 0, minute = 0, second = 0;
    int fields = sscanf (cursor, " %2d %3s %4d %2d:%2d:%2d%n", &day, month_name, &year,
                         &hour, &minute, &second, &consumed);
    if (fields < 3)
        return -1;
    month = 0;
    for (int index = 0; index < 12; index++)
        if (strncasecmp (month_name, months [index], 3) == 0)
            month = index + 1;
    if (year < 100)
        year += year < 50? 2000: 1900;
    if (!s_valid_day (year, month, day))
        return -1;
    if (fields < 6) {
        snprintf (out, outlen, "%04d-%02d-%02d", year, month, day);
        return 0;
    }
    int ok;
    long offset = s_parse_offset (cursor + consumed, &ok);
    if (!ok)
        offset = 0;         //  obsolete zone names ("EST"): treat as UTC
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    s_format_utc (&tm, offset, out, outlen);
    return 0;
}
