/*  =========================================================================
    ab_security - CURVE on allybrief's sockets, and who may connect

    One ab_security_t per process.  With a certificate (a secret cert file
    written by `allybrief keygen`) every socket the process binds is a
    CURVE server and every socket it connects is a CURVE client; without
    one, sockets are plain and a bind on a non-loopback tcp address is
    warned about, since anyone who can reach it can then read the stream.

    A process that binds with CURVE also needs an allow-list: a directory
    of public certificates.  A ZAP handler (RFC 27) run by this module
    accepts a peer only if its public key is in that directory (re-read
    when the directory changes) and logs every refusal with the peer's
    address and key.  We answer ZAP ourselves rather than through czmq's
    zauth because zauth reports the address and the verdict on separate
    zsys lines, outside our log format, and keeps no count; the allow-list
    itself is czmq's zcertstore, as in zauth.

    The object owns the loaded certificate and the handler actor; sockets
    stay owned by the caller and must be destroyed before the object.
    =========================================================================
*/
#ifndef AB_SECURITY_H_INCLUDED
#define AB_SECURITY_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct ab_security_t ab_security_t;

//  cert_path: this process's secret certificate, or NULL/"" for no CURVE.
//  allow_dir: directory of allowed public certificates, or NULL/"" when
//  the process binds nothing with CURVE.  Returns NULL with a message in
//  errbuf if a file cannot be used (a public-only cert, a missing
//  directory) or the ZAP handler cannot start (another one in the process).
ab_security_t *ab_security_new (const char *cert_path, const char *allow_dir,
                                char *errbuf, size_t errlen);
void ab_security_destroy (ab_security_t **self_p);

//  True when sockets get CURVE.
bool ab_security_enabled (ab_security_t *self);

//  Bind sock on endpoint as a CURVE server (self NULL or not enabled: in
//  the clear, with a warning for a public tcp address).  what names the
//  endpoint in messages (e.g. "--work").  Returns 0, or -1 after logging.
int ab_security_bind (ab_security_t *self, zsock_t *sock, const char *endpoint,
                      const char *what);

//  Connect sock to endpoint as a CURVE client of the server whose public
//  certificate is server_cert (required when enabled).  Returns 0, or -1
//  after logging.
int ab_security_connect (ab_security_t *self, zsock_t *sock, const char *endpoint,
                         const char *server_cert, const char *what);

//  Peers refused so far (handshakes denied by the allow-list).
uint64_t ab_security_denied (ab_security_t *self);

//  True if endpoint is tcp:// on an address other than loopback.
bool ab_security_endpoint_is_public (const char *endpoint);

//  Check that path is a loadable certificate (with its secret key when
//  need_secret).  Returns 0, or -1 with a message in errbuf.
int ab_security_check_cert (const char *path, bool need_secret, char *errbuf, size_t errlen);

//  Write a new key pair: DIR/NAME.cert (public, for allow-lists and
//  server_key settings) and DIR/NAME.cert_secret (mode 0600).  Refuses to
//  overwrite.  Returns 0, or -1 with a message in errbuf.
int ab_security_keygen (const char *dir, const char *name, char *errbuf, size_t errlen);

#endif
