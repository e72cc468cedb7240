#!/usr/bin/env bash
# ChatDesk queue-drain benchmark: how long two server instances on one (throwaway) PostgreSQL take
# to assign a queue of N waiting chats once M operators come online at the same moment, and whether
# any chat is given twice or any operator pushed over capacity. Driven by the official
# @microsoft/signalr client (tests/node/drain.mjs); the database is checked directly afterwards.
#
# Goal (routing issue): 1,000 chats assigned within 5 s, zero double assignments.
#
# Usage: tests/load/run-drain-benchmark.sh [chats=1000] [operators=20]
# Environment (optional):
#   DRAIN_DIR=/tmp/chatdesk-drain  DRAIN_PORT_A=5290  DRAIN_PORT_B=5291  DRAIN_PG_PORT=55590
#   DRAIN_KEEP=1      keep the database directory after the run (it is wiped at the next start anyway)
#   DRAIN_NO_BUILD=1  skip `dotnet build -c Release` (the existing Release output is used)
#   DRAIN_BIN_DIR=dir run this prebuilt server output (a copy of bin/Release/net10.0) instead of building
#   DRAIN_ARGS="--batch 25 --timeout 120"  extra arguments for drain.mjs
# The Release output is copied to $DRAIN_DIR/app before the servers start, so a concurrent rebuild
# of the repository does not change the binaries under a running benchmark.
# Exit code: 0 when the benchmark ran (goals missed are reported as MISS, not as a failure);
# non-zero only when the environment could not be set up or the client could not run.
set -euo pipefail

chats=${1:-1000}
operators=${2:-20}

dir=${DRAIN_DIR:-/tmp/chatdesk-drain}
port_a=${DRAIN_PORT_A:-5290}
port_b=${DRAIN_PORT_B:-5291}
pg_port=${DRAIN_PG_PORT:-55590}
keep=${DRAIN_KEEP:-0}
log_tag=drain-bench
# Several nodes on one database need the Redis backplane (a throwaway one, BENCH_REDIS_PORT=56390).
export BENCH_REDIS=1
url_a="http://127.0.0.1:$port_a"
url_b="http://127.0.0.1:$port_b"
app_dir="$dir/app"
sampler_log="$dir/samples.log"
pg_sampler_log="$dir/samples-pg.log"
phase_file="$dir/phases"
json_file="$dir/drain.json"
report="$dir/report.txt"
# shellcheck source=tests/load/bench-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
sampler_stop_file="$dir/stop-sampler"   # the psql sampler must flush its last rows

trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. Throwaway PostgreSQL -------------------------------------------------------------------
start_throwaway_pg "Port $pg_port, $port_a or $port_b is already in use; set DRAIN_PG_PORT / DRAIN_PORT_A / DRAIN_PORT_B." "$port_a" "$port_b"
log "PostgreSQL max_connections=$(psql_q -c 'SHOW max_connections'), fsync=$(psql_q -c 'SHOW fsync'), synchronous_commit=$(psql_q -c 'SHOW synchronous_commit')"

# ---- 2. Build once, start two servers on the same database ------------------------------------
resolve_server_dll "${DRAIN_NO_BUILD:-0}" "${DRAIN_BIN_DIR:-}" DRAIN_BIN_DIR "$app_dir"
start_redis_if_asked
# Both nodes serve the same demo site, whose allowed origin is node A's (the client's host origin).
start_server a "$url_a" "$dir/server-a.log" "$url_a"; pid_a=$started_pid
start_server b "$url_b" "$dir/server-b.log" "$url_a"; pid_b=$started_pid
log "starting servers A $url_a (pid $pid_a) and B $url_b (pid $pid_b); logs $dir/server-{a,b}.log"
wait_healthy "Servers did not become healthy in 60 s; see $dir/server-{a,b}.log"
log "both servers healthy"

# ---- 3. Operators (no admin API used: straight into the database, copying alice's row) ---------
# The sentinel (capacity 1) takes the first chat, so that later chats queue instead of being ended
# at once as missed ("no_operator"); see drain.mjs.
capacity=$(( (chats + operators - 1) / operators + 1 ))
log "creating drain-sentinel@chatdesk.local (capacity 1) and $operators operators drain-op-N@chatdesk.local (capacity $capacity), billing proficiency 3"
create_operators "SELECT 'Drain sentinel' AS display_name, 1 AS capacity, 'drain-sentinel@chatdesk.local' AS email
                  UNION ALL
                  SELECT 'Drain ' || n, $capacity, 'drain-op-' || n || '@chatdesk.local' FROM generate_series(1, $operators) AS n" \
  "u.normalized_email LIKE 'DRAIN-%@CHATDESK.LOCAL'" "$((operators + 1))" "drain operators"
others=$(psql_q -c "SELECT count(*) FROM users WHERE status = 'online'")
[ "$others" = 0 ] || log "warning: $others operator(s) already online before the run"

# ---- 4. Node client -----------------------------------------------------------------------------
ensure_node_client

# Background samplers (every ~0.5 s): CPU ticks of both servers, this cluster's PostgreSQL and the
# client; and, over ONE long-lived psql session (spawning psql per sample is far too slow on a busy
# machine), what the PostgreSQL sessions are doing (pg_stat_activity) and commit/row counters.
rm -f "$phase_file" "$json_file" "$sampler_stop_file"
: >"$sampler_log"
: >"$pg_sampler_log"
clk=$(getconf CLK_TCK)
(
  # Few process spawns per turn: on a busy machine every fork makes the turn slower.
  set +eu
  while [ ! -e "$sampler_stop_file" ]; do
    ts=$EPOCHREALTIME
    node_pid=$(sed -n 's/^node_pid=//p' "$phase_file" 2>/dev/null)
    ticks "$pid_a"; a=$tick_sum
    ticks "$pid_b"; b=$tick_sum
    ticks $node_pid; c=$tick_sum
    pg_cluster_ticks; p=$tick_sum
    machine_ticks
    echo "ticks $ts A $a B $b postgres $p node $c busy $machine_busy all $machine_all" >>"$sampler_log"
    sleep 0.5
  done
) &
sampler_pids+=($!)
(
  set +eu
  while [ ! -e "$sampler_stop_file" ]; do
    # Every row carries the sample's own tag (its epoch time), which groups the rows of one sample.
    ts=$EPOCHREALTIME
    echo "SELECT 'pg', $ts, coalesce(state,'-'), coalesce(wait_event_type,'-') || ':' || coalesce(wait_event,'-'), count(*) FROM pg_stat_activity WHERE datname='chatdesk' AND pid <> pg_backend_pid() GROUP BY 3,4;"
    echo "SELECT 'db', $ts, xact_commit, xact_rollback, tup_inserted, tup_updated FROM pg_stat_database WHERE datname='chatdesk';"
    echo "SELECT 'lock', $ts, wait_event, regexp_replace(left(query, 70), '\s+', ' ', 'g') FROM pg_stat_activity WHERE datname='chatdesk' AND wait_event_type = 'Lock';"
    echo "SELECT 'active', $ts, regexp_replace(left(query, 70), '\s+', ' ', 'g') FROM pg_stat_activity WHERE datname='chatdesk' AND state = 'active' AND pid <> pg_backend_pid() AND coalesce(wait_event_type, '') <> 'Lock' AND query NOT LIKE 'LISTEN%';"
    sleep 0.5
  done | "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U chatdesk -d chatdesk -qtA -F '|' >"$pg_sampler_log" 2>/dev/null
) &
sampler_pids+=($!)

log "running drain: $chats chats, $operators operators"
set +e
# shellcheck disable=SC2086
node "$repo/tests/node/drain.mjs" --url-a "$url_a" --url-b "$url_b" --host-origin "$url_a" \
  --chats "$chats" --operators "$operators" --phase-file "$phase_file" --json-out "$json_file" ${DRAIN_ARGS:-} | tee "$report"
node_status=${PIPESTATUS[0]}
set -e
stop_samplers
[ "$node_status" = 0 ] || { log "drain.mjs failed (exit $node_status)"; exit "$node_status"; }

# ---- 5. Database checks ------------------------------------------------------------------------
# shellcheck disable=SC1090
. "$phase_file"   # buildup_start, buildup_end, drain_start, drain_end (epoch seconds)
sentinel_id=$(psql_q -c "SELECT id FROM users WHERE normalized_email = 'DRAIN-SENTINEL@CHATDESK.LOCAL'")
dup_events=$(psql_q -c "SELECT count(*) FROM (SELECT conversation_id FROM events WHERE type = 'chat.assigned' GROUP BY 1 HAVING count(*) > 1) d")
dup_list=$(psql_q -F ' ' -c "SELECT conversation_id, count(*) FROM events WHERE type = 'chat.assigned' GROUP BY 1 HAVING count(*) > 1 LIMIT 5")
over_now=$(psql_q -F ' ' -c "SELECT u.email, count(*), u.max_concurrent_chats FROM conversations c JOIN users u ON u.id = c.operator_id
  WHERE c.status = 'assigned' GROUP BY u.id, u.email, u.max_concurrent_chats HAVING count(*) > u.max_concurrent_chats")
over_events=$(psql_q -F ' ' -c "SELECT u.email, count(*), u.max_concurrent_chats FROM events e JOIN users u ON u.id = e.operator_id
  WHERE e.type = 'chat.assigned' GROUP BY u.id, u.email, u.max_concurrent_chats HAVING count(*) > u.max_concurrent_chats")
over_count=$(( $(printf '%s\n' "$over_now" "$over_events" | grep -c . || true) ))
by_status=$(psql_q -F ' ' -c "SELECT status, count(*) FROM conversations WHERE operator_id IS DISTINCT FROM '$sentinel_id' GROUP BY 1 ORDER BY 1" | tr '\n' ',' | sed 's/,$//; s/,/, /g')
assigned_db=$(psql_q -c "SELECT count(*) FROM events WHERE type = 'chat.assigned' AND operator_id <> '$sentinel_id'")
per_op=$(psql_q -F ' ' -c "SELECT replace(replace(u.email, '@chatdesk.local', ''), 'drain-op-', ''), count(e.id) FROM users u LEFT JOIN events e ON e.operator_id = u.id AND e.type = 'chat.assigned'
  WHERE u.normalized_email LIKE 'DRAIN-OP-%' GROUP BY u.email ORDER BY length(u.email), u.email" | awk '{printf "%s:%s ", $1, $2}')
# Server side timeline: every routing transaction that assigned drain chats (events.xmin = the
# transaction), relative to t0 (same machine clock as the client's Date.now()).
batches=$(psql_q -F ' ' -c "SELECT count(*), round(((extract(epoch from min(occurred_at)) - $drain_start) * 1000)::numeric, 0),
    round(((extract(epoch from max(occurred_at)) - $drain_start) * 1000)::numeric, 0)
  FROM events WHERE type = 'chat.assigned' AND operator_id <> '$sentinel_id' GROUP BY xmin::text ORDER BY min(occurred_at)")
status_online=$(psql_q -F ' ' -c "SELECT count(*), round(((extract(epoch from min(occurred_at)) - $drain_start) * 1000)::numeric, 0), round(((extract(epoch from max(occurred_at)) - $drain_start) * 1000)::numeric, 0)
  FROM events WHERE type = 'operator.status_changed' AND data::jsonb ->> 'status' = 'online' AND occurred_at >= to_timestamp($drain_start) - interval '1 second'")
first_last=$(psql_q -F ' ' -c "SELECT round(((extract(epoch from min(occurred_at)) - $drain_start) * 1000)::numeric, 0), round(((extract(epoch from max(occurred_at)) - $drain_start) * 1000)::numeric, 0)
  FROM events WHERE type = 'chat.assigned' AND operator_id <> '$sentinel_id'")
n_batches=$(printf '%s\n' "$batches" | grep -c . || true)

{
  echo
  echo "== Database checks (psql after the run) =="
  echo "  conversations (excluding the sentinel's): $by_status"
  echo "  chat.assigned events for drain operators: $assigned_db"
  echo "  conversations with more than one chat.assigned event: $dup_events${dup_list:+  e.g. $(echo "$dup_list" | head -n 3 | tr '\n' ';')}"
  echo "  operators over capacity (open chats or assignment events > max_concurrent_chats): $over_count${over_now:+ now: $(echo "$over_now" | tr '\n' ';')}${over_events:+ events: $(echo "$over_events" | tr '\n' ';')}"
  echo "  assigned per drain operator (capacity $capacity): $per_op"
  echo "  server-side timeline (database clock, ms after t0): SetStatus online committed ${status_online:-?} (count first last);"
  echo "    first/last chat.assigned +$(echo "$first_last" | awk '{print $1 " / +" $2}') ms, in $n_batches routing transaction(s) (size first_ms last_ms):"
  printf '%s\n' "$batches" | head -n 40 | awk 'NF { printf "      %5d  +%s .. +%s\n", $1, $2, $3 }'
  if [ "$n_batches" -gt 40 ]; then echo "      ... ($((n_batches - 40)) more)"; fi
} | tee -a "$report"

# ---- 6. Where the time went (build-up and drain windows) --------------------------------------
window_report() { # label start end
  local a=$1 b=$2
  awk -v a="$a" -v b="$b" -v clk="$clk" -v ncpu="$(nproc)" '
    # from the last sample at or before the window start to the first sample at or after its end
    $1=="ticks" && $2<=a { t0=$2; x0=$4; y0=$6; p0=$8; n0=$10; b0=$12; a0=$14; s=1 }
    $1=="ticks" && $2>a && !s { t0=$2; x0=$4; y0=$6; p0=$8; n0=$10; b0=$12; a0=$14; s=1 }
    $1=="ticks" && $2>a && !e { t1=$2; x1=$4; y1=$6; p1=$8; n1=$10; b1=$12; a1=$14; if ($2>=b) e=1 }
    END { if (!s || t1<=t0) { print "    (not enough samples)"; exit }
          dt=t1-t0; f=100/clk/dt
          busy=(b1-b0)/(a1-a0)*100*ncpu
          printf "    server A %4.0f%%  server B %4.0f%%  postgres %4.0f%%  drain.mjs %4.0f%%  whole machine %4.0f%% of %d%% (others %4.0f%%)  [%.1f s sampled]\n",
                 (x1-x0)*f, (y1-y0)*f, (p1-p0)*f, (n1-n0)*f, busy, ncpu*100, busy-((x1-x0)+(y1-y0)+(p1-p0)+(n1-n0))*f, dt }' "$sampler_log"
  awk -F'|' -v a="$a" -v b="$b" '
    $1=="pg" && $2>=a-0.6 && $2<=b+0.6 { k=$3"  ["$4"]"; cnt[k]+=$5; ts[$2]=1 }
    END { n=0; for (t in ts) n++; if (!n) exit
          for (k in cnt) printf "      %6.1f  %s\n", cnt[k]/n, k }' "$pg_sampler_log" | sort -rn | head -n 8
  awk -F'|' -v a="$a" -v b="$b" '
    $1=="db" && $2>=a-0.6 && $2<=b+0.6 { if (!n) { t0=$2; c0=$3; i0=$5; u0=$6 } t1=$2; c1=$3; i1=$5; u1=$6; n++ }
    END { if (n>=2 && t1>t0) printf "      PostgreSQL commits %.0f/s, rows inserted %.0f/s, updated %.0f/s\n", (c1-c0)/(t1-t0), (i1-i0)/(t1-t0), (u1-u0)/(t1-t0) }' "$pg_sampler_log"
  awk -F'|' -v a="$a" -v b="$b" '$1=="lock" && $2>=a-0.6 && $2<=b+0.6 { c["waiting on " $3 ": " $4]++ } $1=="active" && $2>=a-0.6 && $2<=b+0.6 { c["running: " $3]++ }
    END { for (k in c) printf "      %5d  %s\n", c[k], k }' "$pg_sampler_log" | sort -rn | head -n 8
}
{
  echo
  echo "== Resource use (% of one core; this machine has $(nproc) cores; sampled every ~0.5 s) =="
  echo "  build-up ($(awk -v a="$buildup_start" -v b="$buildup_end" 'BEGIN { printf "%.1f", b-a }') s):"
  window_report "$buildup_start" "$buildup_end"
  echo "  drain ($(awk -v a="$drain_start" -v b="$drain_end" 'BEGIN { printf "%.1f", b-a }') s; samples are coarse for a window this short):"
  window_report "$drain_start" "$drain_end"
  echo "    (PostgreSQL sessions: average count per sample, [wait event]; 'running'/'waiting' = statements seen, count over samples)"
  echo "  Server warnings/errors logged: A $(warning_count "$dir/server-a.log"), B $(warning_count "$dir/server-b.log")"
  top_warnings '^(warn|fail|crit)' "$dir/server-a.log" "$dir/server-b.log"
} | tee -a "$report"

# ---- 7. Verdict: client-side and database-side together ----------------------------------------
DUP_EVENTS="$dup_events" OVER_COUNT="$over_count" ASSIGNED_DB="$assigned_db" N_BATCHES="$n_batches" CHATS="$chats" \
  node --input-type=module -e '
import { readFileSync } from "node:fs";
const r = JSON.parse(readFileSync(process.argv[1], "utf8"));
const env = process.env;
const dbDoubles = Number(env.DUP_EVENTS) + Number(env.OVER_COUNT);
const clientDoubles = r.doubles.total;
const drain = r.drain.drainSeconds;
const all = r.drain.assigned === Number(env.CHATS) && r.drain.unassigned === 0 && Number(env.ASSIGNED_DB) === Number(env.CHATS);
const goals = [
  { goal: `${env.CHATS} assigned within 5 s`, value: drain, pass: all && drain != null && drain <= 5 },
  { goal: "0 double assignments", value: clientDoubles + dbDoubles, pass: clientDoubles + dbDoubles === 0,
    detail: `client ${clientDoubles}, db duplicate chat.assigned ${env.DUP_EVENTS}, db over capacity ${env.OVER_COUNT}` },
];
const out = { ...r, database: { duplicateAssignedEvents: Number(env.DUP_EVENTS), operatorsOverCapacity: Number(env.OVER_COUNT),
  assignedEvents: Number(env.ASSIGNED_DB), routingTransactions: Number(env.N_BATCHES) },
  goals: goals.map((g) => ({ ...g, status: g.pass ? "PASS" : "MISS" })) };
console.log("");
console.log("== Goals (client + database) ==");
for (const g of out.goals) console.log(`  ${g.pass ? "PASS" : "MISS"}  ${g.goal.padEnd(28)} measured: ${g.value}${g.detail ? `  (${g.detail})` : ""}`);
console.log(`  drain ${drain} s, ${r.drain.assignmentsPerSecond} assignments/s, time to assignment p50 ${r.drain.timeToAssignment.p50} ms / p99 ${r.drain.timeToAssignment.p99} ms, build-up ${r.setup.buildUpSeconds} s`);
console.log(JSON.stringify(out));
' "$json_file" | tee -a "$report"
log "report saved to $report"
exit 0
