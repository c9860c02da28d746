#!/usr/bin/env bash
# Installs what duplex's tests need, only when it is missing: Debian's chromium
# (e2e), brotli (make wasm), Node.js, redis-server and nginx (the cluster
# tests), the pinned npm reference packages of every npm folder under interop/
# (each folder with a package-lock.json), and the pinned staticcheck.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_updated=0
apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "deps: need root to apt-get install $*" >&2
    exit 1
  fi
  if [ "$apt_updated" = 0 ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# need COMMAND PACKAGE WHY: apt-get install PACKAGE when COMMAND is not found.
# (nginx lives in /usr/sbin, which a non-login PATH may lack.)
need() {
  if ! command -v "$1" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$1" ]; then
    echo "deps: installing $2 ($3)"
    apt_install "$2"
  fi
}

need chromium chromium "browser end-to-end tests"
need brotli brotli "pre-compressed client.wasm"
need node nodejs "the Node reference packages"
need npm npm "the Node reference packages"
need redis-server redis-server "cluster and redis adapter tests"
need nginx nginx "cluster tests behind a proxy"

# npm ci in every npm folder of interop/ whose installed tree is missing or
# does not match its package.json (npm ls checks every dependency, offline).
while IFS= read -r lock; do
  dir=$(dirname "$lock")
  if [ ! -d "$dir/node_modules" ] || ! (cd "$dir" && npm ls --all >/dev/null 2>&1); then
    echo "deps: npm ci in $dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done < <(find interop -name node_modules -prune -o -name package-lock.json -print | sort)

# staticcheck, pinned: the version make passes (or the default below).
staticcheck_version=${STATICCHECK_VERSION:-v0.8.2}
staticcheck=build/tools/staticcheck
if [ ! -x "$staticcheck" ] || ! "$staticcheck" -version 2>/dev/null | grep -q "(${staticcheck_version#v})"; then
  echo "deps: installing staticcheck $staticcheck_version in $staticcheck"
  GOBIN="$PWD/build/tools" go install "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version"
fi
