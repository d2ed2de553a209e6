#!/usr/bin/env python3
"""A proxy in front of a kube-apiserver with one planted PATCH non-conformance.

It forwards every request to the server (TLS, trusting --ca-file) unchanged, and
answers a PATCH that the server refused with 422 Unprocessable Entity with 400
Bad Request instead (the body is left as the server wrote it). A suite run through
it, in a namespace behind the cluster's own policies, must still report those
cases failed: a real difference from upstream is never set aside as policy.

  planted_proxy.py --upstream https://127.0.0.1:6443 --ca-file FILE --port N
                   [--ready-file FILE] [--log FILE]

--log records the path (without query) of every answer it changed, one per line.

Standard library only; it exits on SIGTERM.
"""

import argparse
import http.client
import ssl
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from serving import serve

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream = None  # (host, port)
    context = None
    local = threading.local()
    log = None
    log_lock = threading.Lock()

    def log_message(self, fmt, *args):
        pass

    def connection_upstream(self):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            host, port = self.upstream
            conn = http.client.HTTPSConnection(host, port, context=self.context, timeout=60)
            self.local.conn = conn
        return conn

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "host"}
        for attempt in range(2):
            conn = self.connection_upstream()
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                break
            except (http.client.HTTPException, OSError):
                conn.close()
                self.local.conn = None
                if attempt:
                    self.send_error(502, "upstream unreachable")
                    return
        status = resp.status
        if self.command == "PATCH" and status == 422:
            status = 400  # the planted non-conformance
            if self.log:
                with self.log_lock, open(self.log, "a") as f:
                    f.write(self.path.split("?")[0] + "\n")
        self.send_response(status)
        for k, v in resp.getheaders():
            if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = forward


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--ca-file", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ready-file")
    parser.add_argument("--log")
    args = parser.parse_args()
    Handler.log = args.log
    url = urllib.parse.urlsplit(args.upstream)
    Handler.upstream = (url.hostname, url.port or 443)
    Handler.context = ssl.create_default_context(cafile=args.ca_file)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    serve(server, args.port, args.ready_file)


if __name__ == "__main__":
    main()
