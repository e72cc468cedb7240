#!/usr/bin/env bash
# ChatDesk co-browse benchmark (issue 6), through the real server (Release build) and a real throwaway
# PostgreSQL, with two real Chromium pages driven by playwright-core (tests/node/cobrowse-bench.mjs):
# the visitor's page on the demo site (filled with a typical shop page) records itself with rrweb, the
# operator's console replays it live. Measured: latency of a page change from the visitor's page to the
# operator's replay (inputs and DOM mutations, p50/p99), and the bytes the recorder sends (first
# snapshot, then per minute). Goal: p99 < 250 ms on loopback.
#
# Usage: tests/load/run-cobrowse-benchmark.sh [seconds=60] [interval-ms=200]
# Environment (optional):
#   CBB_DIR=/tmp/chatdesk-cobrowse-bench  CBB_PORT=5391  CBB_PG_PORT=55691
#   CBB_KEEP=1        keep the database directory after the run
#   CBB_NO_BUILD=1    skip `dotnet build -c Release` (the existing Release output is used)
#   CBB_BIN_DIR=dir   run this prebuilt server output instead of building
#   CHROMIUM=/usr/bin/chromium
# The front ends are served from server/ChatDesk.Server/wwwroot: build them first (infra/setup.sh or
# npm run build in widget/ and operator-console/).
# Output: the report, PASS/MISS for the goal, then one JSON line (also in $CBB_DIR/report.txt / result.json).
# Exit code: 0 when the benchmark ran (a missed goal is reported as MISS); non-zero when setup failed.
set -euo pipefail

seconds=${1:-60}
interval=${2:-200}
dir=${CBB_DIR:-/tmp/chatdesk-cobrowse-bench}
port=${CBB_PORT:-5391}
pg_port=${CBB_PG_PORT:-55691}
keep=${CBB_KEEP:-0}
log_tag=cbbench
url="http://127.0.0.1:$port"
app_dir="$dir/app"
server_log="$dir/server.log"
sampler_log="$dir/samples.log"
phase_file="$dir/phases"
report="$dir/report.txt"
# shellcheck source=tests/load/bench-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

trap cleanup EXIT
trap 'exit 130' INT TERM

chromium_bin=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium_bin" ] || { echo "Chromium not found at $chromium_bin (infra/setup.sh installs it; or set CHROMIUM)." >&2; exit 2; }
[ -f "$repo/server/ChatDesk.Server/wwwroot/widget/cobrowse.js" ] || { echo "Front ends not built: run npm run build in widget/ and operator-console/." >&2; exit 2; }

# ---- 1. Throwaway PostgreSQL, 2. the server ------------------------------------------------------
start_throwaway_pg "Port $pg_port or $port is already in use; set CBB_PG_PORT / CBB_PORT." "$port"
pg_version=$(psql_q -c 'SHOW server_version')
resolve_server_dll "${CBB_NO_BUILD:-0}" "${CBB_BIN_DIR:-}" CBB_BIN_DIR "$app_dir"
log "starting server on $url (log: $server_log)"
start_server "" "$url" "$server_log" "$url"
server_pid=$started_pid
wait_healthy "Server not healthy after 60 s; see $server_log"

# ---- 3. The client: two Chromium pages -------------------------------------------------------------
ensure_node_client
if [ ! -d "$repo/tests/node/node_modules/playwright-core" ]; then
  log "npm ci in tests/node (playwright-core)"
  (cd "$repo/tests/node" && npm ci --no-audit --no-fund >&2)
fi
sampler_stop_file="$dir/sampler.stop"
rm -f "$sampler_stop_file" "$phase_file"
(
  while [ ! -e "$sampler_stop_file" ]; do sample_cpu "$server_pid" "chromium.*--headless" >>"$sampler_log"; sleep 1; done
) &
sampler_pids+=($!)
clk=$(getconf CLK_TCK)

log "co-browse: ${seconds}s, a page change every ${interval} ms"
set +e
node "$repo/tests/node/cobrowse-bench.mjs" --url "$url" --seconds "$seconds" --interval "$interval" --chromium "$chromium_bin" \
  --phase-file "$phase_file" >"$dir/cobrowse.out"
status=$?
set -e
stop_samplers

# ---- 4. Report --------------------------------------------------------------------------------------
cpu_line=""
if [ -f "$phase_file" ]; then
  # shellcheck disable=SC1090
  . "$phase_file"
  cpu_line=$(awk -v a="$measure_start" -v b="$measure_end" -v clk="$clk" '
    $1=="ticks" && $2>=a && $2<=b+1 { if (!n) { t0=$2; s0=$4; p0=$6; c0=$8 } t1=$2; s1=$4; p1=$6; c1=$8; n++ }
    END { if (n >= 2) { dt=t1-t0; printf "CPU (window)   server %.0f%%, postgres %.0f%%, Chromium (both pages) %.0f%% of one core", (s1-s0)/clk/dt*100, (p1-p0)/clk/dt*100, (c1-c0)/clk/dt*100 } }' "$sampler_log")
fi
{
  grep -v '^{' "$dir/cobrowse.out" || true
  [ -z "$cpu_line" ] || echo "$cpu_line"
  echo "Server warnings/errors logged: $(warning_count "$server_log") (see $server_log)"
  top_warnings 'warn|fail|crit' "$server_log"
  echo "Machine: $(nproc) cores; PostgreSQL $pg_version; Chromium $("$chromium_bin" --version 2>/dev/null | awk '{print $2}'); the pages, the server and PostgreSQL share it."
} | tee "$report"
json=$(grep '^{' "$dir/cobrowse.out" | tail -n 1 || true)
[ -n "$json" ] && echo "$json" | tee "$dir/result.json"
log "report saved to $report"
exit "$status"
