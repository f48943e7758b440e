/*  =========================================================================
    ab_source - where articles come from, behind one interface
    =========================================================================
*/
#include "ab_source.h"
#include "ab_file.h"
#include "ab_intake.h"
#include "ab_log.h"

ab_source_t *
ab_source_new (const ab_source_ops_t *ops, void *state, const char *name)
{
    ab_source_t *self = calloc (1, sizeof *self);
    if (self) {
        self->ops = ops;
        self->state = state;
        self->name = strdup (name);
    }
    else
        ops->destroy (&state);
    return self;
}

void
ab_source_destroy (ab_source_t **self_p)
{
    if (!*self_p)
        return;
    ab_source_t *self = *self_p;
    self->ops->destroy (&self->state);
    free (self->name);
    free (self);
    *self_p = NULL;
}

ab_source_status_t
ab_source_next (ab_source_t *self, ab_article_t **article_p, ab_deadletter_t *dead)
{
    ab_source_status_t status = self->ops->next (self->state, article_p, dead);
    if (status == AB_SOURCE_ARTICLE)
        self->articles++;
    return status;
}

int
ab_source_fd (ab_source_t *self)
{
    return self->ops->fd? self->ops->fd (self->state): -1;
}

void
ab_source_report (ab_source_t *self)
{
    if (self->ops->report)
        self->ops->report (self->state);
}

ab_article_t *
ab_source_read_file (const char *path, size_t max_body, json_t *manifest_entry, ab_deadletter_t *dead)
{
    char message [256] = "";
    size_t size = 0;
    //  Read a little past the limit so an oversized file is refused by
    //  intake with its real reason rather than as unreadable
    char *data = ab_file_read (path, max_body + 1, &size, message, sizeof message);
    ab_article_t *article = ab_article_new ();
    ab_intake_error_t error = { NULL, "" };
    int rc = -1;
    if (!data) {
        error.reason = strstr (message, "over the limit")? "too_large": "unreadable";
        snprintf (error.message, sizeof error.message, "%s", message);
    }
    else {
        rc = ab_intake_parse_text (data, size, article, &error);
        if (rc == 0) {
            if (manifest_entry)
                ab_intake_apply_manifest (article, manifest_entry);
            rc = ab_intake_finish (article, max_body, &error);
        }
    }
    if (rc == 0) {
        ab_article_set (&article->origin, path);
        article->received_ms = ab_wall_ms ();
    }
    else {
        ab_deadletter_add (dead, path, article->source, error.reason, error.message, data, size);
        ab_article_destroy (&article);
    }
    free (data);
    return article;
}
