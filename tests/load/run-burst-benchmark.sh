#!/usr/bin/env bash
# ChatDesk routing burst benchmark: N visitors call StartChat at the same moment across three server
# nodes on one (throwaway) PostgreSQL, with M operators online; every call must come back queued or
# assigned, and the database must show no chat given twice and no operator over capacity.
#
# Goal (scale-out issue): a burst of 1,000 StartChat calls across 3 nodes all queued or assigned within 2 s.
#
# Usage: tests/load/run-burst-benchmark.sh [chats=1000] [operators=20] [capacity=10] [queues=1]
#   queues=2 or 3: the chats ask in turn for billing, technical and sales, and the operators are split into as
#   many teams, one skill each (queues served by different operators are routed side by side).
# Environment (optional):
#   BURST_DIR=/tmp/chatdesk-burst  BURST_PORT=5390 (nodes on 5390, 5391, 5392)  BURST_PG_PORT=55690
#   BURST_NO_BUILD=1  skip `dotnet build -c Release`
# Exit code: 0 when the benchmark ran (goals missed are reported as MISS); non-zero when set-up failed.
set -euo pipefail

chats=${1:-1000}
operators=${2:-20}
capacity=${3:-10}
queues=${4:-1}
case "$queues" in 1|2|3) ;; *) echo "queues must be 1, 2 or 3" >&2; exit 2 ;; esac
topics=$(echo billing technical sales | cut -d' ' -f"1-$queues" | tr ' ' ',')

dir=${BURST_DIR:-/tmp/chatdesk-burst}
base_port=${BURST_PORT:-5390}
pg_port=${BURST_PG_PORT:-55690}
keep=${BURST_KEEP:-0}
log_tag=burst-bench
# Several nodes on one database need the Redis backplane (a throwaway one, BENCH_REDIS_PORT=56390).
export BENCH_REDIS=1
json_file="$dir/burst.json"
report="$dir/report.txt"
# shellcheck source=tests/load/bench-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

trap cleanup EXIT
trap 'exit 130' INT TERM

ports=("$base_port" "$((base_port + 1))" "$((base_port + 2))")
start_throwaway_pg "Port $pg_port or one of ${ports[*]} is already in use; set BURST_PG_PORT / BURST_PORT." "${ports[@]}"
# Three pools must fit PostgreSQL's max_connections (100) with room for psql: 30 each.
conn="$conn;Maximum Pool Size=${BURST_POOL:-30}"
resolve_server_dll "${BURST_NO_BUILD:-0}" "" "" "$dir/app"
start_redis_if_asked
urls=()
for k in 0 1 2; do
  url="http://127.0.0.1:${ports[$k]}"
  urls+=("$url")
  # Every node serves the demo site, whose allowed origin is node 1's (the client's host origin).
  start_server "$((k + 1))" "$url" "$dir/server-$((k + 1)).log" "${urls[0]}"
done
log "starting 3 servers ${urls[*]}; logs $dir/server-N.log"
wait_healthy "Servers did not become healthy in 60 s; see $dir/server-N.log"

log "creating $operators operators burst-op-N@chatdesk.local (capacity $capacity, billing proficiency 3)"
create_operators "SELECT 'Burst ' || n AS display_name, $capacity AS capacity, 'burst-op-' || n || '@chatdesk.local' AS email
                  FROM generate_series(1, $operators) AS n" \
  "u.normalized_email LIKE 'BURST-OP-%@CHATDESK.LOCAL'" "$operators" "burst operators"
if [ "$queues" -gt 1 ]; then
  log "splitting the operators into $queues teams: $topics"
  psql_q -c "UPDATE operator_skills os SET skill_id = s.id
    FROM users u, skills s
    WHERE u.id = os.operator_id AND u.normalized_email LIKE 'BURST-OP-%@CHATDESK.LOCAL'
      AND s.key = (string_to_array('$topics', ','))[1 + (substring(u.normalized_email from 'BURST-OP-([0-9]+)@')::int % $queues)]" >/dev/null
fi
ensure_node_client

set +e
node "$repo/tests/node/burst.mjs" --phase-file "$dir/phases" --urls "$(IFS=,; echo "${urls[*]}")" --host-origin "${urls[0]}" \
  --chats "$chats" --operators "$operators" --topic "$topics" --json-out "$json_file" | tee "$report"
node_status=${PIPESTATUS[0]}
set -e
[ "$node_status" = 0 ] || { log "burst.mjs failed (exit $node_status)"; exit "$node_status"; }

dup_events=$(psql_q -c "SELECT count(*) FROM (SELECT conversation_id FROM events WHERE type = 'chat.assigned' GROUP BY 1 HAVING count(*) > 1) d")
over=$(psql_q -c "SELECT count(*) FROM (SELECT c.operator_id FROM conversations c JOIN users u ON u.id = c.operator_id
  WHERE c.status = 'assigned' GROUP BY c.operator_id, u.max_concurrent_chats HAVING count(*) > u.max_concurrent_chats) o")
by_status=$(psql_q -F ' ' -c "SELECT status, count(*) FROM conversations GROUP BY 1 ORDER BY 1" | tr '\n' ',' | sed 's/,$//; s/,/, /g')
transactions=$(psql_q -c "SELECT count(DISTINCT xmin::text) FROM events WHERE type IN ('chat.assigned', 'chat.queued')")
# When the chats were stored and when routing decided, relative to the burst's start (same machine clock).
. "$dir/phases"
timeline=$(psql_q -F ' ' -c "SELECT type, count(*), round(((extract(epoch from min(occurred_at)) - $burst_start) * 1000)::numeric),
    round(((extract(epoch from max(occurred_at)) - $burst_start) * 1000)::numeric)
  FROM events WHERE type IN ('chat.requested', 'chat.assigned', 'chat.queued') GROUP BY type ORDER BY 3")
{
  echo
  echo "== Database checks =="
  echo "  conversations: $by_status"
  echo "  conversations with more than one chat.assigned: $dup_events"
  echo "  operators over capacity: $over"
  echo "  routing transactions that assigned or queued chats: $transactions"
  echo "  timeline (event, count, first and last ms after the burst started):"
  printf '%s\n' "$timeline" | awk 'NF { printf "    %-14s %5d  +%s .. +%s ms\n", $1, $2, $3, $4 }'
  echo "  server warnings/errors logged: $(for k in 1 2 3; do printf '%s ' "$(warning_count "$dir/server-$k.log")"; done)"
  if [ "$dup_events" = 0 ] && [ "$over" = 0 ]; then echo "  PASS  no double assignment, nobody over capacity"
  else echo "  MISS  double assignments or operators over capacity"; fi
} | tee -a "$report"
log "report saved to $report"
