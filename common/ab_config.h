/*  =========================================================================
    ab_config - the one configuration file every allybrief program reads

    The file is ZPL (czmq's zconfig format): a section per program plus
    "curve" for keys, four-space indented "key = value" lines under each:

        curve
            allow = /etc/allybrief/allow
        producer
            work = tcp://0.0.0.0:5701

    Every program takes --config FILE and reads its own section; flags
    given on the command line override the file.  deploy/allybrief.cfg is
    the documented example with every key.

    zconfig_load says nothing about where a file is wrong, so the file is
    first checked by our own line-aware pass: known sections and keys,
    number and endpoint syntax, and that named files and directories exist
    (certificates must load).  `allybrief config check FILE` prints every
    problem as "FILE:LINE: message".
    =========================================================================
*/
#ifndef AB_CONFIG_H_INCLUDED
#define AB_CONFIG_H_INCLUDED

#include <czmq.h>
#include <stdint.h>

typedef struct ab_config_t ab_config_t;

//  Check the file at path.  Each problem is appended to problems (a list
//  of heap strings "PATH:LINE: message", or "PATH: message" when the
//  file cannot be read; give it a destructor such as
//  zstr_free via zlistx_set_destructor, or NULL to only count).
//  Returns the number of problems.
size_t ab_config_check (const char *path, zlistx_t *problems);

//  Check and load a file.  NULL with the first problem (and how many
//  there are) in errbuf if it does not pass the check.
ab_config_t *ab_config_load (const char *path, char *errbuf, size_t errlen);
void ab_config_destroy (ab_config_t **self_p);

//  Find "--config FILE" or "--config=FILE" in argv and load it into
//  *config_p (left NULL without the option).  Returns 0, or -1 with a
//  message in errbuf.  Programs call this before their getopt loop so
//  that later flags override the file.
int ab_config_from_args (int argc, char *argv [], ab_config_t **config_p,
                         char *errbuf, size_t errlen);

//  Value of "section/key", or fallback when self is NULL or the key is
//  absent.  Strings are owned by the config and live as long as it.
const char *ab_config_get (ab_config_t *self, const char *path, const char *fallback);
//  A number key (already checked to be a whole number by the load).
int64_t ab_config_number (ab_config_t *self, const char *path, int64_t fallback);

#endif
