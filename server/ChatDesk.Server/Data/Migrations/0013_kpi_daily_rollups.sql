-- 0013: daily KPI rollups, so that a year of dashboard figures reads a few hundred rows instead of a million.
--   kpi_conversations.acw_seconds / handle_seconds   ACW capped with the site's wrap-up timeout, and handle time:
--                                                    stored so that their percentiles can walk an index
--   kpi_daily          per site, local day, skill (the all-zero uuid: every skill) and operator ('' : the team):
--                      counts, sums and (team rows) histograms of the durations; layout in Kpis/KpiDaily.cs
--   kpi_daily_stamps   per site, the settings the rollups were computed with: a query that finds other
--                      settings recomputes them (time zone, thresholds, repeat window, wrap-up timeout)

ALTER TABLE kpi_conversations ADD acw_seconds double precision, ADD handle_seconds double precision;
UPDATE kpi_conversations f SET
    acw_seconds = CASE WHEN f.wrap_up_auto AND f.acw_raw_seconds > s.wrap_up_timeout_seconds THEN s.wrap_up_timeout_seconds ELSE f.acw_raw_seconds END
FROM sites s WHERE s.id = f.site_id AND f.acw_raw_seconds IS NOT NULL;
UPDATE kpi_conversations SET handle_seconds = engaged_seconds + acw_seconds WHERE frt_seconds IS NOT NULL AND acw_seconds IS NOT NULL;

-- A percentile is read at its rank: the daily histograms say which bucket holds it and how many values lie
-- below, and one of these (covering) indexes walks from the bucket's lower bound to the exact value.
CREATE INDEX ix_kpi_conversations_frt ON kpi_conversations (site_id, frt_seconds) INCLUDE (requested_at, skill_id, conversation_id) WHERE frt_seconds IS NOT NULL;
CREATE INDEX ix_kpi_conversations_wait ON kpi_conversations (site_id, wait_seconds) INCLUDE (requested_at, skill_id, conversation_id) WHERE wait_seconds IS NOT NULL;
CREATE INDEX ix_kpi_conversations_abandoned ON kpi_conversations (site_id, duration_seconds) INCLUDE (requested_at, skill_id, conversation_id)
    WHERE frt_seconds IS NULL AND ended_by = 'visitor' AND duration_seconds IS NOT NULL;
CREATE INDEX ix_kpi_conversations_handle ON kpi_conversations (site_id, handle_seconds) INCLUDE (requested_at, skill_id, conversation_id) WHERE handle_seconds IS NOT NULL;
CREATE INDEX ix_kpi_conversations_acw ON kpi_conversations (site_id, acw_seconds) INCLUDE (requested_at, skill_id, conversation_id) WHERE acw_seconds IS NOT NULL;
CREATE INDEX ix_kpi_conversations_resolution ON kpi_conversations (site_id, duration_seconds) INCLUDE (requested_at, skill_id, conversation_id)
    WHERE frt_seconds IS NOT NULL AND resolved AND duration_seconds IS NOT NULL;
-- One operator's rows (their percentiles, their slowest first responses) and the FCR windows still open.
CREATE INDEX ix_kpi_conversations_first_responder ON kpi_conversations (site_id, first_responder, requested_at) INCLUDE (frt_seconds, skill_id)
    WHERE first_responder IS NOT NULL;
CREATE INDEX ix_kpi_conversations_owner ON kpi_conversations (site_id, owner_at_end, requested_at) WHERE owner_at_end IS NOT NULL;
CREATE INDEX ix_kpi_conversations_ended_at ON kpi_conversations (site_id, ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX ix_kpi_conversation_operators_took_part ON kpi_conversation_operators (site_id, operator_id, requested_at) INCLUDE (conversation_id, skill_id)
    WHERE took_part;

CREATE TABLE kpi_daily (
    site_id uuid NOT NULL,
    skill_key uuid NOT NULL,
    day date NOT NULL,
    operator_id text NOT NULL,
    counts integer[] NOT NULL,
    duration_counts integer[] NOT NULL,
    duration_sums double precision[] NOT NULL,
    score_sums double precision[] NOT NULL,
    hours integer[],
    frt_hist integer[],
    asa_hist integer[],
    ata_hist integer[],
    aht_hist integer[],
    acw_hist integer[],
    resolution_hist integer[],
    CONSTRAINT pk_kpi_daily PRIMARY KEY (site_id, skill_key, operator_id, day)
);

CREATE TABLE kpi_daily_stamps (
    site_id uuid NOT NULL,
    stamp text NOT NULL,
    CONSTRAINT pk_kpi_daily_stamps PRIMARY KEY (site_id)
);
