#!/usr/bin/env python3
"""A stand-in for kube-controller-manager's resourcequota controller, for podpatch's
quota scenario on a bare kube-apiserver (standard library only).

Every interval it lists the pods of one namespace and writes each ResourceQuota's
status: hard from spec, used counted from the pods that are not finished (pods,
requests.cpu, requests.memory, limits.cpu, limits.memory, cpu, memory), as the
real controller recalculates usage. Without it, quota admission only ever adds
to `used`, and the namespace runs out for good after its first pods.

  quota_controller.py --namespace NS [--interval 1]
      (PODPATCH_TARGET, PODPATCH_TOKEN_FILE, PODPATCH_CA_FILE name the server)

It exits on SIGTERM.
"""

import argparse
import json
import os
import signal
import ssl
import sys
import time
import urllib.request
from decimal import Decimal

SUFFIXES = {
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40,
    "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "m": Decimal("0.001"),
}


def quantity(text):
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if text.endswith(suffix):
            return Decimal(text[: -len(suffix)]) * SUFFIXES[suffix]
    return Decimal(text)


def render(resource, value):
    if resource.endswith("cpu") or resource == "cpu":
        return "%dm" % int(value * 1000)
    if resource.endswith("memory") or resource == "memory":
        return str(int(value))
    return str(int(value))


def usage(pods):
    used = {}
    for pod in pods:
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            continue
        used["pods"] = used.get("pods", 0) + 1
        for c in (pod.get("spec") or {}).get("containers") or []:
            res = c.get("resources") or {}
            for kind in ("requests", "limits"):
                for name, text in (res.get(kind) or {}).items():
                    key = "%s.%s" % (kind, name)
                    used[key] = used.get(key, 0) + quantity(text)
                    if kind == "requests":
                        used[name] = used.get(name, 0) + quantity(text)
    return used


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args()
    base = os.environ["PODPATCH_TARGET"]
    with open(os.environ["PODPATCH_TOKEN_FILE"]) as f:
        token = f.read().strip()
    context = ssl.create_default_context(cafile=os.environ["PODPATCH_CA_FILE"])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    def call(method, path, body=None):
        req = urllib.request.Request(base + path, method=method,
                                     data=json.dumps(body).encode() if body else None)
        req.add_header("Authorization", "Bearer " + token)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, context=context, timeout=10) as r:
            return json.load(r)

    ns = args.namespace
    while True:
        try:
            pods = call("GET", "/api/v1/namespaces/%s/pods" % ns)["items"]
            used = usage(pods)
            for q in call("GET", "/api/v1/namespaces/%s/resourcequotas" % ns)["items"]:
                hard = q["spec"].get("hard") or {}
                q["status"] = {
                    "hard": hard,
                    "used": {k: render(k, used.get(k, 0)) for k in hard},
                }
                try:
                    call("PUT", "/api/v1/namespaces/%s/resourcequotas/%s/status"
                         % (ns, q["metadata"]["name"]), q)
                except urllib.error.HTTPError as e:
                    if e.code != 409:  # raced with quota admission: next round
                        raise
        except Exception as e:  # keep going: the server may be busy
            print("quota_controller: %s" % e, file=sys.stderr)
        time.sleep(args.interval)


if __name__ == "__main__":
    main()
