#!/usr/bin/env bash
# ChatDesk webhook benchmark: events committed at a steady rate on one (throwaway) PostgreSQL, delivered by one
# Release server from the outbox to a receiver on loopback (tests/node/webhook-receiver.mjs, which verifies every
# signature). Measures throughput, the latency from the event's commit to the receiver (p50/p90/p99), and counts lost
# and duplicated deliveries (by delivery id).
# The events are inserted by SQL (message.sent rows of one conversation, in commits of `batch`) at `rate` a second,
# each stamped with clock_timestamp() just before its commit: the outbox trigger, the dispatcher, the signing and the
# HTTP delivery are measured; the chat hubs are not (tests/load/run-benchmark.sh measures those).
#
# Goal (issue 14): at 500 events/s, p99 under 1 s, 0 lost, 0 duplicated.
#
# Usage: tests/load/run-webhook-benchmark.sh [rate=500] [seconds=20] [batch=5]
# Environment (optional):
#   WEBHOOK_BENCH_DIR=/tmp/chatdesk-webhook-bench  WEBHOOK_BENCH_PORT=5297  WEBHOOK_BENCH_RECEIVER_PORT=5298
#   WEBHOOK_BENCH_PG_PORT=55597  WEBHOOK_BENCH_KEEP=1  WEBHOOK_BENCH_NO_BUILD=1  WEBHOOK_BENCH_BIN_DIR=dir
# Exit code: 0 when the benchmark ran (goals missed are reported as MISS); non-zero when it could not run.
set -euo pipefail

rate=${1:-500}
seconds=${2:-20}
batch=${3:-5}
total=$(( rate * seconds / batch * batch ))

dir=${WEBHOOK_BENCH_DIR:-/tmp/chatdesk-webhook-bench}
port=${WEBHOOK_BENCH_PORT:-5297}
receiver_port=${WEBHOOK_BENCH_RECEIVER_PORT:-5298}
pg_port=${WEBHOOK_BENCH_PG_PORT:-55597}
keep=${WEBHOOK_BENCH_KEEP:-0}
log_tag=webhook-bench
url="http://127.0.0.1:$port"
receiver_url="http://127.0.0.1:$receiver_port/hook"
app_dir="$dir/app"
result_file="$dir/receiver.json"
# shellcheck source=tests/load/bench-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

receiver_pid=""
stop_receiver() { if [ -n "$receiver_pid" ]; then stop_pid "$receiver_pid"; receiver_pid=""; fi; }
trap 'stop_receiver; cleanup' EXIT
trap 'exit 130' INT TERM

start_throwaway_pg "Port $pg_port, $port or $receiver_port is already in use; set WEBHOOK_BENCH_PG_PORT / WEBHOOK_BENCH_PORT / WEBHOOK_BENCH_RECEIVER_PORT." \
  "$port" "$receiver_port"

resolve_server_dll "${WEBHOOK_BENCH_NO_BUILD:-0}" "${WEBHOOK_BENCH_BIN_DIR:-}" WEBHOOK_BENCH_BIN_DIR "$app_dir"
# The receiver is on loopback: the SSRF guard is lifted for this server, as for an on-premise receiver.
export ChatDesk__Webhooks__AllowPrivateTargets=true
start_server "" "$url" "$dir/server.log" "$url"
log "server $url (pid $started_pid), log $dir/server.log"
wait_healthy "The server did not become healthy in 60 s; see $dir/server.log"

# One visitor and conversation of the demo site, and one subscription to message.sent for the receiver.
secret="whsec_bench$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
read -r visitor conversation < <(psql_q -F ' ' -c "
  WITH site AS (SELECT id FROM sites WHERE key = 'demo'),
  v AS (INSERT INTO visitors (id, site_id, created_at) SELECT gen_random_uuid(), id, now() FROM site RETURNING id, site_id),
  c AS (INSERT INTO conversations (id, site_id, visitor_id, status, visitor_name, requested_at, last_message_sequence, last_event_sequence)
        SELECT gen_random_uuid(), site_id, id, 'ended', 'Webhook bench', now(), 0, 0 FROM v RETURNING id, visitor_id)
  SELECT visitor_id, id FROM c")
psql_q -c "INSERT INTO webhook_subscriptions (id, site_id, url, secret, event_kinds, created_at)
           SELECT gen_random_uuid(), id, '$receiver_url', '$secret', '{message.sent}', now() FROM sites WHERE key = 'demo'" >/dev/null

ensure_node_client
node "$repo/tests/node/webhook-receiver.mjs" "$receiver_port" "$secret" "$total" 180 3000 >"$result_file" 2>"$dir/receiver.log" &
receiver_pid=$!
sleep 1

log "committing $total message.sent events at $rate/s in commits of $batch (about $seconds s)"
psql_q -c "
DO \$\$
DECLARE
    started timestamptz := clock_timestamp();
BEGIN
    FOR i IN 0 .. ($total / $batch) - 1 LOOP
        INSERT INTO events (type, occurred_at, conversation_id, visitor_id, data)
        SELECT 'message.sent', clock_timestamp(), '$conversation', '$visitor', jsonb_build_object('authorKind', 'visitor', 'n', i * $batch + g)
        FROM generate_series(1, $batch) AS g;
        COMMIT;
        PERFORM pg_sleep(greatest(0, extract(epoch FROM started + (i + 1) * $batch * interval '1 second' / $rate - clock_timestamp())));
    END LOOP;
END \$\$" >/dev/null
generated_in=$(psql_q -c "SELECT round(extract(epoch FROM max(occurred_at) - min(occurred_at))::numeric, 2) FROM events WHERE conversation_id = '$conversation'")
log "events committed in ${generated_in} s; waiting for the receiver"
wait "$receiver_pid" || true
receiver_pid=""

statuses=$(psql_q -c "SELECT string_agg(status || '=' || n, ' ') FROM (SELECT status, count(*) AS n FROM outbox GROUP BY status ORDER BY status) s")
retried=$(psql_q -c "SELECT count(*) FROM outbox WHERE attempts > 1")
result=$(cat "$result_file")
[ -n "$result" ] || { echo "The receiver printed nothing; see $dir/receiver.log" >&2; exit 3; }
field() { node -e "const r = JSON.parse(process.argv[1]); const v = process.argv[2].split('.').reduce((o, k) => o?.[k], r); console.log(v ?? 'n/a')" "$result" "$1"; }
p50=$(field latencyMs.p50); p90=$(field latencyMs.p90); p99=$(field latencyMs.p99); max=$(field latencyMs.max)
lost=$(field lost); duplicates=$(field duplicates); bad=$(field badSignatures); throughput=$(field throughputPerSecond); received=$(field received)
verdict() { if [ "$1" = 1 ]; then echo PASS; else echo MISS; fi; }

echo
echo "Webhook benchmark: $total events at $rate/s (generated in ${generated_in} s), one server, receiver on loopback"
echo "  delivered (distinct ids)   $received / $total   (outbox: $statuses; $retried retried)"
echo "  throughput                 $throughput deliveries/s"
echo "  latency commit -> receiver p50 ${p50} ms   p90 ${p90} ms   p99 ${p99} ms   max ${max} ms"
echo "  lost                       $lost"
echo "  duplicated (by id)         $duplicates"
echo "  bad signatures             $bad"
echo "  goal p99 < 1000 ms         $(verdict "$([ "$p99" != n/a ] && [ "$p99" -lt 1000 ] && echo 1 || echo 0)")"
echo "  goal 0 lost                $(verdict "$([ "$lost" = 0 ] && echo 1 || echo 0)")"
echo "  goal 0 duplicated          $(verdict "$([ "$duplicates" = 0 ] && echo 1 || echo 0)")"
echo "$result"
