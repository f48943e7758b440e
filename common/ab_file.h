/*  =========================================================================
    ab_file - whole-file reads and atomic whole-file writes

    Readers and writers of the briefing must never see half a file, so every
    output goes through ab_file_write_atomic: a temporary file in the same
    directory, fsync, then rename over the target.
    =========================================================================
*/
#ifndef AB_FILE_H_INCLUDED
#define AB_FILE_H_INCLUDED

#include <stddef.h>

//  Read a whole file, at most max_size bytes.  Returns a NUL-terminated
//  heap buffer (caller owns it, free()) and sets *size_p, or NULL with a
//  message in errbuf if the file cannot be read or is larger than max_size.
char *ab_file_read (const char *path, size_t max_size, size_t *size_p,
                    char *errbuf, size_t errlen);

//  Write data to path atomically (temp file + fsync + rename).  Returns 0,
//  or -1 with a message in errbuf; on failure the old file is untouched.
int ab_file_write_atomic (const char *path, const void *data, size_t size,
                          char *errbuf, size_t errlen);

//  Create directory path and its parents (mode 0755).  Returns 0 or -1.
int ab_file_mkdirs (const char *path);

#endif
