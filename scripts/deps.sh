#!/usr/bin/env bash
# Installs what duplex's tests need, only when it is missing: Debian's chromium
# (e2e), Node.js, and the pinned npm reference packages in interop/.
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

if ! command -v chromium >/dev/null 2>&1; then
  echo "deps: installing chromium"
  apt_install chromium
fi
if ! command -v brotli >/dev/null 2>&1; then
  echo "deps: installing brotli (pre-compressed client.wasm)"
  apt_install brotli
fi
if ! command -v node >/dev/null 2>&1; then
  echo "deps: installing nodejs and npm"
  apt_install nodejs npm
fi

# npm ci when node_modules is missing or older than the lock file.
stamp=interop/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ interop/package-lock.json -nt "$stamp" ]; then
  echo "deps: npm ci in interop/"
  (cd interop && npm ci --no-audit --no-fund --loglevel=error)
fi
# The Admin UI (served by the demo at /admin/) and the reference it is tested against.
stamp=interop/admin/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ interop/admin/package-lock.json -nt "$stamp" ]; then
  echo "deps: npm ci in interop/admin/"
  (cd interop/admin && npm ci --no-audit --no-fund --loglevel=error)
fi
