/*  =========================================================================
    ab_paths - where an installed or built allybrief finds its data files
    =========================================================================
*/
#include "ab_paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *
ab_paths_exe_dir (void)
{
    char path [PATH_MAX];
    ssize_t size = readlink ("/proc/self/exe", path, sizeof path - 1);
    if (size <= 0)
        return NULL;
    path [size] = 0;
    char *slash = strrchr (path, '/');
    if (slash)
        *slash = 0;
    return strdup (path);
}

static int
s_is_dir (const char *path)
{
    struct stat st;
    return stat (path, &st) == 0 && S_ISDIR (st.st_mode);
}

char *
ab_paths_rules_dir (const char *override)
{
    if (override)
        return strdup (override);
    const char *env = getenv ("ALLYBRIEF_RULES");
    if (env && *env)
        return strdup (env);
    char *exe_dir = ab_paths_exe_dir ();
    if (exe_dir) {
        const char *candidates [] = { "/../share/allybrief/rules", "/../../../workers/rules" };
        for (size_t index = 0; index < 2; index++) {
            char path [PATH_MAX];
            snprintf (path, sizeof path, "%s%s", exe_dir, candidates [index]);
            if (s_is_dir (path)) {
                free (exe_dir);
                return realpath (path, NULL);
            }
        }
        free (exe_dir);
    }
    return strdup ("workers/rules");
}

char *
ab_paths_data_file (const char *name, const char *source_path)
{
    char *exe_dir = ab_paths_exe_dir ();
    if (!exe_dir)
        return NULL;
    char candidates [2][PATH_MAX];
    snprintf (candidates [0], PATH_MAX, "%s/../share/allybrief/%s", exe_dir, name);
    snprintf (candidates [1], PATH_MAX, "%s/../../../%s", exe_dir, source_path);
    free (exe_dir);
    for (size_t index = 0; index < 2; index++) {
        struct stat st;
        if (stat (candidates [index], &st) == 0 && S_ISREG (st.st_mode))
            return realpath (candidates [index], NULL);
    }
    return NULL;
}
