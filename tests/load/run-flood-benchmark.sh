#!/usr/bin/env bash
# ChatDesk flood benchmark: normal chats keep their delivery while abusers hit the abuse limits.
# tests/node/load.mjs runs N normal chats; once its operators are online, tests/node/flood.mjs starts F
# visitors sending messages faster than their limit and H hostile clients sending oversize and malformed
# calls, until the normal run ends. Printed: the normal chats' delivery (p99, lost), what the abusers got
# (accepted, refused, connections closed), /healthz latency and the server's memory over the run.
#
# Usage: tests/load/run-flood-benchmark.sh [chats=500] [flooders=200] [hostile=50] [seconds=60] [rate=100]
#   rate = total normal messages per second, spread over the normal chats.
# Environment (optional): FLOOD_DIR=/tmp/chatdesk-flood  FLOOD_PORT=5191  FLOOD_PG_PORT=55491
#   FLOOD_KEEP=1 keep the database directory; FLOOD_NO_BUILD=1 skip `dotnet build -c Release`;
#   FLOOD_ARGS / LOAD_ARGS: extra arguments for flood.mjs / load.mjs (e.g. FLOOD_ARGS="--flood-rate 50").
# Exit code: 0 when the benchmark ran (goals are reported PASS/MISS); non-zero when setup failed.
set -euo pipefail

chats=${1:-500}
flooders=${2:-200}
hostile=${3:-50}
seconds=${4:-60}
rate=${5:-100}

dir=${FLOOD_DIR:-/tmp/chatdesk-flood}
port=${FLOOD_PORT:-5191}
pg_port=${FLOOD_PG_PORT:-55491}
keep=${FLOOD_KEEP:-0}
log_tag=flood-bench
url="http://127.0.0.1:$port"
server_log="$dir/server.log"
# shellcheck source=tests/load/bench-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

trap cleanup EXIT
trap 'exit 130' INT TERM

start_throwaway_pg "Port $pg_port or $port is already in use; set FLOOD_PG_PORT / FLOOD_PORT." "$port"
resolve_server_dll "${FLOOD_NO_BUILD:-0}"
log "starting server on $url (log: $server_log)"
BENCH_REAL_LIMITS=1 start_server "" "$url" "$server_log" "$url"
server_pid=$started_pid
wait_healthy "Server did not become healthy in 60 s; see $server_log"

# Operators take every chat, the abusers' included, so that no normal chat waits in the queue.
operators=20
capacity=$(( (chats + flooders + operators - 1) / operators + 1 ))
log "creating $operators operators (max_concurrent_chats=$capacity)"
create_operators "SELECT 'Bench ' || n AS display_name, $capacity AS capacity, 'bench-op-' || n || '@chatdesk.local' AS email
                  FROM generate_series(1, $operators) AS n" \
  "u.normalized_email LIKE 'BENCH-OP-%@CHATDESK.LOCAL'" "$operators" "benchmark operators"
ensure_node_client

stop_file="$dir/flood.stop" memory_log="$dir/memory.log" health_log="$dir/health.log"
rm -f "$stop_file"
: >"$memory_log"
: >"$health_log"

# The server's resident memory and /healthz latency every 2 s, from the start of the flood to its end.
sampler_stop_file="$dir/sampler.stop"
rm -f "$sampler_stop_file"
(
  set +eu
  while [ ! -f "$sampler_stop_file" ]; do
    rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$server_pid/status" 2>/dev/null)
    echo "$(date +%s) ${rss:-0}" >>"$memory_log"
    curl -fsS -o /dev/null -w '%{time_total}\n' --max-time 5 "$url/healthz" >>"$health_log" 2>/dev/null || echo "fail" >>"$health_log"
    sleep 2
  done
) &
sampler_pids+=($!)

log "running $chats normal chats for ${seconds}s at $rate msg/s"
set +e
# shellcheck disable=SC2086
node "$repo/tests/node/load.mjs" --url "$url" --visitors "$chats" --operators "$operators" --seconds "$seconds" --rate "$rate" \
  --goal-chats "$chats" --goal-rate "$rate" ${LOAD_ARGS:-} >"$dir/load.txt" &
load_pid=$!
# The abusers start once the operators are online (their chats need one), before the normal chats ramp up.
for _ in $(seq 1 240); do
  [ "$(psql_q -c "SELECT count(*) FROM users WHERE normalized_email LIKE 'BENCH-OP-%' AND status = 'online'")" = "$operators" ] && break
  kill -0 "$load_pid" 2>/dev/null || break
  sleep 0.25
done
log "starting the abusers: $flooders flooders, $hostile hostile clients"
# shellcheck disable=SC2086
node "$repo/tests/node/flood.mjs" --url "$url" --flooders "$flooders" --hostile "$hostile" \
  --stop-file "$stop_file" --max-seconds $((seconds * 4 + 300)) ${FLOOD_ARGS:-} >"$dir/flood.txt" &
flood_pid=$!
wait "$load_pid"
load_status=$?
touch "$stop_file"
wait "$flood_pid"
flood_status=$?
set -e
stop_samplers

{
  cat "$dir/load.txt" | grep -v '^{'
  cat "$dir/flood.txt" | grep -v '^{'
  echo
  echo "== Server during the flood =="
  # Start-up and the ramp fill the heap; the second half of the run shows whether memory keeps growing.
  awk '{ rss[NR] = $2; if ($2 > max) max = $2 } END {
         if (NR < 2) { print "  (not enough memory samples)"; exit }
         mid = rss[int(NR / 2)]; last = rss[NR]
         printf "  memory (RSS)   start %.0f MB, middle %.0f MB, end %.0f MB, max %.0f MB (%d samples, 2 s apart); second half: %+.0f MB (%+.1f%%)\n",
                rss[1] / 1024, mid / 1024, last / 1024, max / 1024, NR, (last - mid) / 1024, mid ? (last - mid) * 100 / mid : 0 }' "$memory_log"
  sort -n "$health_log" | awk '$1 != "fail" { v[n++] = $1 * 1000 } $1 == "fail" { f++ } END {
         if (n == 0) { print "  /healthz       no answer"; exit }
         printf "  /healthz       %d probes: p50 %.1f ms, max %.1f ms, %d failed\n", n, v[int(n / 2)], v[n - 1], f }'
  echo "  Server warnings/errors logged: $(warning_count "$server_log") (see $server_log)"
} | tee "$dir/report.txt"
log "report saved to $dir/report.txt"
[ "$flood_status" = 0 ] || exit "$flood_status"
exit "$load_status"
