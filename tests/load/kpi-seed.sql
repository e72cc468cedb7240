-- Seeds :conversations conversations over the :days days before now for run-kpi-benchmark.sh, with
-- realistic shapes: fewer chats at weekends, a daytime peak, 40-odd operators in shifts, skills, returning
-- visitors, abandons and missed chats, transfers, invited operators, automatic wrap-ups and partial surveys.
-- About 20 events per conversation. Bulk INSERT ... SELECT (no per-row round trip); the KPI trigger is off
-- while loading and the derived rows are rebuilt afterwards through the admin API.
\set ON_ERROR_STOP 1
SELECT setseed(0.42);
SET synchronous_commit = off;

CREATE TEMP TABLE ops AS
SELECT row_number() OVER (ORDER BY email) - 1 AS i, id FROM users WHERE normalized_email LIKE 'BENCH-OP-%@CHATDESK.LOCAL';
CREATE TEMP TABLE sk AS SELECT row_number() OVER (ORDER BY key) - 1 AS i, id FROM skills;
SELECT count(*) AS operators FROM ops \gset
SELECT count(*) AS skill_count FROM sk \gset
SELECT id AS site FROM sites WHERE key = 'demo' \gset

-- Request times: a day of the period (weekends at ~40 %), an hour around a 14:00 peak (and some at night).
CREATE TEMP TABLE t AS
SELECT date_trunc('day', now()) - make_interval(days => d) + make_interval(secs => s) AS requested_at
FROM (
    SELECT CASE WHEN extract(isodow FROM date_trunc('day', now()) - make_interval(days => d0)) >= 6 AND random() < 0.6 THEN d0 + 2 ELSE d0 END AS d,
           CASE WHEN random() < 0.1 THEN random() * 86400 ELSE 8 * 3600 + (random() + random() + random()) / 3 * 12 * 3600 END AS s
    FROM (SELECT 1 + floor(random() * :days)::int AS d0 FROM generate_series(1, :conversations)) x) y;

CREATE TEMP TABLE c AS
SELECT n, md5('c' || n)::uuid AS id, requested_at,
       -- 10 % come back right after their previous chat (same visitor as the conversation before), 5 % days later
       md5('v' || CASE WHEN r_visit < 0.10 AND n > 1 THEN n - 1 WHEN r_visit < 0.15 AND n > 5000 THEN n - 5000 ELSE n END)::uuid AS visitor_id,
       (SELECT id FROM sk WHERE sk.i = n % :skill_count) AS skill_id,
       (SELECT id FROM ops WHERE ops.i = (n * 7 + floor(r_op * 5)::int) % :operators) AS owner0,
       (SELECT id FROM ops WHERE ops.i = (n * 7 + 11) % :operators) AS other,
       CASE WHEN r_out < 0.05 THEN 'missed' WHEN r_out < 0.13 THEN 'abandoned' ELSE 'answered' END AS outcome,
       2 + (-ln(1 - random()) * 20) AS wait, 3 + random() * 40 AS reply, 8 + floor(random() * 19)::int AS m,
       120 + random() * 1200 AS talk, random() < 0.08 AS transfer, random() < 0.03 AS invite,
       CASE WHEN random() < 0.1 THEN 'auto' ELSE (ARRAY['resolved', 'resolved', 'resolved', 'unresolved', 'follow_up'])[1 + floor(random() * 5)::int] END AS wrap,
       10 + random() * 110 AS acw, random() < 0.3 AS surveyed, random() < 0.5 AS visitor_ends, 2 + random() * 300 AS ata
FROM (SELECT row_number() OVER (ORDER BY requested_at) AS n, requested_at, random() AS r_visit, random() AS r_op, random() AS r_out FROM t) z;

CREATE TEMP TABLE cc AS
SELECT c.*, CASE WHEN transfer THEN other ELSE owner0 END AS owner,
       c.requested_at + make_interval(secs => CASE outcome WHEN 'missed' THEN 0 WHEN 'abandoned' THEN ata ELSE wait + reply + talk END) AS ended_at,
       (talk - 5) / (m + 1) AS step,
       4 + m + CASE WHEN transfer THEN 2 ELSE 0 END + CASE WHEN invite THEN 2 ELSE 0 END AS seq_end
FROM c;

INSERT INTO visitors (id, site_id, created_at) SELECT md5('v' || n)::uuid, :'site', requested_at FROM c;

INSERT INTO conversations (id, site_id, visitor_id, skill_id, status, operator_id, visitor_name, requested_at, assigned_at, ended_at, ended_by,
                           wrap_up_completed_at, disposition, wrap_up_auto, last_message_sequence, last_event_sequence)
SELECT id, :'site', visitor_id, skill_id, 'ended', CASE WHEN outcome = 'answered' THEN owner END, 'Visitor ' || n, requested_at,
       CASE WHEN outcome = 'answered' THEN requested_at + make_interval(secs => wait) END, ended_at,
       CASE outcome WHEN 'missed' THEN 'system' WHEN 'abandoned' THEN 'visitor' WHEN 'answered' THEN CASE WHEN visitor_ends THEN 'visitor' ELSE 'operator' END END,
       CASE WHEN outcome = 'answered' THEN ended_at + make_interval(secs => CASE WHEN wrap = 'auto' THEN 120 ELSE acw END) END,
       CASE WHEN outcome = 'answered' AND wrap <> 'auto' THEN wrap END, outcome = 'answered' AND wrap = 'auto',
       CASE WHEN outcome = 'answered' THEN m ELSE 0 END,
       CASE outcome WHEN 'missed' THEN 2 WHEN 'abandoned' THEN 3 ELSE seq_end + 1 + surveyed::int END
FROM cc;

-- The event log. Indexes are built after the load (faster than maintaining them row by row).
DROP INDEX ix_events_conversation_id_sequence;
DROP INDEX ix_events_type_occurred_at;
ALTER TABLE events DISABLE TRIGGER events_kpi_dirty;

INSERT INTO events (type, occurred_at, conversation_id, sequence, operator_id, visitor_id, data)
SELECT 'chat.requested', requested_at, id, 1, NULL, visitor_id, jsonb_build_object('skillIds', jsonb_build_array(skill_id)) FROM cc
UNION ALL
SELECT 'chat.ended', ended_at, id, 2, NULL, visitor_id, '{"endedBy":"system","reason":"no_operator"}' FROM cc WHERE outcome = 'missed'
UNION ALL
SELECT 'message.sent', requested_at + interval '1 second', id, 2, NULL, visitor_id, '{"authorKind":"automated"}' FROM cc WHERE outcome <> 'missed'
UNION ALL
SELECT 'chat.ended', ended_at, id, 3, NULL, visitor_id, '{"endedBy":"visitor"}' FROM cc WHERE outcome = 'abandoned'
UNION ALL
SELECT 'chat.assigned', requested_at + make_interval(secs => wait), id, 3, owner0, visitor_id, jsonb_build_object('operatorId', owner0) FROM cc WHERE outcome = 'answered'
UNION ALL
SELECT 'message.sent', requested_at + make_interval(secs => wait + reply + (k - 1) * step), id, 3 + k,
       CASE WHEN k % 2 = 1 THEN owner0 END, visitor_id,
       CASE WHEN k % 2 = 1 THEN jsonb_build_object('authorKind', 'operator', 'operatorId', owner0) ELSE '{"authorKind":"visitor"}' END
FROM cc CROSS JOIN LATERAL generate_series(1, m) AS k WHERE outcome = 'answered'
UNION ALL
SELECT e.type, requested_at + make_interval(secs => wait + reply + m * step), id, 3 + m + e.o, owner0, visitor_id, e.data
FROM cc CROSS JOIN LATERAL (VALUES
    ('chat.transferred', 1, jsonb_build_object('from', owner0, 'to', other, 'reason', 'transfer')),
    ('chat.assigned', 2, jsonb_build_object('operatorId', other, 'how', 'transfer'))) AS e(type, o, data)
WHERE outcome = 'answered' AND transfer
UNION ALL
SELECT e.type, requested_at + make_interval(secs => wait + reply + m * step + e.o * 2), id, 3 + m + transfer::int * 2 + e.o,
       (SELECT id FROM ops WHERE ops.i = (n * 7 + 23) % :operators), visitor_id,
       jsonb_build_object('operatorId', (SELECT id FROM ops WHERE ops.i = (n * 7 + 23) % :operators))
FROM cc CROSS JOIN LATERAL (VALUES ('operator.joined', 1), ('operator.left', 2)) AS e(type, o)
WHERE outcome = 'answered' AND invite
UNION ALL
SELECT 'chat.ended', ended_at, id, seq_end, CASE WHEN NOT visitor_ends THEN owner END, visitor_id,
       jsonb_build_object('endedBy', CASE WHEN visitor_ends THEN 'visitor' ELSE 'operator' END, 'ownerOperatorId', owner)
FROM cc WHERE outcome = 'answered'
UNION ALL
SELECT 'wrapup.completed', ended_at + make_interval(secs => CASE WHEN wrap = 'auto' THEN 120 ELSE acw END), id, seq_end + 1, owner, visitor_id,
       jsonb_build_object('disposition', CASE WHEN wrap <> 'auto' THEN wrap END, 'auto', wrap = 'auto')
FROM cc WHERE outcome = 'answered'
UNION ALL
SELECT 'survey.submitted', ended_at + make_interval(secs => acw + 30), id, seq_end + 2, NULL, visitor_id,
       jsonb_build_object('csat', CASE WHEN random() < 0.9 THEN 1 + floor(random() * 5)::int END, 'nps', CASE WHEN random() < 0.8 THEN floor(random() * 11)::int END,
                          'ces', CASE WHEN random() < 0.6 THEN 1 + floor(random() * 7)::int END, 'resolved', CASE WHEN random() < 0.7 THEN random() < 0.75 END)
FROM cc WHERE outcome = 'answered' AND surveyed;

-- Shifts: every operator online from 07:00-10:00 to 16:00-19:00 on weekdays, away for lunch.
INSERT INTO events (type, occurred_at, operator_id, data)
SELECT 'operator.status_changed', date_trunc('day', now()) - make_interval(days => d) + make_interval(hours => (h.at + o.i % 4)::int), o.id, jsonb_build_object('status', h.status)
FROM ops o CROSS JOIN generate_series(1, :days) AS d
CROSS JOIN (VALUES (7, 'online'), (11, 'away'), (12, 'online'), (16, 'offline')) AS h(at, status)
WHERE extract(isodow FROM date_trunc('day', now()) - make_interval(days => d)) < 6 OR o.i % 3 = 0;

CREATE UNIQUE INDEX ix_events_conversation_id_sequence ON events (conversation_id, sequence);
CREATE INDEX ix_events_type_occurred_at ON events (type, occurred_at);
ALTER TABLE events ENABLE TRIGGER events_kpi_dirty;
VACUUM ANALYZE events;
VACUUM ANALYZE conversations;
SELECT count(*) AS conversations FROM conversations;
SELECT count(*) AS events FROM events;
