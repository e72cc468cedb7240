-- 0012: derived KPI facts, maintained from the event log (which stays the truth) so that dashboard
-- queries aggregate compact rows instead of replaying every event of the period.
--   kpi_conversations            one row per conversation: what ConversationFacts says, in seconds
--   kpi_conversation_operators   one row per operator involved in a conversation (attribution)
--   kpi_busy_intervals           each operator's busy intervals (engaged, and the owner's after-chat work)
--   kpi_busy_days                per site, operator, local day and skill: the union of busy time that day
--   kpi_dirty_conversations      conversations whose rows must be recomputed (queued by a trigger on events)

CREATE TABLE kpi_conversations (
    conversation_id uuid NOT NULL,
    site_id uuid NOT NULL,
    visitor_id uuid NOT NULL,
    skill_id uuid,
    requested_at timestamp with time zone NOT NULL,
    ended_at timestamp with time zone,
    ended_by character varying(16),
    wait_seconds double precision,
    frt_seconds double precision,
    duration_seconds double precision,
    acw_raw_seconds double precision,
    wrap_up_auto boolean NOT NULL,
    engaged_seconds double precision NOT NULL,
    first_responder text,
    owner_at_end text,
    disposition character varying(16),
    resolved boolean NOT NULL,
    transfers integer NOT NULL,
    has_survey boolean NOT NULL,
    csat smallint,
    nps smallint,
    ces smallint,
    survey_resolved boolean,
    next_request_at timestamp with time zone,
    CONSTRAINT pk_kpi_conversations PRIMARY KEY (conversation_id)
);
CREATE INDEX ix_kpi_conversations_site_id_requested_at ON kpi_conversations (site_id, requested_at);
CREATE INDEX ix_kpi_conversations_visitor_id ON kpi_conversations (visitor_id);

CREATE TABLE kpi_conversation_operators (
    conversation_id uuid NOT NULL,
    operator_id text NOT NULL,
    site_id uuid NOT NULL,
    skill_id uuid,
    requested_at timestamp with time zone NOT NULL,
    took_part boolean NOT NULL,
    is_owner boolean NOT NULL,
    answered boolean NOT NULL,
    engaged_seconds double precision NOT NULL,
    acw_raw_seconds double precision,
    wrap_up_auto boolean NOT NULL,
    transferred_away boolean NOT NULL,
    CONSTRAINT pk_kpi_conversation_operators PRIMARY KEY (conversation_id, operator_id)
);
CREATE INDEX ix_kpi_conversation_operators_site_id_requested_at ON kpi_conversation_operators (site_id, requested_at);
CREATE INDEX ix_kpi_conversation_operators_operator_id_requested_at ON kpi_conversation_operators (operator_id, requested_at);

CREATE TABLE kpi_busy_intervals (
    conversation_id uuid NOT NULL,
    ordinal integer NOT NULL,
    site_id uuid NOT NULL,
    skill_id uuid,
    operator_id text NOT NULL,
    from_at timestamp with time zone NOT NULL,
    to_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_kpi_busy_intervals PRIMARY KEY (conversation_id, ordinal)
);
CREATE INDEX ix_kpi_busy_intervals_site_id_operator_id_to_at ON kpi_busy_intervals (site_id, operator_id, to_at);

-- skill_id is the all-zero uuid for "every skill" (a key column cannot be null).
CREATE TABLE kpi_busy_days (
    site_id uuid NOT NULL,
    operator_id text NOT NULL,
    skill_id uuid NOT NULL,
    day date NOT NULL,
    busy_seconds double precision NOT NULL,
    CONSTRAINT pk_kpi_busy_days PRIMARY KEY (site_id, skill_id, day, operator_id)
);

CREATE TABLE kpi_dirty_conversations (
    conversation_id uuid NOT NULL,
    CONSTRAINT pk_kpi_dirty_conversations PRIMARY KEY (conversation_id)
);

-- Operators' presence, for staffed time: the last change before a period and those inside it, index only.
CREATE INDEX ix_events_status_changes ON events (operator_id, occurred_at, id) INCLUDE (data) WHERE type = 'operator.status_changed';

-- Queues a conversation for recomputation in the same transaction as the event that changes its
-- facts. Operator messages only matter until the first one (the first response) is known.
CREATE FUNCTION kpi_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.type = 'message.sent' AND (NEW.data->>'authorKind' IS DISTINCT FROM 'operator' OR EXISTS (
        SELECT 1 FROM kpi_conversations f WHERE f.conversation_id = NEW.conversation_id AND f.frt_seconds IS NOT NULL)) THEN
        RETURN NULL;
    END IF;
    INSERT INTO kpi_dirty_conversations (conversation_id) VALUES (NEW.conversation_id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER events_kpi_dirty AFTER INSERT ON events FOR EACH ROW
    WHEN (NEW.conversation_id IS NOT NULL AND NEW.type IN ('chat.requested', 'chat.assigned', 'chat.transferred', 'operator.joined',
        'operator.left', 'message.sent', 'chat.ended', 'wrapup.completed', 'survey.submitted'))
    EXECUTE FUNCTION kpi_mark_dirty();

-- Existing conversations get their rows at the next catch-up.
INSERT INTO kpi_dirty_conversations (conversation_id) SELECT id FROM conversations;
