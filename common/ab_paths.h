/*  =========================================================================
    ab_paths - where an installed or built allybrief finds its data files
    =========================================================================
*/
#ifndef AB_PATHS_H_INCLUDED
#define AB_PATHS_H_INCLUDED

//  The rules directory: override if given, else $ALLYBRIEF_RULES, else
//  <exe>/../share/allybrief/rules (installed), else the source tree's
//  workers/rules seen from build/MODE/bin.  Caller frees the result.
char *ab_paths_rules_dir (const char *override);

//  A data file shipped with allybrief: <exe>/../share/allybrief/NAME when
//  installed, else SOURCE_PATH in the source tree seen from
//  build/MODE/bin.  Caller frees; NULL if neither exists.
char *ab_paths_data_file (const char *name, const char *source_path);

//  Directory holding the running executable (caller frees), for finding
//  sibling programs.  NULL if /proc/self/exe cannot be read.
char *ab_paths_exe_dir (void);

#endif
