#!/usr/bin/env python3
"""Records the HTTP requests podpatch sends and writes them out for other clients.

Used by bench/side-by-side only (never by CI or tests). Two subcommands:

  replay.py record --listen PORT --upstream URL --out requests.jsonl
      a plain HTTP/1.1 forwarding proxy that appends every request (method, path,
      content type, accept, body) and the status the upstream answered to a JSON
      lines file, one line per request, in the order the upstream answered them;

  replay.py emit --requests requests.jsonl --base URL --out DIR
      writes the same work for each client: curl config files (two keep-alive
      lanes), Hurl files (one per case, asserting the recorded status) and Tavern
      test files (one per case), plus setup.sh that creates the namespace and
      its `default` ServiceAccount.

Requests are grouped by pod (the path names it), so each case's create, patch,
read-back and delete stay in order within one lane. Two things in the recording
cannot be replayed verbatim because they name the uid of the pod of that run: the
uid precondition of a DELETE and a JSON Patch `test` of `/metadata/uid` (finalizer
removal). Both are dropped, so every replay deletes by name and leaves the server
as it found it.
"""

import argparse
import http.client
import http.server
import json
import os
import re
import sys
import threading
import urllib.parse

KEPT = ("content-type", "accept")


def record(args):
    upstream = urllib.parse.urlsplit(args.upstream)
    lock = threading.Lock()
    out = open(args.out, "a", encoding="utf-8")

    class Proxy(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in ("host", "connection", "accept-encoding")}
            # The upstream may close a kept-alive connection (after a refusal, or
            # idle): the request is then sent again on a new one.
            for attempt in (1, 2):
                if getattr(self, "conn", None) is None:
                    self.conn = http.client.HTTPConnection(upstream.hostname, upstream.port)
                try:
                    self.conn.request(self.command, self.path, body=body, headers=headers)
                    resp = self.conn.getresponse()
                    data = resp.read()
                    break
                except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
                    self.conn.close()
                    self.conn = None
                    if attempt == 2:
                        raise
            entry = {"method": self.command, "path": self.path, "status": resp.status,
                     "headers": {k.lower(): v for k, v in self.headers.items()
                                 if k.lower() in KEPT},
                     "body": body.decode("utf-8")}
            with lock:
                out.write(json.dumps(entry) + "\n")
                out.flush()
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.listen), Proxy)
    server.serve_forever()


POD_PATH = re.compile(r"^/api/v1/namespaces/([^/]+)/pods/([^/?]+)")


def replayable(entry):
    """The entry with uid-bound parts dropped (see the module doc)."""
    body = entry["body"]
    if entry["method"] == "DELETE" and body:
        doc = json.loads(body)
        doc.pop("preconditions", None)
        body = json.dumps(doc, separators=(",", ":")) if doc else ""
    elif entry["method"] == "PATCH" and "json-patch" in entry["headers"].get("content-type", ""):
        try:
            ops = json.loads(body)
        except ValueError:
            ops = None
        if isinstance(ops, list) and any(isinstance(o, dict) and o.get("path") == "/metadata/uid" and o.get("op") == "test" for o in ops):
            ops = [o for o in ops if not (o.get("op") == "test" and o.get("path") == "/metadata/uid")]
            body = json.dumps(ops, separators=(",", ":"))
    return dict(entry, body=body)


def emit(args):
    entries = [replayable(json.loads(l)) for l in open(args.requests, encoding="utf-8") if l.strip()]
    # The run's namespace is the one most pods live in; cases that aim at a
    # missing namespace name another.
    counts = {}
    for e in entries:
        if m := POD_PATH.match(e["path"]):
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    if not counts:
        sys.exit("the recording holds no pod request")
    namespace = max(counts, key=counts.get)
    # The run's own setup and teardown (version, namespace, service account, lists)
    # belong to no pod; the namespace is made once by setup.sh instead.
    cases, order = {}, []
    for e in entries:
        m = POD_PATH.match(e["path"])
        if e["method"] == "POST" and re.match(r"^/api/v1/namespaces/[^/]+/pods(\?|$)", e["path"]):
            key = json.loads(e["body"]).get("metadata", {}).get("name")
            if not key:
                continue
        elif m:
            key = m.group(2)
        else:
            continue
        if key not in cases:
            cases[key] = []
            order.append(key)
        cases[key].append(e)
    os.makedirs(args.out, exist_ok=True)
    bodies = os.path.join(args.out, "bodies")
    os.makedirs(bodies, exist_ok=True)
    base = args.base.rstrip("/")

    lanes = [[], []]
    for i, key in enumerate(order):
        lanes[i % 2].extend(cases[key])
    count = 0
    for lane, reqs in enumerate(lanes):
        with open(os.path.join(args.out, f"curl-lane{lane}.cfg"), "w") as f:
            for n, e in enumerate(reqs):
                if n:
                    f.write("next\n")
                f.write(f'url = "{base}{e["path"]}"\nrequest = {e["method"]}\nsilent\noutput = /dev/null\n')
                for k, v in e["headers"].items():
                    f.write(f'header = "{k}: {v}"\n')
                if e["body"]:
                    name = os.path.join(bodies, f"{lane}-{n}")
                    with open(name, "w") as b:
                        b.write(e["body"])
                    f.write(f'data-binary = "@{name}"\n')
                count += 1

    hurl_dir = os.path.join(args.out, "hurl")
    tavern_dir = os.path.join(args.out, "tavern")
    os.makedirs(hurl_dir, exist_ok=True)
    os.makedirs(tavern_dir, exist_ok=True)
    for key in order:
        with open(os.path.join(hurl_dir, f"{key}.hurl"), "w") as f:
            for e in cases[key]:
                f.write(f'{e["method"]} {base}{e["path"]}\n')
                for k, v in e["headers"].items():
                    f.write(f"{k}: {v}\n")
                if e["body"]:
                    # A multiline string keeps the body byte for byte.
                    f.write("```\n" + e["body"].rstrip("\n") + "\n```\n")
                f.write(f'HTTP {e["status"]}\n\n')
        with open(os.path.join(tavern_dir, f"test_{key.replace('-', '_')}.tavern.yaml"), "w") as f:
            stages = []
            for e in cases[key]:
                req = {"url": base + e["path"], "method": e["method"], "headers": e["headers"]}
                if e["body"]:
                    # Tavern formats strings with `{…}`; doubled braces are literal.
                    req["data"] = e["body"].replace("{", "{{").replace("}", "}}")
                stages.append({"name": f'{e["method"]} {e["path"]}', "request": req,
                               "response": {"status_code": e["status"]}})
            json.dump({"test_name": key, "stages": stages}, f)

    with open(os.path.join(args.out, "setup.sh"), "w") as f:
        f.write("#!/bin/sh\n# Creates the namespace the replays work in (idempotent).\n")
        ns = json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
        sa = json.dumps({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}})
        f.write(f"curl -s -o /dev/null -X POST -H 'content-type: application/json' "
                f"--data-binary '{ns}' {base}/api/v1/namespaces\n")
        # ServiceAccount admission wants the namespace's `default` account.
        f.write(f"curl -s -o /dev/null -X POST -H 'content-type: application/json' "
                f"--data-binary '{sa}' {base}/api/v1/namespaces/{namespace}/serviceaccounts\n")
    print(f"{count} requests of {len(order)} cases in namespace {namespace}")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record")
    r.add_argument("--listen", type=int, required=True)
    r.add_argument("--upstream", required=True)
    r.add_argument("--out", required=True)
    e = sub.add_parser("emit")
    e.add_argument("--requests", required=True)
    e.add_argument("--base", required=True)
    e.add_argument("--out", required=True)
    a = p.parse_args()
    record(a) if a.cmd == "record" else emit(a)


if __name__ == "__main__":
    main()
