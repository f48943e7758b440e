/*  =========================================================================
    ab_number - whole numbers from command lines, config and data files

    One strict rule everywhere a user types a number: decimal digits with
    an optional sign, nothing before or after, within [minimum, maximum].
    "10ms", "", " 5" and overflow are refused rather than read as 10, 0, 5
    or LLONG_MAX.
    =========================================================================
*/
#ifndef AB_NUMBER_H_INCLUDED
#define AB_NUMBER_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

//  Parse text into *value; false (value untouched) if it is not a whole
//  number in [minimum, maximum].
bool ab_number_parse (const char *text, int64_t minimum, int64_t maximum, int64_t *value);

#endif
