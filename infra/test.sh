#!/usr/bin/env bash
# Sets up everything (PostgreSQL binaries, Chromium, npm packages, builds) and runs every test:
# the front ends' unit tests, then the .NET unit, integration and browser tests. The integration
# tests start their own throwaway PostgreSQL cluster and real ChatDesk servers on loopback.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/infra/setup.sh" --with-browser

echo "==> Widget unit tests"
(cd "$root/widget" && npm test --silent)
echo "==> Operator console unit tests"
(cd "$root/operator-console" && npm test --silent)
echo "==> Server unit, integration and browser tests"
results="$root/tests/TestResults"
rm -f "$results/chatdesk.trx"
status=0
dotnet test "$root/ChatDesk.sln" -c Release --no-build -nologo --logger "console;verbosity=normal" \
  --logger "trx;LogFileName=chatdesk.trx" --results-directory "$results" "$@" || status=$?
# The console log is long and interleaved with the servers' output: repeat the failures at its end.
if [ "$status" -ne 0 ] && [ -f "$results/chatdesk.trx" ]; then
  "$root/infra/test-failures.py" "$results/chatdesk.trx" || true
fi
exit "$status"
