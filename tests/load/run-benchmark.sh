#!/usr/bin/env bash
# ChatDesk load benchmark: N visitors chatting with M operators through the real server and a real
# (throwaway) PostgreSQL, driven by the official @microsoft/signalr client (tests/node/load.mjs).
#
# Usage: tests/load/run-benchmark.sh [visitors=1000] [operators=20] [seconds=60] [rate=200]
#   rate = total visitor messages per second, spread over all visitors.
# Environment (optional):
#   BENCH_DIR=/tmp/chatdesk-bench  BENCH_PORT=5190  BENCH_PG_PORT=55490
#   BENCH_KEEP=1   keep the database directory after the run (it is wiped at the next start anyway)
#   BENCH_NO_BUILD=1  skip `dotnet build -c Release`
#   BENCH_REDIS=1  pushes through a throwaway Redis as the SignalR backplane (BENCH_REDIS_PORT=56390)
#   BENCH_CONN_EXTRA="Maximum Pool Size=30"  appended to the server's connection string (tuning experiments)
#   Extra arguments for load.mjs can be passed in LOAD_ARGS (e.g. LOAD_ARGS="--reply-every 5 --drain 3").
# Exit code: 0 when the benchmark ran (goals missed are reported as MISS, not as a failure);
# non-zero only when the environment could not be set up.
set -euo pipefail

visitors=${1:-1000}
operators=${2:-20}
seconds=${3:-60}
rate=${4:-200}

dir=${BENCH_DIR:-/tmp/chatdesk-bench}
port=${BENCH_PORT:-5190}
pg_port=${BENCH_PG_PORT:-55490}
keep=${BENCH_KEEP:-0}
log_tag=bench
url="http://127.0.0.1:$port"
server_log="$dir/server.log"
sampler_log="$dir/samples.log"
phase_file="$dir/phases"
# shellcheck source=tests/load/bench-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. Throwaway PostgreSQL -------------------------------------------------------------------
start_throwaway_pg "Port $pg_port or $port is already in use; set BENCH_PG_PORT / BENCH_PORT." "$port"
[ -n "${BENCH_CONN_EXTRA:-}" ] && conn="$conn;$BENCH_CONN_EXTRA"
log "PostgreSQL max_connections=$(psql_q -c 'SHOW max_connections'), fsync=$(psql_q -c 'SHOW fsync'), synchronous_commit=$(psql_q -c 'SHOW synchronous_commit')"

# ---- 2. Build and start the server ------------------------------------------------------------
resolve_server_dll "${BENCH_NO_BUILD:-0}"
start_redis_if_asked
log "starting server on $url (log: $server_log)"
start_server "" "$url" "$server_log" "$url"
server_pid=$started_pid
wait_healthy "Server did not become healthy in 60 s; see $server_log"
log "server healthy (pid $server_pid)"

# ---- 3. Benchmark operators (no admin API yet: straight into the database) ----------------------
capacity=$(( (visitors + operators - 1) / operators + 1 ))
log "creating $operators operators bench-op-N@chatdesk.local (max_concurrent_chats=$capacity, billing proficiency 3)"
create_operators "SELECT 'Bench ' || n AS display_name, $capacity AS capacity, 'bench-op-' || n || '@chatdesk.local' AS email
                  FROM generate_series(1, $operators) AS n" \
  "u.normalized_email LIKE 'BENCH-OP-%@CHATDESK.LOCAL'" "$operators" "benchmark operators"

# ---- 4. Node client -----------------------------------------------------------------------------
ensure_node_client

# Background sampler: CPU ticks of the server and of this cluster's PostgreSQL processes, and what the
# PostgreSQL sessions are doing (pg_stat_activity), every ~2 s. The Node client reports its own CPU.
rm -f "$phase_file"
: >"$sampler_log"
clk=$(getconf CLK_TCK)
(
  set +eu
  while true; do
    sample_cpu "$server_pid" "load.mjs --url $url" >>"$sampler_log"
    psql_q -F '|' -c "SELECT 'pg', extract(epoch from now())::bigint, coalesce(state,'-'), coalesce(wait_event_type,'-') || ':' || coalesce(wait_event,'-'), count(*) FROM pg_stat_activity WHERE datname='chatdesk' AND pid <> pg_backend_pid() GROUP BY 3,4" \
      -c "SELECT 'db', extract(epoch from clock_timestamp()), xact_commit, xact_rollback, tup_inserted FROM pg_stat_database WHERE datname='chatdesk'" \
      -c "SELECT 'lock', extract(epoch from now())::bigint, wait_event, regexp_replace(left(query, 70), '\s+', ' ', 'g') FROM pg_stat_activity WHERE datname='chatdesk' AND wait_event_type = 'Lock'" \
      >>"$sampler_log" 2>/dev/null || true
    sleep 2
  done
) &
sampler_pids+=($!)

log "running load: $visitors visitors, $operators operators, ${seconds}s at $rate msg/s"
set +e
# shellcheck disable=SC2086
node "$repo/tests/node/load.mjs" --url "$url" --visitors "$visitors" --operators "$operators" \
  --seconds "$seconds" --rate "$rate" --phase-file "$phase_file" ${LOAD_ARGS:-} | tee "$dir/report.txt"
node_status=${PIPESTATUS[0]}
set -e
stop_samplers

# ---- 5. Where the time went (measurement window only) ------------------------------------------
if [ -f "$phase_file" ]; then
  # shellcheck disable=SC1090
  . "$phase_file"   # defines measure_start / measure_end (epoch seconds)
  {
    echo
    echo "== Resource use during the measurement window (% of one core; this machine has $(nproc) cores) =="
    awk -v a="${measure_start:-0}" -v b="${measure_end:-9999999999}" -v clk="$clk" -v ncpu="$(nproc)" '
      $1=="ticks" && $2>=a && $2<=b { if (!n) { t0=$2; s0=$4; p0=$6; n0=$8; b0=$10; a0=$12 } t1=$2; s1=$4; p1=$6; n1=$8; b1=$10; a1=$12; n++ }
      END { if (n < 2) { print "  (not enough samples)"; exit }
            dt=t1-t0; srv=(s1-s0)/clk/dt*100; pg=(p1-p0)/clk/dt*100; nd=(n1-n0)/clk/dt*100
            busy=(b1-b0)/(a1-a0)*100*ncpu
            printf "  server (dotnet)   %5.0f%%\n  postgres          %5.0f%%  (this cluster only; a backend that exits takes its ticks with it)\n  load.mjs (node)   %5.0f%%\n", srv, pg, nd
            printf "  whole machine     %5.0f%% of %d%% busy -> other processes (not this benchmark) %5.0f%%\n", busy, ncpu*100, busy-srv-pg-nd }' "$sampler_log"
    echo "  PostgreSQL sessions of the server's pool (average count over samples; Client:ClientRead while"
    echo "  'idle in transaction' = PostgreSQL waits for the server to send the next statement of an open transaction):"
    awk -F'|' -v a="${measure_start:-0}" -v b="${measure_end:-9999999999}" '
      $1=="pg" && $2>=a && $2<=b { k=$3"  ["$4"]"; cnt[k]+=$5; tot[$2]+=$5; ts[$2]=1 }
      END { n=0; m=0; st=0; for (t in ts) { n++; st+=tot[t]; if (tot[t]>m) m=tot[t] } if (!n) { print "    (no samples)"; exit }
            for (k in cnt) printf "    %6.1f  %s\n", cnt[k]/n, k
            printf "    %6.1f  = all connections (max seen %d; the Npgsql pool default Max Pool Size is 100)\n", st/n, m }' "$sampler_log" | sort -rn
    awk -F'|' -v a="${measure_start:-0}" -v b="${measure_end:-9999999999}" '
      $1=="db" && $2>=a-5 && $2<=b+5 { if (!n) { t0=$2; c0=$3; i0=$5 } t1=$2; c1=$3; i1=$5; n++ }
      END { if (n>=2) printf "  PostgreSQL commits %.0f/s, rows inserted %.0f/s\n", (c1-c0)/(t1-t0), (i1-i0)/(t1-t0) }' "$sampler_log"
    echo "  Statements seen waiting on a lock (count over samples):"
    awk -F'|' -v a="${measure_start:-0}" -v b="${measure_end:-9999999999}" '$1=="lock" && $2>=a && $2<=b { c[$3" | "$4]++ } END { for (k in c) printf "    %5d  %s\n", c[k], k }' "$sampler_log" | sort -rn | head -n 8
    echo "  Server warnings/errors logged: $(warning_count "$server_log") (see $server_log)"
    top_warnings 'warn|fail|crit' "$server_log"
  } | tee -a "$dir/report.txt"
fi
log "report saved to $dir/report.txt"
exit "$node_status"
