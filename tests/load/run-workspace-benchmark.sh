#!/usr/bin/env bash
# ChatDesk operator-workspace benchmarks (issue 4), through the real server (Release build) and a real
# throwaway PostgreSQL, driven by the official @microsoft/signalr client (tests/node/workspace-bench.mjs):
#
#  1. Answer-library search: 10,000 shared answers (English and French, accents, categories, unique
#     shortcuts #a00001..#a10000) are inserted by SQL; one operator with one assigned chat calls
#     SuggestAnswers sequentially over a mix of queries; round trip measured from the client.
#     The server's SQL is then measured alone: EXPLAIN (ANALYZE, BUFFERS) of a few queries, and
#     pgbench latency per query (extended protocol, unnamed statements: custom plans, as Npgsql).
#     Goal: p99 < 20 ms.
#  2. Typing preview: V visitors type at once (each chatting with one of M operators), each calling
#     Typing(draft) every 300 ms; operators receive "VisitorTyping". Goal: p99 < 150 ms.
# The search runs first, on a quiet server; the typing benchmark follows with its own operators.
#
# Usage: tests/load/run-workspace-benchmark.sh [visitors=500] [operators=25] [seconds=30] [calls=2000]
# Environment (optional):
#   WSB_DIR=/tmp/chatdesk-wsbench  WSB_PORT=5390  WSB_PG_PORT=55690
#   WSB_ONLY=typing|answers   run one benchmark only
#   WSB_ANSWERS=10000         answers to insert
#   WSB_KEEP=1                keep the database directory after the run (it is wiped at the next start anyway)
#   WSB_NO_BUILD=1            skip `dotnet build -c Release` (the existing Release output is used)
#   WSB_BIN_DIR=dir           run this prebuilt server output (a copy of bin/Release/net10.0) instead of building
#   TYPING_ARGS="--interval 300 --drain 3"  ANSWERS_ARGS="--language en-GB --warmup 100"  extra client arguments
# The Release output is copied to $WSB_DIR/app before the server starts, so a concurrent rebuild of
# the repository does not change the binaries under a running benchmark.
# Output: both reports, PASS/MISS per goal, then one JSON line (also in $WSB_DIR/report.txt / result.json).
# Exit code: 0 when the benchmarks ran (goals missed are reported as MISS, not as a failure);
# non-zero only when the environment could not be set up or a client could not run.
set -euo pipefail

visitors=${1:-500}
operators=${2:-25}
seconds=${3:-30}
calls=${4:-2000}
only=${WSB_ONLY:-all}
answers=${WSB_ANSWERS:-10000}

dir=${WSB_DIR:-/tmp/chatdesk-wsbench}
port=${WSB_PORT:-5390}
pg_port=${WSB_PG_PORT:-55690}
keep=${WSB_KEEP:-0}
log_tag=wsbench
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

# ---- 1. Throwaway PostgreSQL -------------------------------------------------------------------
start_throwaway_pg "Port $pg_port or $port is already in use; set WSB_PG_PORT / WSB_PORT." "$port"
pg_version=$(psql_q -c 'SHOW server_version')
log "PostgreSQL $pg_version, max_connections=$(psql_q -c 'SHOW max_connections'), fsync=$(psql_q -c 'SHOW fsync'), datcollate=$(psql_q -c "SELECT datcollate FROM pg_database WHERE datname='chatdesk'")"

# ---- 2. Build, copy, start the server ----------------------------------------------------------
resolve_server_dll "${WSB_NO_BUILD:-0}" "${WSB_BIN_DIR:-}" WSB_BIN_DIR "$app_dir"
log "starting server on $url (log: $server_log)"
start_server "" "$url" "$server_log" "$url"
server_pid=$started_pid
wait_healthy "Server did not become healthy in 60 s; see $server_log"
log "server healthy (pid $server_pid)"

# ---- 3. Operators (straight into the database, copying alice's password hash) ------------------
# bench-op-N chat in the typing benchmark; bench-search holds the answer-search benchmark's one chat.
capacity=$(( (visitors + operators - 1) / operators + 1 ))
log "creating $operators operators bench-op-N@chatdesk.local (capacity $capacity) and bench-search@chatdesk.local (capacity 2)"
create_operators "SELECT 'Bench ' || n AS display_name, $capacity AS capacity, 'bench-op-' || n || '@chatdesk.local' AS email FROM generate_series(1, $operators) AS n
                  UNION ALL SELECT 'Search Bench', 2, 'bench-search@chatdesk.local'" \
  "u.normalized_email LIKE 'BENCH-OP-%@CHATDESK.LOCAL' OR u.normalized_email = 'BENCH-SEARCH@CHATDESK.LOCAL'" \
  "$((operators + 1))" "benchmark operators"

# ---- 4. The answer library: $answers shared answers -------------------------------------------
# 18 support topics in English and French (accents kept), 10 variants, 6 products; 40 % English,
# 40 % French, 20 % bilingual without a language; ~15 % without a category; skewed usage counts.
log "inserting $answers shared answers"
t_insert=$(date +%s.%N)
psql_q <<SQL
SELECT setseed(0.4242);
WITH topic(k, en, en_cat, en_s, fr, fr_cat, fr_s) AS (VALUES
 (0, 'Refund', 'Billing', 'I have checked your order and a refund of the full amount will be issued to your original payment method within 5 to 7 business days.',
     'Remboursement', 'Facturation', 'J''ai vérifié votre commande : le remboursement intégral sera effectué sur votre moyen de paiement d''origine sous 5 à 7 jours ouvrés.'),
 (1, 'Late delivery', 'Shipping', 'Your parcel has been delayed at the carrier''s depot; the new estimated delivery date is within 3 business days.',
     'Retard de livraison', 'Livraison', 'Votre colis a pris du retard au dépôt du transporteur ; la nouvelle date de livraison estimée est sous 3 jours ouvrés.'),
 (2, 'Invoice copy', 'Billing', 'You can download a copy of every invoice from the Billing section of your account.',
     'Duplicata de facture', 'Facturation', 'Vous pouvez télécharger le duplicata de chaque facture depuis la rubrique Facturation de votre compte ; le montant facturé y est détaillé.'),
 (3, 'Password reset', 'Account', 'To reset your password, click "Forgot password" on the sign-in page and follow the link we email you.',
     'Réinitialisation du mot de passe', 'Compte', 'Pour réinitialiser votre mot de passe, cliquez sur « Mot de passe oublié » sur la page de connexion et suivez le lien reçu par e-mail.'),
 (4, 'Subscription change', 'Billing', 'You can upgrade or downgrade your subscription at any time; the difference is prorated on your next invoice.',
     'Changement d''abonnement', 'Facturation', 'Vous pouvez modifier votre abonnement à tout moment ; la différence est calculée au prorata sur votre prochaine facture.'),
 (5, 'Damaged parcel', 'Returns', 'I am sorry your item arrived damaged; please send us a photo and we will ship a replacement free of charge.',
     'Colis endommagé', 'Retours', 'Je suis désolé que votre colis soit arrivé endommagé ; envoyez-nous une photo et nous expédierons un article de remplacement sans frais.'),
 (6, 'Cancel order', 'Orders', 'Your order has been cancelled and you will not be charged.',
     'Annulation de commande', 'Commandes', 'Votre commande a bien été annulée et aucun prélèvement ne sera effectué.'),
 (7, 'Change of address', 'Shipping', 'I have updated the delivery address on your order; the carrier will use the new address.',
     'Changement d''adresse', 'Livraison', 'J''ai mis à jour l''adresse de livraison de votre commande ; le transporteur utilisera la nouvelle adresse.'),
 (8, 'Payment failed', 'Billing', 'Your payment failed because the bank declined the card; please check your card details or try another payment method.',
     'Paiement refusé', 'Facturation', 'Votre paiement a été refusé par votre banque ; vérifiez les informations de votre carte bancaire ou essayez un autre moyen de paiement.'),
 (9, 'Warranty claim', 'Returns', 'Your product is covered by our two-year warranty; we will repair or replace it at no cost.',
     'Garantie', 'Retours', 'Votre produit est couvert par notre garantie de deux ans ; nous le réparerons ou l''échangerons sans frais.'),
 (10, 'Return label', 'Returns', 'I have emailed you a prepaid return label; drop the parcel at any post office within 14 days.',
     'Étiquette de retour', 'Retours', 'Je vous ai envoyé une étiquette de retour prépayée ; déposez le colis dans un bureau de poste sous 14 jours pour l''échange ou le remboursement.'),
 (11, 'Discount code', 'Sales', 'Your discount code applies to full-price items only and cannot be combined with other offers.',
     'Code promo', 'Ventes', 'Votre code promo s''applique uniquement aux articles à prix plein et n''est pas cumulable avec d''autres offres.'),
 (12, 'Account locked', 'Account', 'Your account was locked after several failed sign-in attempts; I have unlocked it, please reset your password.',
     'Compte bloqué', 'Compte', 'Votre compte a été bloqué après plusieurs tentatives de connexion infructueuses ; je l''ai débloqué, pensez à changer votre mot de passe.'),
 (13, 'Personal data request', 'Privacy', 'We have received your request to export your personal data; you will receive a download link within 30 days.',
     'Données personnelles (RGPD)', 'Confidentialité', 'Nous avons bien reçu votre demande d''accès à vos données personnelles ; vous recevrez un lien de téléchargement sous 30 jours.'),
 (14, 'Shipping times', 'Shipping', 'Orders placed before 2 pm are shipped the same day; standard delivery takes 2 to 4 business days.',
     'Délais d''expédition', 'Livraison', 'Les commandes passées avant 14 h sont expédiées le jour même ; l''expédition standard prend 2 à 4 jours ouvrés.'),
 (15, 'Direct debit', 'Billing', 'Your direct debit is taken on the 5th of each month; you can change the date from your account.',
     'Prélèvement automatique', 'Facturation', 'Le prélèvement automatique a lieu le 5 de chaque mois ; vous pouvez modifier la date depuis votre espace client.'),
 (16, 'Complaint', 'General', 'I have registered your complaint and a manager will call you back within 48 hours.',
     'Réclamation', 'Général', 'J''ai enregistré votre réclamation et un responsable vous rappellera sous 48 heures.'),
 (17, 'Exchange', 'Returns', 'You can exchange your item for another size or colour within 30 days of delivery.',
     'Échange d''article', 'Retours', 'Vous pouvez échanger votre article contre une autre taille ou couleur sous 30 jours après la livraison.')
), pools AS (SELECT
  ARRAY['Hello {visitor.name},', 'Hi {visitor.name},', 'Good morning {visitor.name},', 'Thank you for contacting us, {visitor.name}.', 'Dear {visitor.name},'] AS en_open,
  ARRAY['Your reference number is %s.', 'I have added a note to your file under reference %s.', 'If the problem persists, reply to this message and I will escalate it to our specialist team.',
        'You can follow the status at any time from your customer area.', 'I am sorry for the inconvenience this has caused.', 'Please keep your order number %s handy if you contact us again.',
        'Our team is available Monday to Friday, 9 am to 6 pm.', 'Let me know if there is anything else I can do for you.'] AS en_extra,
  ARRAY['Best regards, {operator.name} from {site.name}.', 'Kind regards, {operator.name}.', 'Have a great day! {operator.name}, {site.name} support.'] AS en_close,
  ARRAY['first reply', 'follow-up', 'escalation', 'status update', 'apology', 'how-to', 'policy reminder', 'closing note', 'VIP customer', 'second contact'] AS en_variant,
  ARRAY['Pro plan', 'Basic plan', 'mobile app', 'web shop', 'gift card', 'Premium'] AS en_product,
  ARRAY['Bonjour {visitor.name},', 'Bonsoir {visitor.name},', 'Merci de nous avoir contactés, {visitor.name}.', 'Chère cliente, cher client,', 'Bonjour et merci pour votre message,'] AS fr_open,
  ARRAY['Votre numéro de dossier est le %s.', 'J''ai ajouté une note à votre dossier sous la référence %s.', 'Si le problème persiste, répondez à ce message et je transmettrai votre réclamation à notre équipe spécialisée.',
        'Vous pouvez suivre l''état de votre demande depuis votre espace client.', 'Je suis désolé pour la gêne occasionnée.', 'Gardez votre numéro de commande %s à portée de main si vous nous recontactez.',
        'Notre équipe est disponible du lundi au vendredi, de 9 h à 18 h.', 'N''hésitez pas si vous avez d''autres questions.',
        'Conformément à notre politique de protection des données personnelles, nous ne conservons pas vos coordonnées bancaires.'] AS fr_extra,
  ARRAY['Bien cordialement, {operator.name} — {site.name}.', 'Belle journée ! {operator.name}', 'Cordialement, l''équipe {site.name}.'] AS fr_close,
  ARRAY['première réponse', 'relance', 'escalade', 'point d''étape', 'excuses', 'mode d''emploi', 'rappel de la politique', 'clôture', 'client prioritaire', 'deuxième contact'] AS fr_variant,
  ARRAY['forfait Pro', 'offre Essentiel', 'application mobile', 'boutique en ligne', 'carte cadeau', 'Premium'] AS fr_product
), draw AS (
  SELECT i, floor(random() * 18)::int AS k, floor(random() * 10)::int AS var, floor(random() * 6)::int AS prod, random() < 0.4 AS with_prod,
         floor(random() * 5)::int AS o, floor(random() * 8)::int AS e1, floor(random() * 9)::int AS e2, floor(random() * 3)::int AS c,
         (100000 + floor(random() * 900000))::int AS ref, random() < 0.15 AS no_cat, floor(power(random(), 3) * 500)::int AS usage,
         CASE WHEN i % 10 < 4 THEN 'en' WHEN i % 10 < 8 THEN 'fr' ELSE NULL END AS lang
  FROM generate_series(1, $answers) AS i
), texts AS (
  SELECT d.*, t.en_cat, t.fr_cat,
    t.en || ' — ' || p.en_variant[d.var + 1] || CASE WHEN d.with_prod THEN ' (' || p.en_product[d.prod + 1] || ')' ELSE '' END AS en_title,
    t.fr || ' — ' || p.fr_variant[d.var + 1] || CASE WHEN d.with_prod THEN ' (' || p.fr_product[d.prod + 1] || ')' ELSE '' END AS fr_title,
    p.en_open[d.o + 1] || ' ' || t.en_s || ' ' || format(p.en_extra[d.e1 + 1], 'CD-' || d.ref) || ' ' || format(p.en_extra[(d.e2 % 8) + 1], d.ref) || ' ' || p.en_close[d.c + 1] AS en_body,
    p.fr_open[d.o + 1] || ' ' || t.fr_s || ' ' || format(p.fr_extra[d.e1 + 1], 'CD-' || d.ref) || ' ' || format(p.fr_extra[d.e2 + 1], d.ref) || ' ' || p.fr_close[d.c + 1] AS fr_body
  FROM draw d JOIN topic t ON t.k = d.k CROSS JOIN pools p
)
INSERT INTO answers (id, owner_id, title, shortcut, body, category, skill_id, language, created_at, updated_at, usage_count)
SELECT gen_random_uuid(), NULL,
       CASE lang WHEN 'en' THEN en_title WHEN 'fr' THEN fr_title ELSE en_title || ' / ' || fr_title END,
       '#a' || lpad(i::text, 5, '0'),
       CASE lang WHEN 'en' THEN en_body WHEN 'fr' THEN fr_body ELSE en_body || E'\n\n' || fr_body END,
       CASE WHEN no_cat THEN NULL WHEN lang = 'fr' THEN fr_cat ELSE en_cat END,
       NULL, lang, now() - (i || ' minutes')::interval, now() - (i || ' minutes')::interval, usage
FROM texts;
ANALYZE answers;
SQL
t_insert=$(awk -v a="$t_insert" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
answer_stats=$(psql_q -F ' ' -c "SELECT count(*), count(*) FILTER (WHERE language = 'en'), count(*) FILTER (WHERE language = 'fr'), count(*) FILTER (WHERE language IS NULL), count(DISTINCT category), round(avg(length(body))), replace(pg_size_pretty(pg_total_relation_size('answers')), ' ', '_'), replace(pg_size_pretty(pg_relation_size('ix_answers_search')), ' ', '_') FROM answers")
read -r n_answers n_en n_fr n_null n_cat avg_body tbl_size gin_size <<<"$answer_stats"
tbl_size=${tbl_size/_/ }; gin_size=${gin_size/_/ }
log "answers: $n_answers ($n_en en, $n_fr fr, $n_null without language; $n_cat categories; body ~$avg_body chars); table+indexes $tbl_size, GIN $gin_size; inserted in ${t_insert}s"
[ "$n_answers" -ge "$answers" ] || { echo "Expected $answers answers, found $n_answers" >&2; exit 2; }

# ---- 5. Node client -----------------------------------------------------------------------------
ensure_node_client

clk=$(getconf CLK_TCK)
start_sampler() { # two loops: CPU ticks (server, this cluster's PostgreSQL, client) every ~1 s; PostgreSQL sessions every ~1 s
  : >"$sampler_log"
  (
    set +eu
    while true; do
      sample_cpu "$server_pid" "workspace-bench.mjs --mode [a-z]* --url $url" >>"$sampler_log"
      echo "load $EPOCHREALTIME $(cut -d' ' -f1 /proc/loadavg)" >>"$sampler_log"
      sleep 1
    done
  ) &
  sampler_pids+=($!)
  (
    set +eu
    while true; do
      # What the server's PostgreSQL sessions are doing (state and wait event), and the database's commit counter.
      psql_q -F '|' -c "SELECT 'pg', extract(epoch from now()), coalesce(state,'-'), coalesce(wait_event_type,'-') || ':' || coalesce(wait_event,'-'), count(*) FROM pg_stat_activity WHERE datname='chatdesk' AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND application_name NOT LIKE 'pgbench%' GROUP BY 3,4" \
        -c "SELECT 'db', extract(epoch from clock_timestamp()), xact_commit FROM pg_stat_database WHERE datname='chatdesk'" >>"$sampler_log" 2>/dev/null || true
      sleep 1
    done
  ) &
  sampler_pids+=($!)
}
cpu_report() { # [rate unit] CPU use during the measurement window written by the client in $phase_file
  [ -f "$phase_file" ] || return 0
  # shellcheck disable=SC1090
  . "$phase_file"
  awk -v a="${measure_start:-0}" -v b="${measure_end:-9999999999}" -v clk="$clk" -v ncpu="$(nproc)" -v rate="${1:-0}" -v unit="${2:-}" '
    $1=="ticks" && $2>=a && $2<=b+1 { if (!n) { t0=$2; s0=$4; p0=$6; n0=$8; b0=$10; a0=$12 } t1=$2; s1=$4; p1=$6; n1=$8; b1=$10; a1=$12; n++ }
    END { if (n < 2) { print "CPU            (not enough samples)"; exit }
          dt=t1-t0; srv=(s1-s0)/clk/dt*100; pg=(p1-p0)/clk/dt*100; nd=(n1-n0)/clk/dt*100; busy=(b1-b0)/(a1-a0)*100*ncpu
          printf "CPU (window)   server %.0f%%, postgres %.0f%%, client %.0f%% (of one core); whole machine %.0f%% of %d%% -> other processes (not this benchmark) %.0f%%\n", srv, pg, nd, busy, ncpu*100, busy-srv-pg-nd
          if (rate > 0) printf "CPU per %s    server %.2f ms + PostgreSQL %.2f ms (at %.1f %ss/s)\n", unit, srv*10/rate, pg*10/rate, rate, unit }' "$sampler_log"
  awk -v a="${measure_start:-0}" -v b="${measure_end:-9999999999}" -v ncpu="$(nproc)" '
    $1=="load" && $2>=a && $2<=b+1 { s+=$3; n++; if ($3>m) m=$3 }
    END { if (n) printf "Machine load   1-min load average %.1f on average, %.1f max, on %d cores\n", s/n, m, ncpu }' "$sampler_log"
  awk -F'|' -v a="${measure_start:-0}" -v b="${measure_end:-9999999999}" '
    $1=="db" && $2>=a-1 && $2<=b+2 { if (!n) { t0=$2; c0=$3 } t1=$2; c1=$3; n++ }
    END { if (n>=2 && t1>t0) printf "PostgreSQL     %.0f commits/s (transactions, read-only ones included; each push-bus pg_notify is one)\n", (c1-c0)/(t1-t0) }' "$sampler_log"
  echo "PostgreSQL sessions of the server (average count over ~1 s samples, state [wait event]):"
  awk -F'|' -v a="${measure_start:-0}" -v b="${measure_end:-9999999999}" '
    $1=="pg" && $2>=a && $2<=b+1 { t=int($2); k=$3"  ["$4"]"; cnt[k]+=$5; ts[t]=1 }
    END { n=0; for (t in ts) n++; if (!n) { print "    (no samples)"; exit } for (k in cnt) printf "    %6.1f  %s\n", cnt[k]/n, k }' "$sampler_log" | sort -rn | head -n 8
}
: >"$report"
answers_json='null'; typing_json='null'; sql_json='null'
node_status=0

# ---- 6. Answer search through the server ------------------------------------------------------
if [ "$only" = all ] || [ "$only" = answers ]; then
  log "answer search: $calls SuggestAnswers calls"
  rm -f "$phase_file"
  start_sampler
  set +e
  # shellcheck disable=SC2086
  node "$repo/tests/node/workspace-bench.mjs" --mode answers --url "$url" --calls "$calls" --phase-file "$phase_file" ${ANSWERS_ARGS:-} >"$dir/answers.out"
  status=$?
  set -e
  stop_samplers
  answers_rate=$(grep '^{' "$dir/answers.out" | tail -n 1 | jq -r '.throughput.callsPerSecond // 0' 2>/dev/null || echo 0)
  { grep -v '^{' "$dir/answers.out"; cpu_report "$answers_rate" call; echo "Library        $n_answers answers ($n_en en, $n_fr fr, $n_null without language, $n_cat categories, body ~$avg_body chars), table+indexes $tbl_size, GIN index $gin_size; SQL insert ${t_insert} s"; } | tee -a "$report"
  answers_json=$(grep '^{' "$dir/answers.out" | tail -n 1)
  [ -n "$answers_json" ] || answers_json='null'
  [ "$status" = 0 ] || node_status=$status

  # ---- 6b. The same SQL alone (psql EXPLAIN ANALYZE + pgbench) ----------------------------------
  sql=$(awk '/CreateCommand\("""/{f=1;next} /""");/{f=0} f' "$repo/server/ChatDesk.Server/CannedResponses/AnswerService.cs" | sed -n '/SELECT a.id/,/LIMIT \$7/p')
  conv_row=$(psql_q -F '|' -c "SELECT u.id, c.requested_skill_ids, coalesce(lower(split_part(split_part(c.language, '-', 1), '_', 1)), '') FROM conversations c JOIN users u ON u.id = c.operator_id WHERE u.normalized_email = 'BENCH-SEARCH@CHATDESK.LOCAL' ORDER BY c.requested_at DESC LIMIT 1" || true)
  if [ -z "$sql" ] || [ -z "$conv_row" ]; then
    echo "SQL alone      skipped: could not extract the SuggestAnswers SQL from AnswerService.cs or find the benchmark chat" | tee -a "$report"
  else
    IFS='|' read -r op_id skill_ids chat_lang <<<"$conv_row"
    # query | LIKE parameter ($5) | tsquery parameter ($6), exactly as AnswerService builds them ("" -> NULL).
    sql_queries=(
      '#a0001|#a0001%|a0001:*'
      'rembour|#rembour%|rembour:*'
      'deliv|#deliv%|deliv:*'
      'delivery delay|#delivery delay%|delivery & delay:*'
      'réclamation|#réclamation%|réclamation:*'
      'co|#co%|co:*'
      '|#%|'
    )
    explain_file="$dir/explain.txt"
    : >"$explain_file"
    sql_results=()
    {
      echo
      echo "== SuggestAnswers SQL alone (PostgreSQL $pg_version, $n_answers answers, chat language '${chat_lang:-none}') =="
      echo "   EXPLAIN (ANALYZE, BUFFERS) after 3 warm-up executions in the same session, then pgbench 300 runs each (extended protocol, custom plans as with Npgsql)"
    } | tee -a "$report"
    for entry in "${sql_queries[@]}"; do
      IFS='|' read -r q like tsq <<<"$entry"
      if [ -z "$tsq" ]; then tsq_sql='NULL'; else tsq_sql="'$(printf '%s' "$tsq" | sed "s/'/''/g")'"; fi
      like_sql="'$(printf '%s' "$like" | sed "s/'/''/g")'"
      q_sql="'$(printf '%s' "$q" | sed "s/'/''/g")'"
      lang_sql=$([ -n "$chat_lang" ] && echo "'$chat_lang'" || echo NULL)
      plan=$(psql_q <<SQL 2>&1 || true
PREPARE suggest(text, uuid[], text, text, text, text, integer) AS
$sql;
\\o /dev/null
EXECUTE suggest('$op_id', '$skill_ids', $lang_sql, $q_sql, $like_sql, $tsq_sql, 8);
EXECUTE suggest('$op_id', '$skill_ids', $lang_sql, $q_sql, $like_sql, $tsq_sql, 8);
EXECUTE suggest('$op_id', '$skill_ids', $lang_sql, $q_sql, $like_sql, $tsq_sql, 8);
\\o
EXPLAIN (ANALYZE, BUFFERS) EXECUTE suggest('$op_id', '$skill_ids', $lang_sql, $q_sql, $like_sql, $tsq_sql, 8);
SQL
)
      { echo "---- query \"$q\""; echo "$plan"; } >>"$explain_file"
      exec_ms=$(grep -oP 'Execution Time: \K[0-9.]+' <<<"$plan" || echo "?")
      plan_ms=$(grep -oP 'Planning Time: \K[0-9.]+' <<<"$plan" || echo "?")
      rows_matched=$(grep -oP '^(Limit|Sort|Incremental Sort).*?actual time=[0-9.]+\.\.[0-9.]+ rows=\K[0-9]+' <<<"$plan" | head -n 1 || true)
      scan=$(grep -oE '(Seq Scan|Bitmap Heap Scan|Bitmap Index Scan|Index Scan|Index Only Scan) on [a-z_]+' <<<"$plan" | sort | uniq | paste -sd ',' - | sed 's/,/, /g')
      scanned=$(grep -oP '(Seq Scan|Bitmap Heap Scan) on answers a .*?rows=\K[0-9]+' <<<"$plan" | head -n 1 || true)
      removed=$(grep -oP 'Rows Removed by Filter: \K[0-9]+' <<<"$plan" | head -n 1 || true)
      sorted=$(grep -oP 'Sort Method: \K.*' <<<"$plan" | head -n 1 || true)
      # pgbench: the same statement text, parameters as pgbench variables.
      script="$dir/pgbench-suggest.sql"
      sed -e 's/\$1/:op/g; s/\$2/:skills/g; s/\$3/:lang/g; s/\$4/:q/g; s/\$5/:like/g; s/\$7/8/g' <<<"$sql" >"$script"
      if [ -z "$tsq" ]; then sed -i 's/\$6/NULL/g' "$script"; else sed -i 's/\$6/:tsq/g' "$script"; fi
      [ -n "$chat_lang" ] || sed -i 's/:lang/NULL/g' "$script"
      [ -n "$q" ] || sed -i "s/:q/''/g" "$script"   # pgbench cannot define an empty variable
      echo ";" >>"$script"
      rm -f "$dir"/pgbench_log.*
      pb_out=$(cd "$dir" && pgbench -h 127.0.0.1 -p "$pg_port" -U chatdesk -n -M extended -t 300 -c 1 -l \
        -D op="$op_id" -D skills="$skill_ids" -D lang="$chat_lang" ${q:+-D q="$q"} -D like="$like" ${tsq:+-D tsq="$tsq"} -f "$script" chatdesk 2>&1 || true)
      pb=$(cat "$dir"/pgbench_log.* 2>/dev/null | awk '{print $3/1000}' | sort -n | awk '{ v[NR]=$1 } END { if (!NR) { print "n/a"; exit } i50=int(NR*0.5+0.999); i99=int(NR*0.99+0.999); printf "p50 %.2f ms, p99 %.2f ms, max %.2f ms (n=%d)", v[i50], v[i99], v[NR], NR }' || echo "n/a")
      [ "$pb" != "n/a" ] || pb="n/a ($(tail -n 2 <<<"$pb_out" | tr '\n' ' ' | cut -c1-200))"
      line=$(printf '  %-18s execution %s ms, planning %s ms; %s; %s rows matched%s%s; pgbench %s' "\"$q\"" "$exec_ms" "$plan_ms" "${scan:-?}" "${scanned:-?}" \
        "${removed:+, $removed removed by filter}" "${sorted:+; sort: $sorted}" "$pb")
      echo "$line" | tee -a "$report"
      sql_results+=("$(jq -cn --arg q "$q" --arg exec "$exec_ms" --arg plan "$plan_ms" --arg scan "$scan" --arg matched "${scanned:-}" --arg pb "$pb" \
        '{query: $q, executionMs: ($exec | tonumber? // null), planningMs: ($plan | tonumber? // null), scans: $scan, rowsMatched: ($matched | tonumber? // null), pgbench: $pb}')")
    done
    echo "  (full plans: $explain_file)" | tee -a "$report"
    sql_json=$(printf '%s\n' "${sql_results[@]}" | jq -cs '.')
  fi
  rm -f "$dir"/pgbench_log.*
fi

# ---- 7. Typing preview ---------------------------------------------------------------------------
if [ "$only" = all ] || [ "$only" = typing ]; then
  log "typing preview: $visitors visitors, $operators operators, ${seconds}s"
  rm -f "$phase_file"
  start_sampler
  set +e
  # shellcheck disable=SC2086
  node "$repo/tests/node/workspace-bench.mjs" --mode typing --url "$url" --visitors "$visitors" --operators "$operators" \
    --seconds "$seconds" --phase-file "$phase_file" ${TYPING_ARGS:-} >"$dir/typing.out"
  status=$?
  set -e
  stop_samplers
  typing_rate=$(grep '^{' "$dir/typing.out" | tail -n 1 | jq -r '.events.deliveredRate // 0' 2>/dev/null || echo 0)
  { grep -v '^{' "$dir/typing.out"; cpu_report "$typing_rate" event; } | tee -a "$report"
  typing_json=$(grep '^{' "$dir/typing.out" | tail -n 1)
  [ -n "$typing_json" ] || typing_json='null'
  [ "$status" = 0 ] || node_status=$status
fi

# ---- 8. Summary ------------------------------------------------------------------------------------
{
  echo
  echo "Server warnings/errors logged: $(warning_count "$server_log") (see $server_log)"
  top_warnings 'warn|fail|crit' "$server_log"
  echo "Machine: $(nproc) cores; PostgreSQL $pg_version; the client, the server and PostgreSQL share it."
  echo "Goals"
  for j in "$answers_json" "$typing_json"; do
    if [ "$j" != null ]; then jq -r '.goals[]? | "  \(.status)  \(.goal)  measured: \(.value)"' <<<"$j" || true; fi
  done
} | tee -a "$report"
jq -cn --argjson answers "$answers_json" --argjson typing "$typing_json" --argjson sql "$sql_json" \
  '{benchmark: "workspace", answers: $answers, answersSql: $sql, typing: $typing,
    goals: ([$answers, $typing] | map(select(. != null) | .goals // []) | add // [])}' | tee "$dir/result.json"
log "report saved to $report (JSON: $dir/result.json)"
exit "$node_status"
