#!/usr/bin/env bash
# ChatDesk KPI benchmark: seeds N conversations (about 20 events each) over a year into a throwaway
# PostgreSQL by bulk INSERT ... SELECT (tests/load/kpi-seed.sql), rebuilds the derived KPI rows through the
# admin API, then times every dashboard query through the real HTTP API for a month and for a year,
# team-wide (as a manager) and per operator (as that operator), printing p50/p95 per query.
#
# Usage: tests/load/run-kpi-benchmark.sh [conversations=1000000] [runs=15]
# Environment (optional): KPI_BENCH_DIR=/tmp/chatdesk-kpi-bench  KPI_BENCH_PORT=5194  KPI_BENCH_PG_PORT=55494
#   KPI_BENCH_KEEP=1 keep the database directory   KPI_BENCH_NO_BUILD=1 skip `dotnet build -c Release`
#   KPI_BENCH_REUSE=1 reuse the database a KPI_BENCH_KEEP=1 run kept (no seeding, no rebuild; the server's
#   start-up applies new migrations and the first query brings the rollups up to date, both timed)
# Goals: p95 < 300 ms for a month and < 1000 ms for a year (reported as OK/MISS; exit 0 when the run completed).
set -euo pipefail

conversations=${1:-1000000}
runs=${2:-15}
days=365
operators=40
dir=${KPI_BENCH_DIR:-/tmp/chatdesk-kpi-bench}
port=${KPI_BENCH_PORT:-5194}
pg_port=${KPI_BENCH_PG_PORT:-55494}
keep=${KPI_BENCH_KEEP:-0}
log_tag=kpi-bench
url="http://127.0.0.1:$port"
server_log="$dir/server.log"
# shellcheck source=tests/load/bench-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

trap cleanup EXIT
trap 'exit 130' INT TERM

reuse=0
if [ "${KPI_BENCH_REUSE:-0}" = 1 ] && [ -f "$pg_dir/PG_VERSION" ]; then
  reuse=1
  keep=1
  log "reusing the database in $pg_dir"
  conn=$("$repo/infra/local-postgres.sh" "$pg_dir" "$pg_port")
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  export PGPASSWORD
  PGPASSWORD=$(cat "$pg_dir.password")
else
  start_throwaway_pg "Port $pg_port or $port is already in use; set KPI_BENCH_PG_PORT / KPI_BENCH_PORT." "$port"
  # Room for a year of derived rows in memory, and sorts (percentiles) in work_mem rather than on disk.
  psql_q -c "ALTER SYSTEM SET shared_buffers = '1GB'" -c "ALTER SYSTEM SET work_mem = '64MB'" -c "ALTER SYSTEM SET max_wal_size = '8GB'" \
    -c "ALTER SYSTEM SET maintenance_work_mem = '512MB'" >/dev/null
  as_pg "$pg_bin/pg_ctl" -D "$pg_dir" -m fast -w restart >/dev/null
fi
# Sign-in cookies of an earlier run belong to another key ring.
rm -f "$dir"/*.jar
log "PostgreSQL shared_buffers=$(psql_q -c 'SHOW shared_buffers'), work_mem=$(psql_q -c 'SHOW work_mem')"

resolve_server_dll "${KPI_BENCH_NO_BUILD:-0}" "" "" "$dir/app"
log "starting server on $url (log: $server_log)"
start_server "" "$url" "$server_log" "$url"
server_start=$(date +%s.%N)
# A reused database may get new migrations (index builds on a million rows) before the server answers.
for _ in $(seq 1 3000); do curl -fsS -o /dev/null "$url/healthz" 2>/dev/null && break; sleep 0.2; done
wait_healthy "Server did not become healthy; see $server_log"
server_ready=$(date +%s.%N)

if [ "$reuse" = 0 ]; then
create_operators "SELECT 'Bench ' || lpad(n::text, 2, '0') AS display_name, 5 AS capacity, 'bench-op-' || lpad(n::text, 2, '0') || '@chatdesk.local' AS email
                  FROM generate_series(1, $operators) AS n" \
  "u.normalized_email LIKE 'BENCH-OP-%@CHATDESK.LOCAL'" "$operators" "benchmark operators"

log "seeding $conversations conversations over $days days"
seed_start=$(date +%s.%N)
psql_q -v conversations="$conversations" -v days="$days" -f "$repo/tests/load/kpi-seed.sql" | sed 's/^/    /' >&2
seed_end=$(date +%s.%N)
fi
event_count=$(psql_q -c "SELECT count(*) FROM events")

# ---- Signed-in sessions (cookie + antiforgery header, as the console does) ------------------------
login() { # email password jar -> antiforgery token on stdout
  curl -fsS -c "$3" -b "$3" "$url/api/auth/me" -o /dev/null || true
  local xsrf
  xsrf=$(awk '$6=="XSRF-TOKEN"{print $7}' "$3")
  curl -fsS -c "$3" -b "$3" -H "X-XSRF-TOKEN: $xsrf" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$2\"}" "$url/api/auth/login" -o /dev/null
  curl -fsS -c "$3" -b "$3" "$url/api/auth/me" -o /dev/null
  awk '$6=="XSRF-TOKEN"{print $7}' "$3"
}
admin_xsrf=$(login admin@chatdesk.local admin-demo-pass "$dir/admin.jar")
if [ "$reuse" = 0 ]; then
  log "rebuilding the derived KPI rows and their daily rollups (POST /api/admin/kpis/rebuild)"
  rebuild_start=$(date +%s.%N)
  curl -fsS -m 7200 -b "$dir/admin.jar" -H "X-XSRF-TOKEN: $admin_xsrf" -X POST "$url/api/admin/kpis/rebuild" >&2; echo >&2
  rebuild_end=$(date +%s.%N)
fi
# Statistics and visibility for the planner, then the bulk writes flushed: queries are timed on a settled database.
psql_q -c "VACUUM ANALYZE kpi_conversations" -c "VACUUM ANALYZE kpi_conversation_operators" -c "VACUUM ANALYZE kpi_busy_days" \
  -c "VACUUM ANALYZE kpi_daily" -c "CHECKPOINT" >/dev/null

login manager@chatdesk.local manager-demo-pass "$dir/manager.jar" >/dev/null
if [ "$reuse" = 1 ]; then
  log "first query: brings the rollups up to date"
  first_start=$(date +%s.%N)
  curl -fsS -m 7200 -b "$dir/manager.jar" -o /dev/null "$url/api/kpis"
  first_end=$(date +%s.%N)
  psql_q -c "VACUUM ANALYZE kpi_daily" -c "CHECKPOINT" >/dev/null
fi
operator_email=bench-op-01@chatdesk.local
login "$operator_email" alice-demo-pass "$dir/operator.jar" >/dev/null
today=$(date -u +%F)
month_from=$(date -u -d "$today - 30 days" +%F)
year_from=$(date -u -d "$today - 364 days" +%F)

report="$dir/report.txt"
{
  echo "== KPI benchmark: $conversations conversations, $event_count events over $days days, $operators operators ($(nproc) cores) =="
  if [ "$reuse" = 0 ]; then
    awk -v a="$seed_start" -v b="$seed_end" 'BEGIN { printf "  seeding (bulk INSERT ... SELECT, indexes built after): %.1f s\n", b - a }'
    awk -v a="$rebuild_start" -v b="$rebuild_end" 'BEGIN { printf "  derived rows and daily rollups rebuilt from the event log through the API: %.1f s\n", b - a }'
  else
    awk -v a="$server_start" -v b="$server_ready" 'BEGIN { printf "  reused database: server start with its migrations: %.1f s\n", b - a }'
    awk -v a="$first_start" -v b="$first_end" 'BEGIN { printf "  first query, bringing the rollups up to date: %.1f s\n", b - a }'
  fi
  echo "  derived rows: $(psql_q -c "SELECT (SELECT count(*) FROM kpi_conversations) || ' conversations, ' || (SELECT count(*) FROM kpi_conversation_operators) || ' operator rows, ' || (SELECT count(*) FROM kpi_busy_days) || ' busy days, ' || (SELECT count(*) FROM kpi_daily) || ' daily rollup rows'")"
  printf "  %-44s %-6s %9s %9s  %s\n" "query (who)" "period" "p50 ms" "p95 ms" "goal"
} | tee "$report"

time_query() { # name jar period from path
  local name=$1 jar=$2 period=$3 from=$4 path=$5 sep="?" times p50 p95 goal status
  [[ "$path" == *"?"* ]] && sep="&"
  local target="$url$path${sep}from=$from&to=$today"
  curl -fsS -b "$jar" "$target" -o /dev/null || { echo "  $name: request failed: $target" | tee -a "$report"; return; }
  times=$(for _ in $(seq 1 "$runs"); do curl -sS -b "$jar" -o /dev/null -w '%{time_total}\n' "$target"; done | sort -n)
  p50=$(echo "$times" | awk '{ a[NR] = $1 } END { i = int((NR + 1) * 0.5); printf "%.0f", a[i] * 1000 }')
  p95=$(echo "$times" | awk '{ a[NR] = $1 } END { i = int(NR * 0.95 + 0.999); if (i > NR) i = NR; printf "%.0f", a[i] * 1000 }')
  goal=$([ "$period" = month ] && echo 300 || echo 1000)
  status=$([ "$p95" -lt "$goal" ] && echo OK || echo MISS)
  printf "  %-44s %-6s %9s %9s  < %s ms %s\n" "$name" "$period" "$p50" "$p95" "$goal" "$status" | tee -a "$report"
}

for period in month year; do
  from=$([ "$period" = month ] && echo "$month_from" || echo "$year_from")
  time_query "report: team + operator table (manager)" "$dir/manager.jar" "$period" "$from" "/api/kpis?operatorStats=mean"
  time_query "trend frt.mean per day (manager)" "$dir/manager.jar" "$period" "$from" "/api/kpis/trend?kpi=frt.mean&interval=day"
  time_query "trend utilization per week (manager)" "$dir/manager.jar" "$period" "$from" "/api/kpis/trend?kpi=utilization&interval=week"
  time_query "heat map (manager)" "$dir/manager.jar" "$period" "$from" "/api/kpis/heatmap"
  time_query "slowest first responses (manager)" "$dir/manager.jar" "$period" "$from" "/api/kpis/conversations?kpi=frt&limit=50"
  time_query "report, skill filter (manager)" "$dir/manager.jar" "$period" "$from" "/api/kpis?skill=billing&operatorStats=mean"
  time_query "report: own figures (operator)" "$dir/operator.jar" "$period" "$from" "/api/kpis?operatorStats=mean"
  time_query "trend frt.mean per day (operator)" "$dir/operator.jar" "$period" "$from" "/api/kpis/trend?kpi=frt.mean&interval=day"
  time_query "heat map (operator)" "$dir/operator.jar" "$period" "$from" "/api/kpis/heatmap"
  time_query "own slowest first responses (operator)" "$dir/operator.jar" "$period" "$from" "/api/kpis/conversations?kpi=frt&limit=50"
done
time_query "staffing (Erlang C)" "$dir/manager.jar" month "$month_from" "/api/kpis/staffing?arrivalsPerHour=120&ahtSeconds=480&concurrency=2&serviceLevel=0.8&answerSeconds=30&hourlyCost=25"
echo "  server warnings/errors logged: $(warning_count "$server_log")" | tee -a "$report"
log "report saved to $report"
