/*  =========================================================================
    ab_config - the one configuration file every allybrief program reads
    =========================================================================
*/
#include "ab_config.h"
#include "ab_file.h"
#include "ab_metrics.h"
#include "ab_number.h"
#include "ab_security.h"

#include <ctype.h>
#include <sys/stat.h>

#define CONFIG_MAX_SIZE (1024 * 1024)

typedef enum {
    KIND_ENDPOINT,          //  tcp://host:port or ipc://path
    KIND_NUMBER,            //  whole number >= 1
    KIND_COUNT,             //  whole number >= 0
    KIND_PATH,              //  a file or directory the program creates
    KIND_FILE,              //  an existing file
    KIND_DIR,               //  an existing directory
    KIND_SECRET_CERT,       //  a certificate with its secret key
    KIND_PUBLIC_CERT,       //  a certificate (public key is enough)
    KIND_FSYNC,             //  always | batch | never
    KIND_LISTEN             //  HOST:PORT for an HTTP listener
} value_kind_t;

typedef struct {
    const char *section;
    const char *key;
    value_kind_t kind;
} known_key_t;

//  Every key a program reads; README "Configuration" lists them for users
static const known_key_t s_known [] = {
    { "curve", "allow", KIND_DIR },
    { "curve", "producer_key", KIND_PUBLIC_CERT },
    { "curve", "sink_key", KIND_PUBLIC_CERT },
    { "producer", "work", KIND_ENDPOINT },
    { "producer", "ack", KIND_ENDPOINT },
    { "producer", "cert", KIND_SECRET_CERT },
    { "producer", "journal", KIND_PATH },
    { "producer", "dead_letter", KIND_PATH },
    { "producer", "fsync", KIND_FSYNC },
    { "producer", "max_body", KIND_NUMBER },
    { "producer", "ack_timeout", KIND_NUMBER },
    { "producer", "worker_timeout", KIND_NUMBER },
    { "producer", "max_attempts", KIND_NUMBER },
    { "producer", "queue", KIND_NUMBER },
    { "producer", "metrics", KIND_LISTEN },
    { "sink", "results", KIND_ENDPOINT },
    { "sink", "pub", KIND_ENDPOINT },
    { "sink", "snapshot", KIND_ENDPOINT },
    { "sink", "ack", KIND_ENDPOINT },
    { "sink", "cert", KIND_SECRET_CERT },
    { "sink", "out", KIND_PATH },
    { "sink", "state", KIND_PATH },
    { "sink", "topics", KIND_FILE },
    { "sink", "write_interval", KIND_COUNT },
    { "sink", "metrics", KIND_LISTEN },
    { "worker", "work", KIND_ENDPOINT },
    { "worker", "results", KIND_ENDPOINT },
    { "worker", "cert", KIND_SECRET_CERT },
    { "worker", "rules", KIND_DIR },
    { "worker", "credit", KIND_NUMBER },
    { "worker", "producer_timeout", KIND_NUMBER },
    { "worker", "metrics", KIND_LISTEN },
    { "subscriber", "pub", KIND_ENDPOINT },
    { "subscriber", "snapshot", KIND_ENDPOINT },
    { "subscriber", "cert", KIND_SECRET_CERT },
    { NULL, NULL, 0 }
};

struct ab_config_t {
    zconfig_t *root;
};

static void
s_problem (zlistx_t *problems, size_t *count, const char *path, size_t line, const char *format, ...)
{
    (*count)++;
    if (!problems)
        return;
    char message [512];
    va_list args;
    va_start (args, format);
    vsnprintf (message, sizeof message, format, args);
    va_end (args);
    //  Line 0: the file as a whole (it cannot be read)
    zlistx_add_end (problems, line? zsys_sprintf ("%s:%zu: %s", path, line, message):
                                    zsys_sprintf ("%s: %s", path, message));
}

static bool
s_section_known (const char *name)
{
    for (const known_key_t *known = s_known; known->section; known++)
        if (streq (known->section, name))
            return true;
    return false;
}

static const known_key_t *
s_key_known (const char *section, const char *key)
{
    for (const known_key_t *known = s_known; known->section; known++)
        if (streq (known->section, section) && streq (known->key, key))
            return known;
    return NULL;
}

static bool
s_endpoint_valid (const char *value)
{
    if (strncmp (value, "ipc://", 6) == 0)
        return value [6] != '\0' && strlen (value) < 6 + 107;
    if (strncmp (value, "tcp://", 6) != 0)
        return false;
    const char *colon = strrchr (value + 6, ':');
    if (!colon || colon == value + 6)
        return false;
    const char *port = colon + 1;
    if (streq (port, "*"))
        return true;
    int64_t number;
    return ab_number_parse (port, 1, 65535, &number);
}

//  Check one value against its kind; returns NULL or a reason
static const char *
s_check_value (const known_key_t *known, const char *value, char *reason, size_t size)
{
    struct stat st;
    int64_t number;
    switch (known->kind) {
        case KIND_ENDPOINT:
            if (!s_endpoint_valid (value))
                return "is not an endpoint (tcp://HOST:PORT or ipc://PATH)";
            break;
        case KIND_NUMBER:
            if (!ab_number_parse (value, 1, 1000000000000LL, &number))
                return "needs a positive whole number";
            break;
        case KIND_COUNT:
            if (!ab_number_parse (value, 0, 1000000000000LL, &number))
                return "needs a whole number (0 or more)";
            break;
        case KIND_PATH:
            if (!*value)
                return "needs a path";
            break;
        case KIND_FILE:
            if (stat (value, &st) != 0 || !S_ISREG (st.st_mode))
                return "names a file that does not exist";
            break;
        case KIND_DIR:
            if (stat (value, &st) != 0 || !S_ISDIR (st.st_mode))
                return "names a directory that does not exist";
            break;
        case KIND_SECRET_CERT:
        case KIND_PUBLIC_CERT:
            if (ab_security_check_cert (value, known->kind == KIND_SECRET_CERT, reason, size) != 0)
                return reason;
            break;
        case KIND_FSYNC:
            if (!streq (value, "always") && !streq (value, "batch") && !streq (value, "never"))
                return "must be always, batch or never";
            break;
        case KIND_LISTEN:
            if (ab_metrics_check_address (value, reason, size) != 0)
                return reason;
            break;
    }
    return NULL;
}

//  A ZPL name: letters, digits and $-_@.&+/
static size_t
s_name_length (const char *text)
{
    size_t length = 0;
    while (text [length] && (isalnum ((unsigned char) text [length])
                             || strchr ("$-_@.&+/", text [length])))
        length++;
    return length;
}

//  Parse the value after '=': quoted or bare, then only a comment may
//  follow.  Writes it to value; returns NULL or a reason.
static const char *
s_parse_value (const char *text, char *value, size_t size)
{
    while (*text == ' ')
        text++;
    size_t used = 0;
    if (*text == '"' || *text == '\'') {
        char quote = *text++;
        while (*text && *text != quote && used + 1 < size)
            value [used++] = *text++;
        if (*text != quote)
            return "unterminated quoted value";
        text++;
    }
    else
        while (*text && *text != ' ' && *text != '#' && used + 1 < size)
            value [used++] = *text++;
    value [used] = '\0';
    while (*text == ' ')
        text++;
    if (*text && *text != '#')
        return "unexpected text after the value (quote values that contain spaces)";
    return NULL;
}

//  Keys that only work together: CURVE needs both ends configured.  seen
//  maps "section/key" and "section" to the line that set them.
static void
s_check_curve_pairs (zhashx_t *seen, const char *path, zlistx_t *problems, size_t *count)
{
    static const struct {
        const char *when;           //  this key is set...
        const char *needs;          //  ...so this one must be too
        const char *why;
    } pairs [] = {
        { "producer/cert", "curve/allow", "the producer accepts only keys in an allow-list" },
        { "sink/cert", "curve/allow", "the sink accepts only keys in an allow-list" },
        { "sink/cert", "curve/producer_key", "the sink sends acks to the producer over CURVE" },
        { "worker/cert", "curve/producer_key", "the worker connects to the producer over CURVE" },
        { "worker/cert", "curve/sink_key", "the worker sends results to the sink over CURVE" },
        { "subscriber/cert", "curve/sink_key", "the subscriber connects to the sink over CURVE" },
        { "producer/cert", "worker/cert", "workers cannot reach a CURVE producer without a key" },
        { "sink/cert", "subscriber/cert", "subscribers cannot reach a CURVE sink without a key" },
    };
    for (size_t index = 0; index < sizeof pairs / sizeof pairs [0]; index++) {
        size_t line = (size_t) zhashx_lookup (seen, pairs [index].when);
        char section [64];
        snprintf (section, sizeof section, "%.*s", (int) strcspn (pairs [index].needs, "/"),
                  pairs [index].needs);
        //  A client section left out entirely is fine: that machine's
        //  file may simply not run it
        bool client_section = streq (section, "worker") || streq (section, "subscriber");
        if (line && !zhashx_lookup (seen, pairs [index].needs)
        &&  (!client_section || zhashx_lookup (seen, section)))
            s_problem (problems, count, path, line, "%s is set but %s is not: %s",
                       pairs [index].when, pairs [index].needs, pairs [index].why);
    }
}

size_t
ab_config_check (const char *path, zlistx_t *problems)
{
    size_t count = 0;
    char message [512];
    size_t size;
    char *text = ab_file_read (path, CONFIG_MAX_SIZE, &size, message, sizeof message);
    if (!text) {
        s_problem (problems, &count, path, 0, "%s", message);
        return count;
    }
    char section [128] = "";
    bool section_known = false;
    zhashx_t *seen = zhashx_new ();
    size_t line_number = 0;
    for (char *line = text, *next; line && *line; line = next) {
        line_number++;
        next = strchr (line, '\n');
        if (next)
            *next++ = '\0';
        size_t length = strlen (line);
        if (length && line [length - 1] == '\r')
            line [--length] = '\0';
        size_t indent = strspn (line, " ");
        const char *body = line + indent;
        if (*body == '\t' || strchr (body, '\t')) {
            s_problem (problems, &count, path, line_number, "tab character: indent with four spaces");
            continue;
        }
        if (!*body || *body == '#')
            continue;
        if (indent % 4) {
            s_problem (problems, &count, path, line_number, "indent by multiples of four spaces");
            continue;
        }
        size_t name_length = s_name_length (body);
        if (name_length == 0 || name_length >= 128) {
            s_problem (problems, &count, path, line_number, "expected a name, found '%s'", body);
            continue;
        }
        char name [128];
        memcpy (name, body, name_length);
        name [name_length] = '\0';
        const char *rest = body + name_length;
        while (*rest == ' ')
            rest++;
        if (indent == 0) {
            snprintf (section, sizeof section, "%s", name);
            section_known = s_section_known (name);
            if (!section_known)
                s_problem (problems, &count, path, line_number,
                           "unknown section '%s' (known: curve, producer, sink, worker, subscriber)", name);
            else
            if (*rest && *rest != '#')
                s_problem (problems, &count, path, line_number,
                           "section '%s' takes no value; its keys go on the indented lines below", name);
            else
            if (zhashx_lookup (seen, name))
                s_problem (problems, &count, path, line_number, "section '%s' appears twice", name);
            else
                zhashx_insert (seen, name, (void *) line_number);
            continue;
        }
        if (indent > 4) {
            s_problem (problems, &count, path, line_number, "too deep: keys sit four spaces under their section");
            continue;
        }
        if (!*section) {
            s_problem (problems, &count, path, line_number, "key '%s' outside any section", name);
            continue;
        }
        if (!section_known)
            continue;       //  the unknown section was already reported
        const known_key_t *known = s_key_known (section, name);
        if (!known) {
            s_problem (problems, &count, path, line_number, "unknown key '%s' in section '%s'", name, section);
            continue;
        }
        if (*rest != '=') {
            s_problem (problems, &count, path, line_number, "key '%s' needs '= value'", name);
            continue;
        }
        char value [1024];
        const char *reason = s_parse_value (rest + 1, value, sizeof value);
        if (reason) {
            s_problem (problems, &count, path, line_number, "%s: %s", name, reason);
            continue;
        }
        char full_name [300];
        snprintf (full_name, sizeof full_name, "%s/%s", section, name);
        if (zhashx_lookup (seen, full_name)) {
            s_problem (problems, &count, path, line_number, "%s is set twice (first on line %zu)",
                       full_name, (size_t) zhashx_lookup (seen, full_name));
            continue;
        }
        zhashx_insert (seen, full_name, (void *) line_number);
        reason = s_check_value (known, value, message, sizeof message);
        if (reason)
            s_problem (problems, &count, path, line_number, "%s = '%s': %s", full_name, value, reason);
    }
    s_check_curve_pairs (seen, path, problems, &count);
    zhashx_destroy (&seen);
    free (text);
    return count;
}

ab_config_t *
ab_config_load (const char *path, char *errbuf, size_t errlen)
{
    zlistx_t *problems = zlistx_new ();
    zlistx_set_destructor (problems, (zlistx_destructor_fn *) zstr_free);
    size_t count = ab_config_check (path, problems);
    ab_config_t *self = NULL;
    if (count)
        snprintf (errbuf, errlen, "%s%s", (const char *) zlistx_first (problems),
                  count > 1? " (and more: run 'allybrief config check')": "");
    else {
        self = calloc (1, sizeof *self);
        if (self)
            self->root = zconfig_load (path);
        if (!self || !self->root) {
            snprintf (errbuf, errlen, "%s: cannot be loaded", path);
            ab_config_destroy (&self);
        }
    }
    zlistx_destroy (&problems);
    return self;
}

void
ab_config_destroy (ab_config_t **self_p)
{
    if (!*self_p)
        return;
    zconfig_destroy (&(*self_p)->root);
    free (*self_p);
    *self_p = NULL;
}

int
ab_config_from_args (int argc, char *argv [], ab_config_t **config_p, char *errbuf, size_t errlen)
{
    *config_p = NULL;
    const char *path = NULL;
    for (int index = 1; index < argc; index++) {
        if (streq (argv [index], "--"))
            break;
        if (streq (argv [index], "--config")) {
            if (index + 1 >= argc) {
                snprintf (errbuf, errlen, "--config needs a file");
                return -1;
            }
            path = argv [++index];
        }
        else
        if (strncmp (argv [index], "--config=", 9) == 0)
            path = argv [index] + 9;
    }
    if (!path)
        return 0;
    *config_p = ab_config_load (path, errbuf, errlen);
    return *config_p? 0: -1;
}

const char *
ab_config_get (ab_config_t *self, const char *path, const char *fallback)
{
    if (!self)
        return fallback;
    zconfig_t *item = zconfig_locate (self->root, path);
    const char *value = item? zconfig_value (item): NULL;
    return value? value: fallback;
}

int64_t
ab_config_number (ab_config_t *self, const char *path, int64_t fallback)
{
    const char *value = ab_config_get (self, path, NULL);
    return value? (int64_t) strtoll (value, NULL, 10): fallback;
}
