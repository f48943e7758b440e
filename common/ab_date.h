/*  =========================================================================
    ab_date - publication dates from the formats sources use

    Articles arrive with dates as ISO 8601 / RFC 3339 ("2024-03-25",
    "2024-03-25T09:30:00+09:00") from files and JSON, or RFC 822
    ("Mon, 25 Mar 2024 09:30:00 GMT") from RSS.  The briefing compares them
    to decide which report is newest, so they are normalized to one form:
    "YYYY-MM-DD" when only the day is known, "YYYY-MM-DDTHH:MM:SSZ" (UTC)
    otherwise.  Both sort correctly as strings against each other.
    =========================================================================
*/
#ifndef AB_DATE_H_INCLUDED
#define AB_DATE_H_INCLUDED

#include <stddef.h>

//  Normalize text into out (at least 21 bytes).  Returns 0, or -1 if the
//  text is not a date in a supported format (out is then "").
int ab_date_normalize (const char *text, char *out, size_t outlen);

#endif
