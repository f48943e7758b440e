/*  =========================================================================
    bench_zmq_raw - the transport ceiling: raw libzmq PUSH/PULL of the same
    ARTICLE messages the pipeline benchmark sends

    Encodes articles 0 .. N-1 of the bench stream (bench_corpus_article,
    the articles bench_pipeline feeds the producer) as ARTICLE messages up
    front, then pushes them from this thread to a PULL socket bound in a
    second thread over ENDPOINT, and times from the first send to the last
    receive (wall clock; one warm-up message first, so connecting is not
    timed).  The receiver only receives and frees: nothing is decoded.

    Usage: bench_zmq_raw [-s SAMPLES] [-n COUNT] [-l LABEL] ENDPOINT
    Prints a line and "FIGURE raw_LABEL_aps" for bench/run.sh.
    =========================================================================
*/
#include "bench_corpus.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define USAGE "usage: bench_zmq_raw [-s samples_dir] [-n count] [-l label] endpoint\n"
//  A message lost in a broken run must not hang `make bench`
#define RECEIVE_TIMEOUT_MS 10000

typedef struct {
    const char *endpoint;
    size_t count;
} receiver_args_t;

//  After the actor handshake: bind PULL and signal 0 (1 if it cannot), take
//  the warm-up message and signal, then take count messages and signal 0
//  (1 on a timeout)
static void
s_receiver (zsock_t *pipe, void *args)
{
    const receiver_args_t *options = (const receiver_args_t *) args;
    zsock_signal (pipe, 0);
    zsock_t *pull = zsock_new (ZMQ_PULL);
    if (!pull || zsock_bind (pull, "%s", options->endpoint) < 0) {
        fprintf (stderr, "bench_zmq_raw: cannot bind %s: %s\n", options->endpoint, zmq_strerror (zmq_errno ()));
        zsock_destroy (&pull);
        zsock_signal (pipe, 1);
        zmsg_t *term = zmsg_recv (pipe);
        zmsg_destroy (&term);
        return;
    }
    zsock_set_rcvhwm (pull, 0);
    zsock_set_rcvtimeo (pull, RECEIVE_TIMEOUT_MS);
    zsock_signal (pipe, 0);
    int status = 0;
    for (size_t received = 0; received <= options->count; received++) {
        zmsg_t *msg = zmsg_recv (pull);
        if (!msg) {
            status = 1;
            break;
        }
        zmsg_destroy (&msg);
        if (received == 0)
            zsock_signal (pipe, 0);
    }
    zsock_signal (pipe, (byte) status);
    zsock_destroy (&pull);
    //  Wait for $TERM, as every czmq actor must
    zmsg_t *term = zmsg_recv (pipe);
    zmsg_destroy (&term);
}

int
main (int argc, char **argv)
{
    const char *samples = "samples";
    const char *label = "zmq";
    long count = 20000;
    int opt;
    while ((opt = getopt (argc, argv, "s:n:l:h")) != -1) {
        switch (opt) {
            case 's': samples = optarg; break;
            case 'n': count = atol (optarg); break;
            case 'l': label = optarg; break;
            case 'h': printf (USAGE); return 0;
            default: fprintf (stderr, USAGE); return 2;
        }
    }
    if (optind != argc - 1 || count < 1) {
        fprintf (stderr, USAGE);
        return 2;
    }
    zsys_init ();
    zsys_set_logstream (NULL);
    char err [512] = "";
    bench_corpus_t *corpus = bench_corpus_new (samples, 0, err, sizeof err);
    zmsg_t **messages = corpus? calloc ((size_t) count + 1, sizeof *messages): NULL;
    if (!messages) {
        fprintf (stderr, "bench_zmq_raw: %s\n", *err? err: "out of memory");
        bench_corpus_destroy (&corpus);
        return 1;
    }
    //  Message 0 warms up the connection; 1 .. count are timed
    size_t bytes = 0;
    for (long n = 0; n <= count; n++) {
        ab_article_t *article = ab_article_new ();
        if (!article || bench_corpus_article (corpus, (uint64_t) (n? n - 1: 0), article) != 0
        ||  !(messages [n] = ab_article_encode (article))) {
            fprintf (stderr, "bench_zmq_raw: out of memory\n");
            return 1;
        }
        if (n)
            bytes += zmsg_content_size (messages [n]);
        ab_article_destroy (&article);
    }
    receiver_args_t args = { argv [optind], (size_t) count };
    zactor_t *receiver = zactor_new (s_receiver, &args);
    zsock_t *push = receiver && zsock_wait (receiver) == 0? zsock_new (ZMQ_PUSH): NULL;
    int rc = 1;
    if (push) {
        zsock_set_sndhwm (push, 0);
        zsock_set_sndtimeo (push, RECEIVE_TIMEOUT_MS);
        if (zsock_connect (push, "%s", argv [optind]) == 0
        &&  zmsg_send (&messages [0], push) == 0 && zsock_wait (receiver) == 0) {
            double start = bench_now ();
            long sent = 1;
            while (sent <= count && zmsg_send (&messages [sent], push) == 0)
                sent++;
            int status = zsock_wait (receiver);
            double elapsed = bench_now () - start;
            if (sent > count && status == 0) {
                printf ("raw PUSH/PULL %s: %ld ARTICLE messages (%.0f bytes each) in %.3f s: "
                        "%.0f messages/s, %.1f MB/s\n", argv [optind], count,
                        (double) bytes / (double) count, elapsed, (double) count / elapsed,
                        (double) bytes / 1e6 / elapsed);
                char name [64];
                snprintf (name, sizeof name, "raw_%s_aps", label);
                bench_figure (name, (double) count / elapsed);
                rc = 0;
            }
            else
                fprintf (stderr, "bench_zmq_raw: %s: only part of the messages arrived\n", argv [optind]);
        }
        else
            fprintf (stderr, "bench_zmq_raw: %s: the warm-up message did not arrive\n", argv [optind]);
    }
    zsock_destroy (&push);
    zactor_destroy (&receiver);
    for (long n = 0; n <= count; n++)
        zmsg_destroy (&messages [n]);
    free (messages);
    bench_corpus_destroy (&corpus);
    return rc;
}
