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
#   BENCH_CONN_EXTRA="Maximum Pool Size=30"  appended to the server's connection string (tuning experiments)
#   Extra arguments for load.mjs can be passed in LOAD_ARGS (e.g. LOAD_ARGS="--reply-every 5 --drain 3").
# Exit code: 0 when the benchmark ran (goals missed are reported as MISS, not as a failure);
# non-zero only when the environment could not be set up.
set -euo pipefail

visitors=${1:-1000}
operators=${2:-20}
seconds=${3:-60}
rate=${4:-200}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=${BENCH_DIR:-/tmp/chatdesk-bench}
port=${BENCH_PORT:-5190}
pg_port=${BENCH_PG_PORT:-55490}
url="http://127.0.0.1:$port"
pg_dir="$dir/pg"
server_log="$dir/server.log"
sampler_log="$dir/samples.log"
phase_file="$dir/phases"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)

server_pid=""
sampler_pid=""
log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
  local status=$?
  set +e
  if [ -n "$sampler_pid" ]; then kill "$sampler_pid" 2>/dev/null; wait "$sampler_pid" 2>/dev/null; fi
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    log "stopping server (pid $server_pid)"
    kill -TERM "$server_pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$server_pid" 2>/dev/null && kill -KILL "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  if [ -n "$pg_bin" ] && [ -f "$pg_dir/PG_VERSION" ]; then
    log "stopping PostgreSQL ($pg_dir)"
    as_pg "$pg_bin/pg_ctl" -D "$pg_dir" -m fast -w stop >/dev/null 2>&1
  fi
  if [ "${BENCH_KEEP:-0}" != 1 ]; then rm -rf "$pg_dir" "$pg_dir.password"; fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. Throwaway PostgreSQL -------------------------------------------------------------------
mkdir -p "$dir"
if [ -n "$pg_bin" ] && [ -f "$pg_dir/PG_VERSION" ]; then
  as_pg "$pg_bin/pg_ctl" -D "$pg_dir" -m fast -w stop >/dev/null 2>&1 || true
fi
rm -rf "$pg_dir" "$pg_dir.password"
if ss -ltn "( sport = :$pg_port or sport = :$port )" | grep -q LISTEN; then
  echo "Port $pg_port or $port is already in use; set BENCH_PG_PORT / BENCH_PORT." >&2
  exit 2
fi
log "starting PostgreSQL in $pg_dir on port $pg_port"
conn=$("$repo/infra/local-postgres.sh" "$pg_dir" "$pg_port")
[ -n "${BENCH_CONN_EXTRA:-}" ] && conn="$conn;$BENCH_CONN_EXTRA"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
export PGPASSWORD
PGPASSWORD=$(cat "$pg_dir.password")
psql_q() { "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U chatdesk -d chatdesk -v ON_ERROR_STOP=1 -qtA "$@"; }
log "PostgreSQL max_connections=$(psql_q -c 'SHOW max_connections'), fsync=$(psql_q -c 'SHOW fsync'), synchronous_commit=$(psql_q -c 'SHOW synchronous_commit')"

# ---- 2. Build and start the server ------------------------------------------------------------
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  log "dotnet build -c Release"
  dotnet build "$repo/server/ChatDesk.Server/ChatDesk.Server.csproj" -c Release -nologo -v q -clp:ErrorsOnly >&2
fi
dll="$repo/server/ChatDesk.Server/bin/Release/net10.0/ChatDesk.Server.dll"
[ -f "$dll" ] || { echo "Missing $dll (build failed?)" >&2; exit 2; }

log "starting server on $url (log: $server_log)"
ConnectionStrings__ChatDesk="$conn" \
ChatDesk__Demo__Enabled=true \
ChatDesk__PublicUrl="$url" \
ChatDesk__Demo__SiteOrigins="$url" \
Logging__LogLevel__Default=Warning \
ASPNETCORE_ENVIRONMENT=Production \
  bash -c 'cd "$1" && exec dotnet "$2" --urls "$3"' _ "$repo/server/ChatDesk.Server" "$dll" "$url" >"$server_log" 2>&1 &
server_pid=$!

for i in $(seq 1 120); do
  if curl -fsS "$url/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then echo "Server exited; see $server_log:" >&2; tail -n 40 "$server_log" >&2; exit 2; fi
  sleep 0.5
  [ "$i" = 120 ] && { echo "Server did not become healthy in 60 s; see $server_log" >&2; exit 2; }
done
log "server healthy (pid $server_pid)"

# ---- 3. Benchmark operators (no admin API yet: straight into the database) ----------------------
capacity=$(( (visitors + operators - 1) / operators + 1 ))
log "creating $operators operators bench-op-N@chatdesk.local (max_concurrent_chats=$capacity, billing proficiency 3)"
psql_q <<SQL
BEGIN;
INSERT INTO users (id, display_name, max_concurrent_chats, status, status_changed_at, last_assigned_at,
                   user_name, normalized_user_name, email, normalized_email, email_confirmed, password_hash,
                   security_stamp, concurrency_stamp, phone_number, phone_number_confirmed, two_factor_enabled,
                   lockout_end, lockout_enabled, access_failed_count)
SELECT gen_random_uuid()::text, 'Bench ' || n, $capacity, 'offline', NULL, NULL,
       'bench-op-' || n || '@chatdesk.local', upper('bench-op-' || n || '@chatdesk.local'),
       'bench-op-' || n || '@chatdesk.local', upper('bench-op-' || n || '@chatdesk.local'),
       a.email_confirmed, a.password_hash,
       upper(replace(gen_random_uuid()::text, '-', '')), gen_random_uuid()::text, NULL, false, false,
       NULL, a.lockout_enabled, 0
FROM users a, generate_series(1, $operators) AS n
WHERE a.normalized_email = 'ALICE@CHATDESK.LOCAL'
ON CONFLICT (normalized_user_name) DO NOTHING;
INSERT INTO user_roles (user_id, role_id)
SELECT u.id, r.id FROM users u, roles r
WHERE u.normalized_email LIKE 'BENCH-OP-%@CHATDESK.LOCAL' AND r.name = 'Operator'
ON CONFLICT DO NOTHING;
INSERT INTO operator_skills (operator_id, skill_id, proficiency)
SELECT u.id, s.id, 3 FROM users u, skills s
WHERE u.normalized_email LIKE 'BENCH-OP-%@CHATDESK.LOCAL' AND s.key = 'billing'
ON CONFLICT DO NOTHING;
COMMIT;
SQL
made=$(psql_q -c "SELECT count(*) FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN operator_skills os ON os.operator_id = u.id WHERE u.normalized_email LIKE 'BENCH-OP-%'")
[ "$made" = "$operators" ] || { echo "Expected $operators benchmark operators, found $made" >&2; exit 2; }

# ---- 4. Node client -----------------------------------------------------------------------------
if [ ! -d "$repo/tests/node/node_modules/@microsoft/signalr" ]; then
  log "npm ci in tests/node"
  (cd "$repo/tests/node" && npm ci --no-audit --no-fund >&2)
fi

# Background sampler: CPU ticks of the server and of this cluster's PostgreSQL processes, and what the
# PostgreSQL sessions are doing (pg_stat_activity), every ~2 s. The Node client reports its own CPU.
rm -f "$phase_file"
: >"$sampler_log"
clk=$(getconf CLK_TCK)
ticks() { # sum of utime+stime (clock ticks) of the given pids
  local total=0 p rest
  for p in "$@"; do
    rest=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) || continue
    set -- $rest
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}
(
  set +eu
  while true; do
    ts=$(date +%s.%N)
    postmaster=$(head -n 1 "$pg_dir/postmaster.pid" 2>/dev/null || true)
    pg_pids="$postmaster $(pgrep -P "$postmaster" 2>/dev/null | tr '\n' ' ')"
    node_pids=$(pgrep -f "load.mjs --url $url" 2>/dev/null | tr '\n' ' ')
    read -r _ u n sy idle iow irq sirq steal _ </proc/stat
    echo "ticks $ts server $(ticks "$server_pid") postgres $(ticks $pg_pids) node $(ticks $node_pids) busy $((u + n + sy + irq + sirq + steal)) all $((u + n + sy + idle + iow + irq + sirq + steal))" >>"$sampler_log"
    psql_q -F '|' -c "SELECT 'pg', extract(epoch from now())::bigint, coalesce(state,'-'), coalesce(wait_event_type,'-') || ':' || coalesce(wait_event,'-'), count(*) FROM pg_stat_activity WHERE datname='chatdesk' AND pid <> pg_backend_pid() GROUP BY 3,4" \
      -c "SELECT 'db', extract(epoch from clock_timestamp()), xact_commit, xact_rollback, tup_inserted FROM pg_stat_database WHERE datname='chatdesk'" \
      -c "SELECT 'lock', extract(epoch from now())::bigint, wait_event, regexp_replace(left(query, 70), '\s+', ' ', 'g') FROM pg_stat_activity WHERE datname='chatdesk' AND wait_event_type = 'Lock'" \
      >>"$sampler_log" 2>/dev/null || true
    sleep 2
  done
) &
sampler_pid=$!

log "running load: $visitors visitors, $operators operators, ${seconds}s at $rate msg/s"
set +e
# shellcheck disable=SC2086
node "$repo/tests/node/load.mjs" --url "$url" --visitors "$visitors" --operators "$operators" \
  --seconds "$seconds" --rate "$rate" --phase-file "$phase_file" ${LOAD_ARGS:-} | tee "$dir/report.txt"
node_status=${PIPESTATUS[0]}
set -e
kill "$sampler_pid" 2>/dev/null; wait "$sampler_pid" 2>/dev/null || true
sampler_pid=""

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
    echo "  Server warnings/errors logged: $(grep -cE 'warn|fail|crit|Exception' "$server_log" || true) (see $server_log)"
    grep -E 'warn|fail|crit' "$server_log" | sed 's/^/    /' | sort | uniq -c | sort -rn | head -n 10 || true
  } | tee -a "$dir/report.txt"
fi
log "report saved to $dir/report.txt"
exit "$node_status"
