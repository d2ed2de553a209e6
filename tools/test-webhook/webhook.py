#!/usr/bin/env python3
"""A small admission webhook for podpatch's policy scenarios (standard library only).

It serves AdmissionReview v1 over TLS on a loopback port:

  /mutate    on CREATE of a pod: adds the label podpatch.test/injected=true and a
             sidecar container `podpatch-sidecar`; on UPDATE: adds the label again
             if the request removed it (as sidecar injectors and policy engines do)
  /validate  denies a pod (CREATE or UPDATE) any of whose containers or init
             containers has no cpu or memory limit
  /rewrite   on UPDATE: rewrites every container and init container image to the
             mirror `mirror.podpatch.test/...` (as image-mirror policies do)
  /freeze    denies an UPDATE that changes the pod's annotations
  /healthz   answers 200

  webhook.py --cert FILE --key FILE --port N [--ready-file FILE]

Nothing else: no state, no other API. It exits on SIGTERM.
"""

import argparse
import base64
import json
import ssl
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from serving import serve

LABEL = "podpatch.test/injected"
SIDECAR = {
    "name": "podpatch-sidecar",
    "image": "registry.k8s.io/pause:3.10",
    "resources": {
        "requests": {"cpu": "10m", "memory": "16Mi"},
        "limits": {"cpu": "10m", "memory": "16Mi"},
    },
    "securityContext": {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "runAsNonRoot": True,
        "runAsUser": 65532,
        "seccompProfile": {"type": "RuntimeDefault"},
    },
}


def pointer(key):
    return key.replace("~", "~0").replace("/", "~1")


def patched(request, ops):
    """An allowing AdmissionReview response carrying `ops` as its JSON patch, if any."""
    response = {"uid": request.get("uid"), "allowed": True}
    if ops:
        response["patchType"] = "JSONPatch"
        response["patch"] = base64.b64encode(json.dumps(ops).encode()).decode()
    return response


def mutate(request):
    pod = request.get("object") or {}
    meta = pod.get("metadata") or {}
    labels = meta.get("labels")
    ops = []
    if labels is None:
        ops.append({"op": "add", "path": "/metadata/labels", "value": {LABEL: "true"}})
    elif labels.get(LABEL) != "true":
        ops.append({"op": "add", "path": "/metadata/labels/" + pointer(LABEL), "value": "true"})
    containers = (pod.get("spec") or {}).get("containers") or []
    if request.get("operation") == "CREATE" and not any(
        c.get("name") == SIDECAR["name"] for c in containers
    ):
        ops.append({"op": "add", "path": "/spec/containers/-", "value": SIDECAR})
    return patched(request, ops)


def validate(request):
    pod = request.get("object") or {}
    spec = pod.get("spec") or {}
    for c in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        limits = (c.get("resources") or {}).get("limits") or {}
        missing = [r for r in ("cpu", "memory") if r not in limits]
        if missing:
            return {
                "uid": request.get("uid"),
                "allowed": False,
                "status": {
                    "code": 403,
                    "reason": "Forbidden",
                    "message": "container %s has no %s limit"
                    % (json.dumps(c.get("name")), " or ".join(missing)),
                },
            }
    return {"uid": request.get("uid"), "allowed": True}


MIRROR = "mirror.podpatch.test/"


def rewrite(request):
    """Update-time mutation that changes what a PATCH answers: images move to a mirror."""
    spec = (request.get("object") or {}).get("spec") or {}
    ops = []
    if request.get("operation") == "UPDATE":
        for field in ("initContainers", "containers"):
            for i, c in enumerate(spec.get(field) or []):
                image = c.get("image")
                if isinstance(image, str) and not image.startswith(MIRROR):
                    ops.append({"op": "replace", "path": "/spec/%s/%d/image" % (field, i), "value": MIRROR + image})
    return patched(request, ops)


def freeze(request):
    """Update-time refusal of what the Pod API allows: annotations may not change."""
    def annotations(obj):
        return ((obj or {}).get("metadata") or {}).get("annotations") or {}

    if request.get("operation") == "UPDATE" and annotations(request.get("object")) != annotations(
        request.get("oldObject")
    ):
        return {
            "uid": request.get("uid"),
            "allowed": False,
            "status": {"code": 403, "reason": "Forbidden", "message": "annotations are frozen after creation"},
        }
    return {"uid": request.get("uid"), "allowed": True}


WEBHOOKS = {"/mutate": mutate, "/validate": validate, "/rewrite": rewrite, "/freeze": freeze}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the apiserver logs what matters
        pass

    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.reply(200 if self.path == "/healthz" else 404, {"ok": self.path == "/healthz"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            review = json.loads(self.rfile.read(length))
            request = review["request"]
        except (ValueError, KeyError, TypeError):
            self.reply(400, {"error": "not an AdmissionReview"})
            return
        webhook = WEBHOOKS.get(self.path.split("?")[0])
        if webhook is None:
            self.reply(404, {"error": "no such webhook"})
            return
        response = webhook(request)
        self.reply(200, {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": response})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ready-file")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    serve(server, args.port, args.ready_file)


if __name__ == "__main__":
    main()
