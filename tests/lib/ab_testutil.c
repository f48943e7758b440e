/*  =========================================================================
    ab_testutil - real processes, temp directories and files for tests
    =========================================================================
*/
#include "ab_testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

extern char **environ;

#define MAX_PROCS 128

struct ab_procs_t {
    pid_t pids [MAX_PROCS];
    size_t count;
};

ab_procs_t *
ab_procs_new (void)
{
    return calloc (1, sizeof (ab_procs_t));
}

void
ab_procs_destroy (ab_procs_t **self_p)
{
    if (!*self_p)
        return;
    ab_procs_t *self = *self_p;
    for (size_t index = 0; index < self->count; index++)
        if (self->pids [index] > 0) {
            kill (self->pids [index], SIGKILL);
            waitpid (self->pids [index], NULL, 0);
        }
    free (self);
    *self_p = NULL;
}

static void
s_forget (ab_procs_t *self, pid_t pid)
{
    for (size_t index = 0; index < self->count; index++)
        if (self->pids [index] == pid)
            self->pids [index] = 0;
}

const char *
ab_test_bin_dir (void)
{
    const char *bin = getenv ("AB_BIN");
    return bin && *bin? bin: "build/debug/bin";
}

const char *
ab_test_seeds_dir (void)
{
    struct stat st;
    if (stat ("../shared/seeds", &st) == 0 && S_ISDIR (st.st_mode))
        return "../shared/seeds";
    return NULL;
}

pid_t
ab_procs_start (ab_procs_t *self, const char *program, const char *const *args,
                const char *log_path, const char *stdin_path)
{
    if (self->count == MAX_PROCS)
        return -1;
    char path [4096];
    if (program [0] == '/')
        snprintf (path, sizeof path, "%s", program);
    else
        snprintf (path, sizeof path, "%s/%s", ab_test_bin_dir (), program);
    const char *argv [64] = { path };
    size_t argc = 1;
    for (size_t index = 0; args && args [index] && argc < 63; index++)
        argv [argc++] = args [index];
    argv [argc] = NULL;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init (&actions);
    posix_spawn_file_actions_addopen (&actions, 0, stdin_path? stdin_path: "/dev/null", O_RDONLY, 0);
    if (log_path) {
        posix_spawn_file_actions_addopen (&actions, 1, log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        posix_spawn_file_actions_adddup2 (&actions, 1, 2);
    }
    pid_t pid;
    int rc = posix_spawn (&pid, path, &actions, NULL, (char *const *) argv, environ);
    posix_spawn_file_actions_destroy (&actions);
    if (rc != 0) {
        fprintf (stderr, "cannot start %s: %s\n", path, strerror (rc));
        return -1;
    }
    self->pids [self->count++] = pid;
    return pid;
}

int
ab_procs_wait (ab_procs_t *self, pid_t pid, int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += 10) {
        int status;
        pid_t done = waitpid (pid, &status, WNOHANG);
        if (done == pid) {
            s_forget (self, pid);
            return WIFEXITED (status)? WEXITSTATUS (status): 128 + WTERMSIG (status);
        }
        if (done < 0)
            return -1;
        usleep (10 * 1000);
    }
    return -1;
}

int
ab_procs_stop (ab_procs_t *self, pid_t pid, int timeout_ms)
{
    kill (pid, SIGTERM);
    int status = ab_procs_wait (self, pid, timeout_ms);
    if (status < 0) {
        ab_procs_kill (self, pid);
        status = 137;
    }
    return status;
}

void
ab_procs_kill (ab_procs_t *self, pid_t pid)
{
    kill (pid, SIGKILL);
    waitpid (pid, NULL, 0);
    s_forget (self, pid);
}

char *
ab_test_tempdir (void)
{
    char *path = strdup ("/tmp/ab-test-XXXXXX");
    if (!mkdtemp (path)) {
        free (path);
        return NULL;
    }
    return path;
}

static int
s_remove (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

void
ab_test_rmtree (const char *path)
{
    if (path)
        nftw (path, s_remove, 16, FTW_DEPTH | FTW_PHYS);
}

json_t *
ab_test_load_json (const char *path)
{
    json_error_t error;
    json_t *json = json_load_file (path, 0, &error);
    if (!json)
        fprintf (stderr, "%s: %s (line %d)\n", path, error.text, error.line);
    return json;
}

char *
ab_test_read (const char *path)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return NULL;
    fseek (file, 0, SEEK_END);
    long size = ftell (file);
    fseek (file, 0, SEEK_SET);
    char *data = malloc ((size_t) size + 1);
    size_t got = data? fread (data, 1, (size_t) size, file): 0;
    if (data)
        data [got] = 0;
    fclose (file);
    return data;
}

void
ab_test_show_log (const char *path)
{
    char *text = ab_test_read (path);
    if (!text)
        return;
    size_t size = strlen (text);
    const char *start = size > 4000? text + size - 4000: text;
    fprintf (stderr, "---- %s (tail) ----\n%s\n----\n", path, start);
    free (text);
}

ab_fixture_t *
ab_fixture_new (void)
{
    ab_fixture_t *self = calloc (1, sizeof *self);
    self->procs = ab_procs_new ();
    self->dir = ab_test_tempdir ();
    size_t length = strlen (self->dir) + 16;
    self->log = malloc (length);
    snprintf (self->log, length, "%s/log.txt", self->dir);
    const char *names [] = { "work", "ack", "results", "pub", "snapshot" };
    for (int index = 0; index < 5; index++)
        snprintf (self->endpoints [index], sizeof self->endpoints [index], "ipc://%s/%s",
                  self->dir, names [index]);
    snprintf (self->out, sizeof self->out, "%s/out", self->dir);
    snprintf (self->state_db, sizeof self->state_db, "%s/sink.db", self->dir);
    snprintf (self->journal, sizeof self->journal, "%s/producer.journal", self->dir);
    snprintf (self->dead_letter, sizeof self->dead_letter, "%s/dead.jsonl", self->dir);
    return self;
}

void
ab_fixture_destroy (ab_fixture_t **self_p)
{
    if (!*self_p)
        return;
    ab_fixture_t *self = *self_p;
    ab_procs_destroy (&self->procs);
    ab_test_rmtree (self->dir);
    free (self->dir);
    free (self->log);
    free (self);
    *self_p = NULL;
}

int
ab_fixture_setup (void **state)
{
    *state = ab_fixture_new ();
    return *state? 0: -1;
}

int
ab_fixture_teardown (void **state)
{
    ab_fixture_destroy ((ab_fixture_t **) state);
    return 0;
}

json_t *
ab_fixture_run_pipeline (ab_fixture_t *self, const char *input, const char *stdin_path, int workers)
{
    const char *sink_args [] = { "--results", self->endpoints [2], "--pub", self->endpoints [3],
                                 "--snapshot", self->endpoints [4], "--ack", self->endpoints [1],
                                 "--out", self->out, "--state", self->state_db,
                                 "--write-interval", "50", NULL };
    pid_t sink = ab_procs_start (self->procs, "allybrief-sink", sink_args, self->log, NULL);
    pid_t worker_pids [AB_FIXTURE_MAX_WORKERS];
    if (workers > AB_FIXTURE_MAX_WORKERS)
        workers = AB_FIXTURE_MAX_WORKERS;
    bool started = sink > 0;
    for (int index = 0; index < workers; index++) {
        const char *worker_args [] = { "--work", self->endpoints [0], "--results", self->endpoints [2],
                                       "-q", NULL };
        worker_pids [index] = ab_procs_start (self->procs, "allybrief-worker", worker_args, self->log, NULL);
        started = started && worker_pids [index] > 0;
    }
    const char *producer_args [] = { "--work", self->endpoints [0], "--ack", self->endpoints [1],
                                     "--journal", self->journal, "--dead-letter", self->dead_letter,
                                     "--exit-when-done",
                                     stdin_path? "--stdin": input, NULL };
    pid_t producer = started? ab_procs_start (self->procs, "allybrief-producer", producer_args,
                                              self->log, stdin_path): -1;
    bool clean = producer > 0 && ab_procs_wait (self->procs, producer, 60000) == 0;
    for (int index = 0; index < workers; index++)
        if (worker_pids [index] > 0)
            clean = ab_procs_stop (self->procs, worker_pids [index], 10000) == 0 && clean;
    if (sink > 0)
        clean = ab_procs_stop (self->procs, sink, 10000) == 0 && clean;
    char path [600];
    snprintf (path, sizeof path, "%s/briefing.json", self->out);
    json_t *briefing = clean? ab_test_load_json (path): NULL;
    if (!briefing) {
        fprintf (stderr, "pipeline on %s did not end cleanly with a briefing; its log:\n", input);
        ab_test_show_log (self->log);
    }
    return briefing;
}

char *
ab_test_items_text (const char *path)
{
    json_t *document = ab_test_load_json (path);
    char *text = document? json_dumps (json_object_get (document, "items"), JSON_COMPACT | JSON_SORT_KEYS): NULL;
    json_decref (document);
    return text;
}

int
ab_test_free_port (void)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = 0 };
    address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    int port = -1;
    if (bind (fd, (struct sockaddr *) &address, sizeof address) == 0
    &&  getsockname (fd, (struct sockaddr *) &address, &length) == 0)
        port = ntohs (address.sin_port);
    close (fd);
    return port;
}

//  Append "name=value" slots to out from offset used; returns the new
//  length, never past outlen - 1 (snprintf reports what it would write)
static size_t
s_append_slots (char *out, size_t outlen, size_t used, const ab_slot_t *slots, uint32_t count)
{
    for (uint32_t index = 0; index < count && used < outlen; index++) {
        int written = snprintf (out + used, outlen - used, "%s%s=%s", index? ",": "",
                                slots [index].name, slots [index].value);
        used = written < 0 || (size_t) written >= outlen - used? outlen - 1: used + (size_t) written;
    }
    return used;
}

void
ab_test_claim_key (const ab_claim_t *claim, char *out, size_t outlen)
{
    int written = snprintf (out, outlen, "%s{", claim->type);
    size_t used = written < 0 || (size_t) written >= outlen? outlen - 1: (size_t) written;
    used = s_append_slots (out, outlen, used, claim->keys, claim->key_count);
    if (used < outlen - 1)
        snprintf (out + used, outlen - used, "}");
}

void
ab_test_claim_values (const ab_claim_t *claim, char *out, size_t outlen)
{
    out [0] = 0;
    s_append_slots (out, outlen, 0, claim->values, claim->value_count);
}

void
ab_test_dump_claims (const ab_result_t *result)
{
    for (uint32_t i = 0; i < result->claim_count; i++) {
        char k [512], v [512];
        ab_test_claim_key (&result->claims [i], k, sizeof (k));
        ab_test_claim_values (&result->claims [i], v, sizeof (v));
        fprintf (stderr, "      got %s = %s [%s] \"%s\" (%s)\n", k, v,
                 result->claims [i].hedge, result->claims [i].attribution,
                 result->claims [i].rule);
    }
}

bool
ab_test_copy_file (const char *from, const char *to)
{
    char *text = ab_test_read (from);
    FILE *file = text? fopen (to, "w"): NULL;
    if (file) {
        fputs (text, file);
        fclose (file);
    }
    free (text);
    return file != NULL;
}
