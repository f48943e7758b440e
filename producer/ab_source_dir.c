/*  =========================================================================
    ab_source_dir - articles from a directory of *.txt files

    Files are read in name order so that a run is reproducible.  A sidecar
    manifest.jsonl ({"file","published","source","url","title"} per line)
    supplies metadata for files without a header; a header in the file wins.
    =========================================================================
*/
#include "ab_source.h"
#include "ab_log.h"

#include <dirent.h>

typedef struct {
    char *path;
    char **files;           //  sorted *.txt names
    size_t file_count;
    size_t next_file;
    json_t *manifest;       //  file name -> metadata object
    size_t max_body;
} dir_state_t;

static void
s_dir_destroy (void **state_p)
{
    dir_state_t *self = *state_p;
    if (!self)
        return;
    for (size_t index = 0; index < self->file_count; index++)
        free (self->files [index]);
    free (self->files);
    free (self->path);
    json_decref (self->manifest);
    free (self);
    *state_p = NULL;
}

static int
s_compare_names (const void *left, const void *right)
{
    return strcmp (*(char * const *) left, *(char * const *) right);
}

//  Load manifest.jsonl if present.  A bad line is reported and skipped:
//  the manifest only adds metadata, the articles still go through.
static json_t *
s_load_manifest (const char *dir)
{
    json_t *manifest = json_object ();
    char *path = zsys_sprintf ("%s/manifest.jsonl", dir);
    FILE *file = fopen (path, "re");
    if (file) {
        char *line = NULL;
        size_t capacity = 0;
        int number = 0;
        while (getline (&line, &capacity, file) > 0) {
            number++;
            if (strspn (line, " \t\r\n") == strlen (line))
                continue;
            json_error_t error;
            json_t *entry = json_loads (line, 0, &error);
            const char *name = json_string_value (json_object_get (entry, "file"));
            if (name && json_is_object (entry))
                json_object_set (manifest, name, entry);
            else
                ab_warn ("%s:%d: ignored: %s", path, number,
                         entry? "no \"file\" field": error.text);
            json_decref (entry);
        }
        free (line);
        fclose (file);
    }
    zstr_free (&path);
    return manifest;
}

static ab_source_status_t
s_dir_next (void *state, ab_article_t **article_p, ab_deadletter_t *dead)
{
    dir_state_t *self = state;
    while (self->next_file < self->file_count) {
        const char *name = self->files [self->next_file++];
        char *path = zsys_sprintf ("%s/%s", self->path, name);
        *article_p = ab_source_read_file (path, self->max_body,
                                          json_object_get (self->manifest, name), dead);
        zstr_free (&path);
        if (*article_p)
            return AB_SOURCE_ARTICLE;
    }
    return AB_SOURCE_DONE;
}

static const ab_source_ops_t s_dir_ops = {
    .kind = "dir",
    .next = s_dir_next,
    .fd = NULL,
    .destroy = s_dir_destroy
};

ab_source_t *
ab_source_dir_new (const char *path, size_t max_body, char *errbuf, size_t errlen)
{
    DIR *dir = opendir (path);
    if (!dir) {
        snprintf (errbuf, errlen, "cannot read directory %s: %s", path, strerror (errno));
        return NULL;
    }
    dir_state_t *self = calloc (1, sizeof *self);
    self->path = strdup (path);
    self->max_body = max_body;
    size_t capacity = 0;
    struct dirent *entry;
    while ((entry = readdir (dir))) {
        size_t len = strlen (entry->d_name);
        if (len < 5 || strcmp (entry->d_name + len - 4, ".txt") != 0 || entry->d_name [0] == '.')
            continue;
        if (self->file_count == capacity) {
            capacity = capacity? capacity * 2: 64;
            self->files = realloc (self->files, capacity * sizeof (char *));
        }
        self->files [self->file_count++] = strdup (entry->d_name);
    }
    closedir (dir);
    if (self->file_count)
        qsort (self->files, self->file_count, sizeof (char *), s_compare_names);
    self->manifest = s_load_manifest (path);
    char *name = zsys_sprintf ("dir:%s", path);
    ab_source_t *source = ab_source_new (&s_dir_ops, self, name);
    zstr_free (&name);
    return source;
}
