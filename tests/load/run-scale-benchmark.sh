#!/usr/bin/env bash
# ChatDesk scale-out benchmark: V visitors (each chat open in `tabs` connections) and M operators reach three
# server nodes through nginx (the shipped infra/nginx/chatdesk.conf) with the Redis backplane, on one throwaway
# PostgreSQL; the load client is tests/node/load.mjs (official @microsoft/signalr client). In the same run, a
# bare baseline on this machine: the raw durable insert rate of the same PostgreSQL (pgbench, a commit per
# row) and a raw WebSocket relay (tests/node/raw-relay.mjs) at the same message rate. Prints both and the ratios.
#
# Usage: tests/load/run-scale-benchmark.sh [visitors=5000] [tabs=2] [operators=100] [seconds=30] [rate=500]
#   5,000 visitors x 2 tabs + 100 operators = 10,100 connections held.
# Environment (optional): SCALE_DIR=/tmp/chatdesk-scale  SCALE_PORT=5590 (nodes on 5591..5593)
#   SCALE_PG_PORT=55790  BENCH_REDIS_PORT=56390  SCALE_NO_BUILD=1
# Exit code: 0 when the benchmark ran (goals are reported, not enforced); non-zero when set-up failed.
set -euo pipefail

visitors=${1:-5000}
tabs=${2:-2}
operators=${3:-100}
seconds=${4:-30}
rate=${5:-500}

dir=${SCALE_DIR:-/tmp/chatdesk-scale}
lb_port=${SCALE_PORT:-5590}
pg_port=${SCALE_PG_PORT:-55790}
keep=0
log_tag=scale-bench
report="$dir/report.txt"
export BENCH_REDIS=1
# shellcheck source=tests/load/bench-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

nginx_pid=""
relay_pid=""
scale_cleanup() {
  local status=$?
  [ -n "$relay_pid" ] && kill "$relay_pid" 2>/dev/null
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
  (exit $status); cleanup
}
trap scale_cleanup EXIT
trap 'exit 130' INT TERM

command -v nginx >/dev/null || { echo "needs nginx (infra/setup.sh --with-browser installs it)" >&2; exit 2; }
# Every proxied connection costs nginx two descriptors: two workers share them, each under this shell's limit.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fd_limit=$(ulimit -n)
node_ports=("$((lb_port + 1))" "$((lb_port + 2))" "$((lb_port + 3))")
start_throwaway_pg "Port $pg_port or one of $lb_port ${node_ports[*]} is already in use; set SCALE_PG_PORT / SCALE_PORT." "$lb_port" "${node_ports[@]}"
resolve_server_dll "${SCALE_NO_BUILD:-0}" "" "" "$dir/app"
start_redis_if_asked

# ---- Baseline 1: raw durable inserts (same PostgreSQL, fsync on, a commit per row) ------------------------
psql_q -c "CREATE TABLE bench_raw (id bigserial PRIMARY KEY, conversation_id uuid NOT NULL, body text NOT NULL)"
echo "INSERT INTO bench_raw (conversation_id, body) VALUES (gen_random_uuid(), 'payload of a chat message, about as long as one');" >"$dir/raw-insert.sql"
log "baseline: pgbench, 16 clients, 10 s of single-row inserts"
raw_insert=$("$pg_bin/pgbench" -h 127.0.0.1 -p "$pg_port" -U chatdesk -n -c 16 -j 2 -T 10 -f "$dir/raw-insert.sql" chatdesk 2>/dev/null \
  | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -n 1)
psql_q -c "DROP TABLE bench_raw"

# ---- Baseline 2: raw WebSocket relay at the same rate ------------------------------------------------------
ensure_node_client
node "$repo/tests/node/raw-relay.mjs" --serve "$lb_port" &
relay_pid=$!
sleep 1
log "baseline: raw WebSocket relay, 500 pairs, $rate msg/s for 20 s"
raw_relay=$(node "$repo/tests/node/raw-relay.mjs" --url "ws://127.0.0.1:$lb_port" --pairs 500 --rate "$rate" --seconds 20)
kill "$relay_pid"; wait "$relay_pid" 2>/dev/null || true; relay_pid=""

# ---- Three nodes behind nginx ------------------------------------------------------------------------------
urls=()
for k in 0 1 2; do
  url="http://127.0.0.1:${node_ports[$k]}"
  urls+=("$url")
  # The demo site's allowed origin is the load balancer's (the client's host origin).
  ChatDesk__NodeName="chatdesk-$((k + 1))" ChatDesk__KnownProxies=127.0.0.1 \
    start_server "$((k + 1))" "$url" "$dir/server-$((k + 1)).log" "http://127.0.0.1:$lb_port"
done
wait_healthy "Servers did not become healthy in 60 s; see $dir/server-N.log"
mkdir -p "$dir/nginx"
shipped="$repo/infra/nginx/chatdesk.conf"
{
  sed -n '1,/# BEGIN nodes/p' "$shipped"
  for p in "${node_ports[@]}"; do echo "    server 127.0.0.1:$p max_fails=2 fail_timeout=5s;"; done
  sed -n '/# END nodes/,$p' "$shipped"
} | sed "s/listen 80;/listen 127.0.0.1:$lb_port;/" >"$dir/nginx/chatdesk.conf"
cat >"$dir/nginx/nginx.conf" <<EOF
worker_processes 2;
worker_rlimit_nofile $fd_limit;
daemon off;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections $((fd_limit - 100)); }
http {
    access_log off;
    client_body_temp_path $dir/nginx/body;
    proxy_temp_path $dir/nginx/proxy;
    include $dir/nginx/chatdesk.conf;
}
EOF
nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf" &
nginx_pid=$!
sleep 1
kill -0 "$nginx_pid" || { echo "nginx did not start; see $dir/nginx/error.log" >&2; exit 2; }

capacity=$(( (visitors + operators - 1) / operators + 1 ))
create_operators "SELECT 'Bench ' || n AS display_name, $capacity AS capacity, 'bench-op-' || n || '@chatdesk.local' AS email
                  FROM generate_series(1, $operators) AS n" \
  "u.normalized_email LIKE 'BENCH-OP-%@CHATDESK.LOCAL'" "$operators" "benchmark operators"

rss_kb() { local total=0 pid; for pid in "${server_pids[@]}"; do total=$((total + $(awk '/^VmRSS/ {print $2}' "/proc/$pid/status"))); done; echo "$total"; }
rss_before=$(rss_kb)
log "servers' memory before the clients: $((rss_before / 1024)) MB; running load through nginx on :$lb_port"
set +e
node "$repo/tests/node/load.mjs" --url "http://127.0.0.1:$lb_port" --affinity --tabs "$tabs" --visitors "$visitors" --operators "$operators" \
  --seconds "$seconds" --rate "$rate" --goal-chats "$visitors" --goal-rate "$rate" --goal-p99 50 --drain 5 >"$dir/load.txt" &
load_pid=$!
# Memory is read while every connection is still held: the client measures for `seconds` after its ramp.
while kill -0 "$load_pid" 2>/dev/null && ! grep -q "^Connections" "$dir/load.txt"; do
  rss_peak=$(rss_kb)
  per_node=$(psql_q -F ' ' -c "SELECT split_part(node_id, '-', 2), count(*) FROM operator_connections GROUP BY 1 ORDER BY 1" 2>/dev/null | tr '\n' ' ' || true)
  sleep 2
done
wait "$load_pid"
load_status=$?
set -e
cat "$dir/load.txt"
[ "$load_status" = 0 ] || { log "load.mjs failed (exit $load_status)"; exit "$load_status"; }

result=$(tail -n 1 "$dir/load.txt")
RAW_INSERT="$raw_insert" RAW_RELAY="$raw_relay" RSS_BEFORE="$rss_before" RSS_PEAK="${rss_peak:-0}" PER_NODE="$per_node" node --input-type=module -e '
const r = JSON.parse(process.argv[1]);
const relay = JSON.parse(process.env.RAW_RELAY);
const rawInsert = Number(process.env.RAW_INSERT);
const held = r.connections.held;
const durable = Math.min(r.messages.ackRate, r.messages.deliveredRate);
const perConnKB = (Number(process.env.RSS_PEAK) - Number(process.env.RSS_BEFORE)) / Math.max(1, held);
console.log("");
console.log("== Scale-out: 3 nodes behind nginx with Redis, against a bare baseline on this machine ==");
console.log(`  connections held       ${held} (operator connections per node: ${process.env.PER_NODE || "?"})`);
console.log(`  durable messages/s     ${durable} at ${r.config.rate} offered; raw PostgreSQL single-row inserts ${rawInsert.toFixed(0)}/s -> ratio ${(durable / rawInsert).toFixed(2)}`);
console.log(`  delivery p50 / p99     ${r.latencyMs.delivery.p50} / ${r.latencyMs.delivery.p99} ms; raw WebSocket relay at ${relay.rate}/s ${relay.latencyMs.p50} / ${relay.latencyMs.p99} ms -> p99 ratio ${(r.latencyMs.delivery.p99 / relay.latencyMs.p99).toFixed(1)}`);
console.log(`  lost / duplicated      ${r.messages.lost + r.messages.lostNeverAcknowledged} / ${r.duplicates.total}`);
console.log(`  server memory          ${(Number(process.env.RSS_BEFORE) / 1024).toFixed(0)} MB before, ${(Number(process.env.RSS_PEAK) / 1024).toFixed(0)} MB with every connection (3 nodes): ${perConnKB.toFixed(1)} KB per connection`);
' "$result" | tee "$report"
log "report saved to $report"
