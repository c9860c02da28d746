#!/usr/bin/env bash
# Runs a command in the directory of every module listed in go.work, so that a
# module added to the workspace is vetted, checked and tested without editing
# the Makefile. Every module runs; the script fails at the end if any failed.
#
#   scripts/each-module.sh [-js] command args...
#
# With -js the command runs with GOOS=js GOARCH=wasm, in the modules that have
# packages for that platform only.
set -euo pipefail
cd "$(dirname "$0")/.."

js=0
if [ "${1:-}" = -js ]; then
  js=1
  shift
fi
[ $# -gt 0 ] || { echo "usage: $0 [-js] command args..." >&2; exit 2; }

failed=()
mapfile -t modules < <(go list -m -f '{{.Dir}}')
[ ${#modules[@]} -gt 0 ] || { echo "each-module: go list -m found no module (is go.work there?)" >&2; exit 1; }
for dir in "${modules[@]}"; do
  name=${dir#"$PWD"}
  name=.${name}
  if [ $js = 1 ]; then
    if [ -z "$(cd "$dir" && GOOS=js GOARCH=wasm go list ./... 2>/dev/null)" ]; then
      continue
    fi
    echo "== $name (GOOS=js GOARCH=wasm): $*"
    (cd "$dir" && GOOS=js GOARCH=wasm "$@") || failed+=("$name (js/wasm)")
  else
    echo "== $name: $*"
    (cd "$dir" && "$@") || failed+=("$name")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "each-module: $* failed in: ${failed[*]}" >&2
  exit 1
fi
