/*  =========================================================================
    ab_file - whole-file reads and atomic whole-file writes
    =========================================================================
*/
#include "ab_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *
ab_file_read (const char *path, size_t max_size, size_t *size_p,
              char *errbuf, size_t errlen)
{
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf (errbuf, errlen, "cannot open %s: %s", path, strerror (errno));
        return NULL;
    }
    struct stat st;
    if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)) {
        snprintf (errbuf, errlen, "%s is not a regular file", path);
        close (fd);
        return NULL;
    }
    if ((size_t) st.st_size > max_size) {
        snprintf (errbuf, errlen, "%s is %lld bytes, over the limit of %zu",
                  path, (long long) st.st_size, max_size);
        close (fd);
        return NULL;
    }
    size_t capacity = (size_t) st.st_size + 1;
    char *data = malloc (capacity);
    size_t size = 0;
    while (data) {
        ssize_t n = read (fd, data + size, capacity - 1 - size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf (errbuf, errlen, "cannot read %s: %s", path, strerror (errno));
            free (data);
            data = NULL;
            break;
        }
        if (n == 0)
            break;
        size += (size_t) n;
        if (size == capacity - 1)
            break;          //  file grew after fstat: take what was stated
    }
    close (fd);
    if (!data) {
        if (errbuf [0] == 0)
            snprintf (errbuf, errlen, "out of memory reading %s", path);
        return NULL;
    }
    data [size] = 0;
    if (size_p)
        *size_p = size;
    return data;
}

int
ab_file_write_atomic (const char *path, const void *data, size_t size,
                      char *errbuf, size_t errlen)
{
    size_t tmp_len = strlen (path) + 16;
    char *tmp = malloc (tmp_len);
    if (!tmp) {
        snprintf (errbuf, errlen, "out of memory");
        return -1;
    }
    snprintf (tmp, tmp_len, "%s.tmp.%ld", path, (long) getpid ());
    int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf (errbuf, errlen, "cannot create %s: %s", tmp, strerror (errno));
        free (tmp);
        return -1;
    }
    const char *cursor = data;
    size_t left = size;
    while (left > 0) {
        ssize_t n = write (fd, cursor, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        cursor += n;
        left -= (size_t) n;
    }
    int rc = (left == 0 && fsync (fd) == 0)? 0: -1;
    if (rc != 0)
        snprintf (errbuf, errlen, "cannot write %s: %s", tmp, strerror (errno));
    close (fd);
    if (rc == 0 && rename (tmp, path) != 0) {
        snprintf (errbuf, errlen, "cannot rename %s to %s: %s",
                  tmp, path, strerror (errno));
        rc = -1;
    }
    if (rc != 0)
        unlink (tmp);
    free (tmp);
    return rc;
}

int
ab_file_mkdirs (const char *path)
{
    char *copy = strdup (path);
    if (!copy)
        return -1;
    for (char *slash = strchr (copy + 1, '/'); slash; slash = strchr (slash + 1, '/')) {
        *slash = 0;
        if (mkdir (copy, 0755) != 0 && errno != EEXIST) {
            free (copy);
            return -1;
        }
        *slash = '/';
    }
    int rc = (mkdir (copy, 0755) == 0 || errno == EEXIST)? 0: -1;
    free (copy);
    return rc;
}
