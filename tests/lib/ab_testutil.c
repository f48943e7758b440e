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
