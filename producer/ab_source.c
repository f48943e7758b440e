/*  =========================================================================
    ab_source - where articles come from, behind one interface
    =========================================================================
*/
#include "ab_source.h"

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
