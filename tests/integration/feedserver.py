#!/usr/bin/env python3
"""feedserver - a misbehaving-on-purpose HTTP server for test_feeds.

Usage: feedserver.py ROOT PORT_FILE LOG_FILE

Binds 127.0.0.1 on a free port, writes the port to PORT_FILE, and serves
files from ROOT with an ETag (SHA-1 of the bytes) and Last-Modified (the
file's mtime), answering 304 to a matching If-None-Match or an
If-Modified-Since not older than the file.  Fixed fault paths:

  /slow        sleeps 5 s before answering (beyond the test's timeout)
  /loop        redirects to itself forever
  /huge        a 10 MiB body with its Content-Length
  /stream      a 10 MiB body without a length (ends when the server closes)
  anything missing under ROOT: 404

Every request is appended to LOG_FILE as "GET PATH STATUS" (one line,
flushed), so the test can count polls and 304s.
"""
import email.utils
import hashlib
import http.server
import os
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _record(self, status):
        with open(self.server.log_path, "a") as log:
            log.write("GET %s %d\n" % (self.path, status))

    def _send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
        self._record(status)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/slow":
            time.sleep(5)
            return self._send(200, b"<rss><channel></channel></rss>")
        if path == "/loop":
            return self._send(302, headers=[("Location", "/loop")])
        if path == "/huge":
            return self._send(200, b"<rss>" + b" " * (10 * 1024 * 1024) + b"</rss>",
                              [("Content-Type", "application/rss+xml")])
        if path == "/stream":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            try:
                self.wfile.write(b"<rss>")
                for _ in range(10 * 16):
                    self.wfile.write(b" " * 65536)
                self.wfile.write(b"</rss>")
            except (BrokenPipeError, ConnectionResetError):
                pass
            return self._record(200)
        local = os.path.join(self.server.root, path.lstrip("/"))
        if ".." in path or not os.path.isfile(local):
            return self._send(404, b"not found")
        with open(local, "rb") as handle:
            body = handle.read()
        mtime = int(os.stat(local).st_mtime)
        etag = '"%s"' % hashlib.sha1(body).hexdigest()
        modified = email.utils.formatdate(mtime, usegmt=True)
        validators = [("ETag", etag), ("Last-Modified", modified)]
        if self.headers.get("If-None-Match") == etag:
            return self._send(304, headers=validators)
        since = self.headers.get("If-Modified-Since")
        if since and not self.headers.get("If-None-Match"):
            try:
                if email.utils.parsedate_to_datetime(since).timestamp() >= mtime:
                    return self._send(304, headers=validators)
            except (TypeError, ValueError):
                pass
        self._send(200, body, validators + [("Content-Type", "application/xml")])


def main():
    if len(sys.argv) != 4:
        sys.stderr.write("usage: feedserver.py ROOT PORT_FILE LOG_FILE\n")
        return 2
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.root = sys.argv[1]
    server.log_path = sys.argv[3]
    temp = sys.argv[2] + ".tmp"
    with open(temp, "w") as handle:
        handle.write("%d\n" % server.server_address[1])
    os.rename(temp, sys.argv[2])
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
