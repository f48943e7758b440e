/*  =========================================================================
    ab_log - one-line diagnostics on stderr, tagged with program and level

    Every program calls ab_log_init once from main; the tag is kept in a
    static set only there (the process name is the one piece of global state
    a logger cannot avoid).  Messages are single lines so that a launcher can
    interleave the output of many processes and a person can still grep it.
    =========================================================================
*/
#ifndef AB_LOG_H_INCLUDED
#define AB_LOG_H_INCLUDED

#include <stdarg.h>
#include <stdint.h>

typedef enum {
    AB_LOG_DEBUG = 0,
    AB_LOG_INFO = 1,
    AB_LOG_WARN = 2,
    AB_LOG_ERROR = 3
} ab_log_level_t;

//  Set the program tag (e.g. "producer") and the lowest level printed.
//  The tag string must outlive every later log call (a literal in main).
void ab_log_init (const char *program, ab_log_level_t level);

//  Print one line "program: LEVEL: message" on stderr if level is enabled.
void ab_log (ab_log_level_t level, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

#define ab_debug(...) ab_log (AB_LOG_DEBUG, __VA_ARGS__)
#define ab_info(...)  ab_log (AB_LOG_INFO, __VA_ARGS__)
#define ab_warn(...)  ab_log (AB_LOG_WARN, __VA_ARGS__)
#define ab_error(...) ab_log (AB_LOG_ERROR, __VA_ARGS__)

//  Milliseconds since the Unix epoch (wall clock, for published/arrival
//  stamps) and a monotonic clock for timeouts and intervals.
int64_t ab_wall_ms (void);
int64_t ab_mono_ms (void);

#endif
