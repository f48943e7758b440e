/*  =========================================================================
    ab_writer - writes briefing.md and briefing.json on a thread of its own
    =========================================================================
*/
#include "ab_writer.h"
#include "ab_file.h"
#include "ab_log.h"
#include "ab_render.h"

#include <czmq.h>

struct ab_writer_t {
    zactor_t *actor;
    bool busy;                  //  a document was handed over, no "done" yet
};

static void
s_write (const char *out_dir, json_t *document)
{
    char message [256] = "";
    char *json_text = json_dumps (document, JSON_INDENT (2) | JSON_SORT_KEYS);
    char *markdown = ab_render_markdown (document);
    char *json_path = zsys_sprintf ("%s/briefing.json", out_dir);
    char *md_path = zsys_sprintf ("%s/briefing.md", out_dir);
    if (!json_text || !markdown)
        ab_error ("briefing: out of memory while rendering; the files keep their last version");
    if (json_text && ab_file_write_atomic (json_path, json_text, strlen (json_text), message, sizeof message))
        ab_error ("%s", message);
    if (markdown && ab_file_write_atomic (md_path, markdown, strlen (markdown), message, sizeof message))
        ab_error ("%s", message);
    zstr_free (&json_path);
    zstr_free (&md_path);
    free (json_text);
    free (markdown);
}

//  The actor: "WRITE" + a json_t * it now owns; answers each with a signal
static void
s_writer_actor (zsock_t *pipe, void *args)
{
    const char *out_dir = args;
    zsock_signal (pipe, 0);
    while (true) {
        char *command = NULL;
        void *pointer = NULL;
        if (zsock_recv (pipe, "sp", &command, &pointer) != 0) {
            zstr_free (&command);
            break;
        }
        bool stop = !command || streq (command, "$TERM");
        if (!stop) {
            json_t *document = pointer;
            s_write (out_dir, document);
            json_decref (document);
            zsock_signal (pipe, 0);
        }
        zstr_free (&command);
        if (stop)
            break;
    }
}

ab_writer_t *
ab_writer_new (const char *out_dir)
{
    ab_writer_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    //  out_dir outlives the writer: it is the sink's option string
    self->actor = zactor_new (s_writer_actor, (void *) out_dir);
    if (!self->actor) {
        free (self);
        return NULL;
    }
    return self;
}

void
ab_writer_wait (ab_writer_t *self)
{
    if (self->busy) {
        zsock_wait (self->actor);
        self->busy = false;
    }
}

void
ab_writer_destroy (ab_writer_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ab_writer_t *self = *self_p;
    ab_writer_wait (self);
    zactor_destroy (&self->actor);
    free (self);
    *self_p = NULL;
}

bool
ab_writer_offer (ab_writer_t *self, json_t **document_p)
{
    //  Collect the "done" of the last write without blocking
    if (self->busy && (zsock_events (zactor_sock (self->actor)) & ZMQ_POLLIN)) {
        zsock_wait (self->actor);
        self->busy = false;
    }
    if (self->busy)
        return false;
    if (zsock_send (self->actor, "sp", "WRITE", *document_p) != 0)
        return false;
    *document_p = NULL;
    self->busy = true;
    return true;
}
