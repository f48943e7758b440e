/*  =========================================================================
    ab_log - one-line diagnostics on stderr
    =========================================================================
*/
#include "ab_log.h"

#include <stdio.h>
#include <time.h>

//  The logger's configuration is process-wide by nature: it is set once in
//  main before any thread starts and only read afterwards.
static const char *s_program = "allybrief";
static ab_log_level_t s_level = AB_LOG_INFO;

void
ab_log_init (const char *program, ab_log_level_t level)
{
    s_program = program;
    s_level = level;
}

void
ab_log (ab_log_level_t level, const char *format, ...)
{
    if (level < s_level)
        return;
    static const char *names [] = { "debug", "info", "warning", "error" };
    char line [1024];
    va_list args;
    va_start (args, format);
    vsnprintf (line, sizeof line, format, args);
    va_end (args);
    //  One fprintf per line so lines from concurrent processes do not mix
    fprintf (stderr, "%s: %s: %s\n", s_program, names [level], line);
}

int64_t
ab_wall_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
ab_mono_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
