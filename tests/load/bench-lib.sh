# Shared setup of the ChatDesk benchmarks (run-benchmark.sh, run-drain-benchmark.sh,
# run-workspace-benchmark.sh); sourced, not run. Each benchmark starts a throwaway PostgreSQL, runs
# the Release server against it, creates its operators by SQL, samples CPU while the Node client
# runs, and tears everything down on exit. Those steps live here so that a fix to one (a port
# check, the shutdown order, the operator rows) reaches all three; what each benchmark measures and
# reports stays in its own script.
#
# The caller sets, before sourcing this file:
#   log_tag   prefix of the log lines ("bench", "drain-bench", "wsbench")
#   dir       working directory (logs, reports; PostgreSQL lives in $dir/pg)
#   pg_port   port of the throwaway PostgreSQL
#   keep      1 = keep the database directory on exit (each script maps its own *_KEEP variable)
# and installs the cleanup itself: trap cleanup EXIT; trap 'exit 130' INT TERM
# shellcheck shell=bash

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
pg_dir="$dir/pg"
# Empty until PostgreSQL is installed: local-postgres.sh installs it on first use.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
server_names=() server_urls=() server_pids=() server_logs=()
sampler_pids=()
sampler_stop_file=""   # set it to let the samplers finish their turn instead of being killed mid-write

log() { echo "[$log_tag $(date +%H:%M:%S)] $*" >&2; }

# PostgreSQL refuses to run as root: as root, its commands run as the postgres user.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

psql_q() { "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U chatdesk -d chatdesk -v ON_ERROR_STOP=1 -qtA "$@"; }

# ---- Teardown ------------------------------------------------------------------------------------
stop_pid() { # stop one process we started: TERM (the server drains its hubs), up to 10 s, then KILL
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}

stop_samplers() {
  local pid
  [ "${#sampler_pids[@]}" -gt 0 ] || return 0
  if [ -n "$sampler_stop_file" ]; then
    # The loops end at their next turn once the stop file exists (a killed psql pipe loses its last rows).
    touch "$sampler_stop_file"
    for pid in "${sampler_pids[@]}"; do
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
  fi
  for pid in "${sampler_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  sampler_pids=()
  return 0
}

stop_pg() {
  if [ -n "$pg_bin" ] && [ -f "$pg_dir/PG_VERSION" ]; then
    as_pg "$pg_bin/pg_ctl" -D "$pg_dir" -m fast -w stop >/dev/null 2>&1
  fi
}

cleanup() { # EXIT trap: samplers, then servers (they hold the database), then PostgreSQL; keeps the exit status
  local status=$? pid
  set +e
  stop_samplers
  for pid in "${server_pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || continue
    log "stopping server (pid $pid)"
    stop_pid "$pid"
  done
  if [ -n "${redis_pid:-}" ] && kill -0 "$redis_pid" 2>/dev/null; then
    log "stopping Redis (pid $redis_pid)"
    stop_pid "$redis_pid"
  fi
  if [ -n "$pg_bin" ] && [ -f "$pg_dir/PG_VERSION" ]; then
    log "stopping PostgreSQL ($pg_dir)"
    stop_pg
  fi
  if [ "${keep:-0}" != 1 ]; then rm -rf "$pg_dir" "$pg_dir.password"; fi
  exit $status
}

# ---- 1. Throwaway PostgreSQL -----------------------------------------------------------------------
start_throwaway_pg() { # "message if a port is taken" [server port...] -> $conn, $pg_bin, exported PGPASSWORD
  local busy_message=$1 filter="" p
  shift
  mkdir -p "$dir"
  # A run that was killed hard leaves its cluster running: stop it before wiping it.
  stop_pg || true
  rm -rf "$pg_dir" "$pg_dir.password"
  # Refuse rather than measure someone else's server or database on the same port.
  for p in "$pg_port" "$@"; do filter+="${filter:+ or }sport = :$p"; done
  if ss -ltn "( $filter )" | grep -q LISTEN; then
    echo "$busy_message" >&2
    exit 2
  fi
  log "starting PostgreSQL in $pg_dir on port $pg_port"
  conn=$("$repo/infra/local-postgres.sh" "$pg_dir" "$pg_port")
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  export PGPASSWORD
  PGPASSWORD=$(cat "$pg_dir.password")
}

# ---- 2. Server -------------------------------------------------------------------------------------
# With BENCH_REDIS=1, a throwaway Redis (BENCH_REDIS_PORT, default 56390) carries pushes as the SignalR
# backplane (ChatDesk:Redis) instead of PostgreSQL NOTIFY. Sets $redis_url and $redis_pid.
start_redis_if_asked() {
  [ "${BENCH_REDIS:-0}" = 1 ] || return 0
  local redis_port=${BENCH_REDIS_PORT:-56390}
  command -v redis-server >/dev/null || { echo "BENCH_REDIS=1 needs redis-server (apt-get install redis-server)" >&2; exit 2; }
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >"$dir/redis.log" 2>&1 &
  redis_pid=$!
  redis_url="127.0.0.1:$redis_port"
  log "Redis backplane on $redis_url (pid $redis_pid)"
}

# Sets $dll. no_build=1 skips `dotnet build -c Release`; prebuilt (from *_BIN_DIR, named by prebuilt_var
# in the log) runs that output instead. With app_dir the output is copied there first, so a concurrent
# rebuild of the repository does not change the binaries under a running benchmark.
resolve_server_dll() { # no_build [prebuilt prebuilt_var [app_dir]]
  local no_build=$1 bin_dir=${2:-} prebuilt_var=${3:-} app_dir=${4:-}
  if [ -z "$bin_dir" ]; then
    if [ "$no_build" != 1 ]; then
      log "dotnet build -c Release"
      dotnet build "$repo/server/ChatDesk.Server/ChatDesk.Server.csproj" -c Release -nologo -v q -clp:ErrorsOnly >&2
    fi
    bin_dir="$repo/server/ChatDesk.Server/bin/Release/net10.0"
  else
    log "using the prebuilt server in $bin_dir ($prebuilt_var; no build)"
  fi
  [ -f "$bin_dir/ChatDesk.Server.dll" ] || { echo "Missing $bin_dir/ChatDesk.Server.dll (build failed?)" >&2; exit 2; }
  if [ -n "$app_dir" ]; then
    rm -rf "$app_dir"
    cp -a "$bin_dir" "$app_dir"
    bin_dir=$app_dir
  fi
  dll="$bin_dir/ChatDesk.Server.dll"
}

# Starts one server on $conn (demo site enabled: the widget's "demo" site key and alice's row, whose
# password hash the benchmark operators copy). Production environment and Warning logs, as deployed.
# name is "" for a lone server ("a"/"b" in messages otherwise); public_url is the origin the demo site
# accepts (both drain nodes serve one site). Sets $started_pid.
start_server() { # name url log public_url
  # Benchmark clients all come from 127.0.0.1 and send as fast as their schedule says: the abuse limits per address
  # and per visitor are lifted (the flood benchmark sets BENCH_REAL_LIMITS=1 to measure them as shipped).
  local limits=()
  if [ "${BENCH_REAL_LIMITS:-0}" != 1 ]; then
    local rule
    for rule in WidgetSessionsPerIp LoginsPerIp StartChatPerIp StartChatPerSite VisitorMessages OperatorMessages; do
      limits+=("ChatDesk__RateLimits__${rule}__Burst=1000000" "ChatDesk__RateLimits__${rule}__PerMinute=1000000")
    done
  fi
  env "${limits[@]}" \
  ChatDesk__Redis="${redis_url:-}" \
  ConnectionStrings__ChatDesk="$conn" \
  ChatDesk__Demo__Enabled=true \
  ChatDesk__PublicUrl="$4" \
  ChatDesk__Demo__SiteOrigins="$4" \
  Logging__LogLevel__Default=Warning \
  Logging__Console__FormatterName=simple \
  ASPNETCORE_ENVIRONMENT=Production \
    bash -c 'cd "$1" && exec dotnet "$2" --urls "$3"' _ "$repo/server/ChatDesk.Server" "$dll" "$2" >"$3" 2>&1 &
  started_pid=$!
  server_names+=("$1") server_urls+=("$2") server_pids+=("$started_pid") server_logs+=("$3")
}

wait_healthy() { # "message if not healthy in 60 s": every started server answers /healthz, or exit 2
  local i k up
  for i in $(seq 1 120); do
    up=0
    for k in "${!server_pids[@]}"; do
      if curl -fsS "${server_urls[$k]}/healthz" >/dev/null 2>&1; then up=$((up + 1)); continue; fi
      if ! kill -0 "${server_pids[$k]}" 2>/dev/null; then
        echo "Server${server_names[$k]:+ ${server_names[$k]}} exited; see ${server_logs[$k]}:" >&2
        tail -n 40 "${server_logs[$k]}" >&2
        exit 2
      fi
    done
    [ "$up" = "${#server_pids[@]}" ] && return 0
    [ "$i" = 120 ] && { echo "$1" >&2; exit 2; }
    sleep 0.5
  done
}

# ---- 3. Operators ----------------------------------------------------------------------------------
# No admin API call: the rows go straight into the database, copying alice's password hash (so every
# benchmark operator logs in with alice's demo password), with the Operator role and billing skill
# (proficiency 3) that the clients' "billing" chats ask for.
#   rows_sql   SELECT of (display_name, capacity, email), one row per operator
#   match_sql  condition on u.normalized_email that picks exactly those operators
# Exits 2 unless exactly `expected` operators have their role and skill.
create_operators() { # rows_sql match_sql expected noun
  local made
  psql_q <<SQL
BEGIN;
INSERT INTO users (id, display_name, max_concurrent_chats, status, status_changed_at, last_assigned_at,
                   user_name, normalized_user_name, email, normalized_email, email_confirmed, password_hash,
                   security_stamp, concurrency_stamp, phone_number, phone_number_confirmed, two_factor_enabled,
                   lockout_end, lockout_enabled, access_failed_count)
SELECT gen_random_uuid()::text, o.display_name, o.capacity, 'offline', NULL, NULL,
       o.email, upper(o.email), o.email, upper(o.email),
       a.email_confirmed, a.password_hash,
       upper(replace(gen_random_uuid()::text, '-', '')), gen_random_uuid()::text, NULL, false, false,
       NULL, a.lockout_enabled, 0
FROM users a, ($1) AS o
WHERE a.normalized_email = 'ALICE@CHATDESK.LOCAL'
ON CONFLICT (normalized_user_name) DO NOTHING;
INSERT INTO user_roles (user_id, role_id)
SELECT u.id, r.id FROM users u, roles r
WHERE ($2) AND r.name = 'Operator'
ON CONFLICT DO NOTHING;
INSERT INTO operator_skills (operator_id, skill_id, proficiency)
SELECT u.id, s.id, 3 FROM users u, skills s
WHERE ($2) AND s.key = 'billing'
ON CONFLICT DO NOTHING;
COMMIT;
SQL
  made=$(psql_q -c "SELECT count(*) FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN operator_skills os ON os.operator_id = u.id WHERE ($2)")
  [ "$made" = "$3" ] || { echo "Expected $3 $4, found $made" >&2; exit 2; }
}

# ---- 4. Node client --------------------------------------------------------------------------------
ensure_node_client() {
  if [ ! -d "$repo/tests/node/node_modules/@microsoft/signalr" ]; then
    log "npm ci in tests/node"
    (cd "$repo/tests/node" && npm ci --no-audit --no-fund >&2)
  fi
}

# ---- Resource sampling -----------------------------------------------------------------------------
# Bash builtins only (no fork per process): on a busy machine every fork makes a sampler turn slower.
# Results go into variables, not stdout, for the same reason ($(...) forks).
ticks() { # sum of utime+stime (clock ticks) of the given pids -> $tick_sum; vanished pids count 0
  local p line
  tick_sum=0
  for p in "$@"; do
    { read -r line <"/proc/$p/stat"; } 2>/dev/null || continue
    # shellcheck disable=SC2086
    set -- ${line##*) }   # after the command name, which may contain spaces: field 12/13 = utime/stime
    tick_sum=$((tick_sum + ${12} + ${13}))
  done
}
pg_cluster_ticks() { # ticks of this benchmark's PostgreSQL (postmaster and its backends) -> $tick_sum
  local postmaster=""
  read -r postmaster 2>/dev/null <"$pg_dir/postmaster.pid"
  # shellcheck disable=SC2046
  ticks "$postmaster" $(pgrep -P "$postmaster" 2>/dev/null)
}
sample_cpu() { # server_pid client_pattern: "ticks <epoch> server S postgres P node N busy B all A" (one server)
  local server pg
  ticks "$1"; server=$tick_sum
  pg_cluster_ticks; pg=$tick_sum
  # shellcheck disable=SC2046
  ticks $(pgrep -f "$2" 2>/dev/null)   # the client is found by its command line: it starts after the sampler
  machine_ticks
  echo "ticks $EPOCHREALTIME server $server postgres $pg node $tick_sum busy $machine_busy all $machine_all"
}
machine_ticks() { # whole machine from /proc/stat -> $machine_busy, $machine_all (clock ticks since boot)
  local u n sy idle iow irq sirq steal
  read -r _ u n sy idle iow irq sirq steal _ </proc/stat
  machine_busy=$((u + n + sy + irq + sirq + steal))
  machine_all=$((u + n + sy + idle + iow + irq + sirq + steal))
}

# ---- Report ----------------------------------------------------------------------------------------
# A server log's warnings, errors and exceptions (the servers log in the simple format: "warn: ...").
warning_count() { grep -cE 'warn|fail|crit|Exception' "$1" || true; }
top_warnings() { # ERE log...: the 10 most frequent matching log lines, indented
  local re=$1
  shift
  cat "$@" | grep -E "$re" | sed 's/^/    /' | sort | uniq -c | sort -rn | head -n 10 || true
}
