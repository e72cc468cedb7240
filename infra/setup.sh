#!/usr/bin/env bash
# Installs what ChatDesk needs on a fresh machine and builds it. Safe to run again: it skips what is there.
# Usage: infra/setup.sh [--with-browser]   (--with-browser also installs what the tests need: Chromium for the
# browser tests, Redis and nginx for the multi-node tests over the SignalR backplane behind a load balancer)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
with_browser=false
[ "${1:-}" = "--with-browser" ] && with_browser=true

sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

packages=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || packages+=(postgresql)
command -v psql >/dev/null 2>&1 || packages+=(postgresql-client)
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
if $with_browser && [ ! -x /usr/bin/chromium ]; then packages+=(chromium fonts-dejavu-core); fi
if $with_browser && [ ! -x /usr/bin/redis-server ]; then packages+=(redis-server); fi
if $with_browser && [ ! -x /usr/sbin/nginx ]; then packages+=(nginx); fi
# The test command lists the failed tests at the end of its log with a small Python script.
if $with_browser && ! command -v python3 >/dev/null 2>&1; then packages+=(python3); fi
if [ ${#packages[@]} -gt 0 ]; then
  echo "==> Installing ${packages[*]}"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
command -v dotnet >/dev/null 2>&1 || { echo "The .NET 10 SDK is required (https://dot.net)." >&2; exit 1; }

for dir in widget operator-console tests/node; do
  if [ ! -f "$root/$dir/node_modules/.package-lock.json" ] || [ "$root/$dir/package-lock.json" -nt "$root/$dir/node_modules/.package-lock.json" ]; then
    echo "==> npm ci in $dir"
    (cd "$root/$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
echo "==> Building the widget and the operator console"
(cd "$root/widget" && npm run --silent build >/dev/null)
(cd "$root/operator-console" && npm run --silent build >/dev/null)

echo "==> Building the server and the tests"
dotnet build "$root/ChatDesk.sln" -c Release -nologo -clp:ErrorsOnly -v:q
