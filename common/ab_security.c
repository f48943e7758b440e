/*  =========================================================================
    ab_security - CURVE on allybrief's sockets, and who may connect
    =========================================================================
*/
#include "ab_security.h"
#include "ab_file.h"
#include "ab_log.h"

#include <stdatomic.h>
#include <sys/stat.h>

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_DOMAIN "allybrief"

struct ab_security_t {
    zcert_t *cert;              //  our key pair, NULL without CURVE
    char *allow_dir;            //  allowed public certs, NULL if none
    zactor_t *zap;              //  the ZAP handler, when allow_dir is set
    bool zap_failed;            //  set by the actor if it could not bind
    atomic_uint_fast64_t denied;
};

//  One ZAP request: version, request id, domain, address, routing id,
//  mechanism, then credentials (for CURVE, the client's 32-byte key)
static void
s_zap_answer (ab_security_t *self, zcertstore_t *allowed, zsock_t *handler, zmsg_t *request)
{
    char *version = zmsg_popstr (request);
    char *request_id = zmsg_popstr (request);
    char *domain = zmsg_popstr (request);
    char *address = zmsg_popstr (request);
    char *routing_id = zmsg_popstr (request);
    char *mechanism = zmsg_popstr (request);
    zframe_t *key = zmsg_pop (request);
    char key_text [41] = "?";
    bool curve_key = mechanism && streq (mechanism, "CURVE") && key && zframe_size (key) == 32;
    if (curve_key)
        zmq_z85_encode (key_text, zframe_data (key), 32);
    bool allowed_peer = curve_key && zcertstore_lookup (allowed, key_text) != NULL;
    //  ipc:// peers have no address; say so rather than print nothing
    const char *peer = address && *address? address: "(ipc, no address)";
    if (allowed_peer)
        ab_debug ("CURVE peer %s allowed (key %s)", peer, key_text);
    else {
        uint64_t count = atomic_fetch_add (&self->denied, 1) + 1;
        ab_warn ("refused peer %s: %s key %s is not in the allow-list %s (%llu refused so far)",
                 peer, mechanism? mechanism: "no", key_text, self->allow_dir, (unsigned long long) count);
    }
    zsock_send (handler, "ssssss", version? version: "1.0", request_id? request_id: "",
                allowed_peer? "200": "400", allowed_peer? "OK": "key not allowed",
                allowed_peer? key_text: "", "");
    zframe_destroy (&key);
    zstr_free (&version);
    zstr_free (&request_id);
    zstr_free (&domain);
    zstr_free (&address);
    zstr_free (&routing_id);
    zstr_free (&mechanism);
}

static void
s_zap_actor (zsock_t *pipe, void *args)
{
    ab_security_t *self = args;
    zsock_t *handler = zsock_new (ZMQ_REP);
    zcertstore_t *allowed = zcertstore_new (self->allow_dir);
    if (zsock_bind (handler, ZAP_ENDPOINT) < 0 || !allowed) {
        self->zap_failed = true;
        zsock_destroy (&handler);
        zcertstore_destroy (&allowed);
        zsock_signal (pipe, 0);
        return;
    }
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, handler, NULL);
    //  Runs until the pipe speaks ($TERM from zactor_destroy) or the
    //  context ends under us
    while (zpoller_wait (poller, -1) == handler) {
        zmsg_t *request = zmsg_recv (handler);
        if (!request)
            break;
        s_zap_answer (self, allowed, handler, request);
        zmsg_destroy (&request);
    }
    zpoller_destroy (&poller);
    zcertstore_destroy (&allowed);
    zsock_destroy (&handler);
}

static bool
s_is_dir (const char *path)
{
    struct stat st;
    return stat (path, &st) == 0 && S_ISDIR (st.st_mode);
}

static bool
s_is_file (const char *path)
{
    struct stat st;
    return stat (path, &st) == 0 && S_ISREG (st.st_mode);
}

//  A certificate file that itself holds a secret key.  zcert_load cannot
//  tell us: given NAME.cert it quietly loads NAME.cert_secret if that
//  exists, so the file is read as ZPL first.
static zcert_t *
s_load_secret_cert (const char *path, char *errbuf, size_t errlen)
{
    zconfig_t *file = s_is_file (path)? zconfig_load (path): NULL;
    const char *secret = file? zconfig_get (file, "curve/secret-key", NULL): NULL;
    bool has_secret = secret && strlen (secret) == 40;
    zconfig_destroy (&file);
    zcert_t *cert = has_secret? zcert_load (path): NULL;
    if (!cert)
        snprintf (errbuf, errlen, "%s is not a secret certificate (give the NAME.cert_secret "
                  "file written by 'allybrief keygen')", path);
    return cert;
}

int
ab_security_check_cert (const char *path, bool need_secret, char *errbuf, size_t errlen)
{
    zcert_t *cert = NULL;
    if (need_secret)
        cert = s_load_secret_cert (path, errbuf, errlen);
    else
    if (!(cert = s_is_file (path)? zcert_load (path): NULL))
        snprintf (errbuf, errlen, "cannot load certificate %s", path);
    int rc = cert? 0: -1;
    zcert_destroy (&cert);
    return rc;
}

ab_security_t *
ab_security_new (const char *cert_path, const char *allow_dir, char *errbuf, size_t errlen)
{
    ab_security_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (errbuf, errlen, "out of memory");
        return NULL;
    }
    atomic_init (&self->denied, 0);
    if (cert_path && *cert_path) {
        self->cert = s_load_secret_cert (cert_path, errbuf, errlen);
        if (!self->cert) {
            ab_security_destroy (&self);
            return NULL;
        }
    }
    if (allow_dir && *allow_dir && self->cert) {
        if (!s_is_dir (allow_dir)) {
            snprintf (errbuf, errlen, "allow-list %s is not a directory", allow_dir);
            ab_security_destroy (&self);
            return NULL;
        }
        self->allow_dir = strdup (allow_dir);
        self->zap = zactor_new (s_zap_actor, self);
        if (!self->zap || self->zap_failed) {
            snprintf (errbuf, errlen, "cannot start the CURVE authenticator for %s", allow_dir);
            ab_security_destroy (&self);
            return NULL;
        }
    }
    return self;
}

void
ab_security_destroy (ab_security_t **self_p)
{
    if (!*self_p)
        return;
    ab_security_t *self = *self_p;
    zactor_destroy (&self->zap);
    zcert_destroy (&self->cert);
    free (self->allow_dir);
    free (self);
    *self_p = NULL;
}

bool
ab_security_enabled (ab_security_t *self)
{
    return self && self->cert;
}

bool
ab_security_endpoint_is_public (const char *endpoint)
{
    if (strncmp (endpoint, "tcp://", 6) != 0)
        return false;
    const char *host = endpoint + 6;
    //  "tcp://iface;host:port" names a local interface first: judge that
    const char *semicolon = strchr (host, ';');
    if (semicolon)
        host = semicolon + 1;
    const char *loopback [] = { "127.", "localhost:", "[::1]:", "lo:", NULL };
    for (int index = 0; loopback [index]; index++)
        if (strncmp (host, loopback [index], strlen (loopback [index])) == 0)
            return false;
    return true;
}

int
ab_security_bind (ab_security_t *self, zsock_t *sock, const char *endpoint, const char *what)
{
    if (ab_security_enabled (self)) {
        if (!self->zap) {
            ab_error ("%s %s: a CURVE server needs an allow-list directory (curve/allow)", what, endpoint);
            return -1;
        }
        zcert_apply (self->cert, sock);
        zsock_set_curve_server (sock, 1);
        zsock_set_zap_domain (sock, ZAP_DOMAIN);
    }
    else
    if (ab_security_endpoint_is_public (endpoint))
        ab_warn ("%s %s is reachable from other machines UNENCRYPTED and open to anyone: "
                 "configure CURVE keys (see README, Deploy)", what, endpoint);
    if (zsock_bind (sock, "%s", endpoint) < 0) {
        ab_error ("cannot bind %s %s: %s", what, endpoint, zmq_strerror (zmq_errno ()));
        return -1;
    }
    return 0;
}

int
ab_security_connect (ab_security_t *self, zsock_t *sock, const char *endpoint,
                     const char *server_cert, const char *what)
{
    if (ab_security_enabled (self)) {
        zcert_t *server = server_cert && *server_cert && s_is_file (server_cert)?
                          zcert_load (server_cert): NULL;
        if (!server) {
            ab_error ("%s %s: cannot load the server's public certificate '%s'", what, endpoint,
                      server_cert? server_cert: "");
            return -1;
        }
        zcert_apply (self->cert, sock);
        zsock_set_curve_serverkey (sock, zcert_public_txt (server));
        zcert_destroy (&server);
    }
    if (zsock_connect (sock, "%s", endpoint) < 0) {
        ab_error ("cannot connect %s %s: %s", what, endpoint, zmq_strerror (zmq_errno ()));
        return -1;
    }
    return 0;
}

uint64_t
ab_security_denied (ab_security_t *self)
{
    return self? atomic_load (&self->denied): 0;
}

int
ab_security_keygen (const char *dir, const char *name, char *errbuf, size_t errlen)
{
    if (!*name || strchr (name, '/')) {
        snprintf (errbuf, errlen, "key name '%s' must be non-empty and without '/'", name);
        return -1;
    }
    if (ab_file_mkdirs (dir) != 0) {
        snprintf (errbuf, errlen, "cannot create %s: %s", dir, strerror (errno));
        return -1;
    }
    char *public_path = zsys_sprintf ("%s/%s.cert", dir, name);
    char *secret_path = zsys_sprintf ("%s/%s.cert_secret", dir, name);
    int rc = -1;
    if (s_is_file (public_path) || s_is_file (secret_path))
        snprintf (errbuf, errlen, "%s already exists: not overwriting a key", public_path);
    else {
        zcert_t *cert = zcert_new ();
        zcert_set_meta (cert, "name", "%s", name);
        //  The secret file is created private before anything is written
        mode_t old_mask = umask (077);
        rc = cert? zcert_save (cert, public_path): -1;
        umask (old_mask);
        if (rc == 0)
            chmod (public_path, 0644);
        else
            snprintf (errbuf, errlen, "cannot write %s", public_path);
        zcert_destroy (&cert);
    }
    zstr_free (&public_path);
    zstr_free (&secret_path);
    return rc;
}
