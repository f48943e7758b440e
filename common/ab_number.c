/*  =========================================================================
    ab_number - whole numbers from command lines, config and data files
    =========================================================================
*/
#include "ab_number.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

bool
ab_number_parse (const char *text, int64_t minimum, int64_t maximum, int64_t *value)
{
    //  strtoll skips leading white space; a number a user typed has none
    if (!text || !*text || isspace ((unsigned char) *text))
        return false;
    char *end;
    errno = 0;
    long long parsed = strtoll (text, &end, 10);
    if (errno || *end || parsed < minimum || parsed > maximum)
        return false;
    *value = parsed;
    return true;
}
