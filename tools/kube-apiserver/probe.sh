#!/usr/bin/env bash
# Record raw responses (status line, headers, body) of the real kube-apiserver
# for the Pod PATCH endpoint into tools/kube-apiserver/probes/, one file per
# probe, with the curl command (token elided) at the top.
#
#   eval "$(scripts/real-apiserver up)"
#   tools/kube-apiserver/probe.sh
#   scripts/real-apiserver down
#
# Responses are taken over HTTP/1.1 (--http1.1) so the header names are the
# bytes Go's net/http writes; curl -i output, header lines end in CRLF.
# The User-Agent is not curl's: the apiserver pretty-prints JSON for
# User-Agents starting with curl/Wget, and real clients get compact JSON.
set -euo pipefail
: "${PODPATCH_TARGET:?run: eval \"\$(scripts/real-apiserver up)\"}"
: "${PODPATCH_TOKEN_FILE:?}" "${PODPATCH_CA_FILE:?}"
OUT=${PROBE_OUT:-$(cd "$(dirname "$0")" && pwd)/probes}
UA=podpatch-probe/1
NS=probe
P=/api/v1/namespaces/$NS/pods
mkdir -p "$OUT"
rm -f "$OUT"/[0-9][0-9]-*.txt
n=0

# shell-quote for display: '...' unless it holds a newline
q() {
  if [[ $1 == *$'\n'* ]]; then printf %q "$1"; else printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}

# probe NAME METHOD PATH [CONTENT-TYPE BODY]
probe() {
  local name=$1 method=$2 path=$3 ctype=${4:-} body=${5:-} f cmd
  n=$((n + 1))
  f=$(printf '%s/%02d-%s.txt' "$OUT" "$n" "$name")
  cmd="curl -sS -i --http1.1 -A $UA -X $method --cacert \"\$PODPATCH_CA_FILE\" -H \"Authorization: Bearer \$TOKEN\""
  local args=(-sS -i --http1.1 -A "$UA" -X "$method" --cacert "$PODPATCH_CA_FILE")
  if [[ -n $ctype ]]; then
    cmd+=" -H $(q "Content-Type: $ctype") --data-binary $(q "$body")"
    args+=(-H "Content-Type: $ctype" --data-binary "$body")
  fi
  cmd+=" $(q "$PODPATCH_TARGET$path")"
  {
    printf '# %s\n' "$cmd"
    # the token goes through a pipe, never on a command line
    curl "${args[@]}" -H @<(printf 'Authorization: Bearer %s\n' "$(cat "$PODPATCH_TOKEN_FILE")") \
      "$PODPATCH_TARGET$path"
  } >"$f"
  printf '%-40s %s\n' "${f##*/}" "$(sed -n 2p "$f" | tr -d '\r')" >&2
}

J=application/json
JP=application/json-patch+json
MP=application/merge-patch+json
SMP=application/strategic-merge-patch+json
AP=application/apply-patch+yaml

probe version GET /version
probe create-namespace POST /api/v1/namespaces $J '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"probe"}}'
probe create-serviceaccount POST /api/v1/namespaces/$NS/serviceaccounts $J '{"metadata":{"name":"default"}}'
probe create-pod POST $P $J '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}'

# the four PATCH flavours
probe patch-json-patch PATCH $P/web $JP '[{"op":"add","path":"/metadata/labels","value":{"app":"web"}},{"op":"replace","path":"/spec/containers/0/image","value":"nginx:1.27.1"}]'
probe patch-merge-patch PATCH $P/web $MP '{"metadata":{"annotations":{"probe/merge":"yes"}}}'
probe patch-strategic-merge-patch PATCH $P/web $SMP '{"spec":{"containers":[{"name":"web","image":"nginx:1.27.2"}]}}'
probe patch-apply-yaml PATCH "$P/web?fieldManager=x" $AP $'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    applied: "yes"\n'

# errors
probe err-404-missing-pod PATCH $P/missing $MP '{"metadata":{"labels":{"a":"b"}}}'
probe err-415-text-plain PATCH $P/web text/plain '{"metadata":{"labels":{"a":"b"}}}'
probe err-422-json-patch-test-failed PATCH $P/web $JP '[{"op":"test","path":"/metadata/name","value":"nope"}]'
probe set-active-deadline-60 PATCH $P/web $MP '{"spec":{"activeDeadlineSeconds":60}}'
probe err-422-raise-active-deadline PATCH $P/web $MP '{"spec":{"activeDeadlineSeconds":120}}'
probe err-422-container-name PATCH $P/web $JP '[{"op":"replace","path":"/spec/containers/0/name","value":"other"}]'
probe err-409-stale-resource-version PATCH $P/web $MP '{"metadata":{"resourceVersion":"1","labels":{"a":"b"}}}'
probe err-400-name-mismatch PATCH $P/web $MP '{"metadata":{"name":"other"}}'
probe err-405-collection PATCH $P $MP '{"metadata":{"labels":{"a":"b"}}}'
probe err-404-missing-namespace PATCH /api/v1/namespaces/nope/pods/web $MP '{"metadata":{"labels":{"a":"b"}}}'

# extras
probe err-400-malformed-json PATCH $P/web $MP '{"metadata":'
probe err-400-json-patch-not-array PATCH $P/web $JP '{"op":"add"}'
probe err-apply-no-field-manager PATCH $P/web $AP $'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n'
probe err-409-apply-conflict PATCH "$P/web?fieldManager=y" $AP $'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx:1.28\n'
probe get-pod-final GET $P/web

if grep -rqF -- "$(cat "$PODPATCH_TOKEN_FILE")" "$OUT"; then
  echo "token leaked into $OUT" >&2
  exit 1
fi
