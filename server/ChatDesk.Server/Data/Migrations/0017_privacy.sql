-- 0017: privacy. A conversation whose personal data was erased (on request, or by the site's retention period)
-- is marked, so the retention sweep does not visit it again. The event log stays append-only with one narrow
-- exception: an erasure may rewrite an event's data (never its type, time, conversation or order), in a
-- transaction that sets chatdesk.redaction, to drop the personal fields some events carry (page URLs and
-- titles, user agents, file names, wrap-up notes). Every KPI fact in the events stays as it was.
ALTER TABLE conversations ADD redacted_at timestamp with time zone;
CREATE INDEX ix_conversations_retention ON conversations (site_id, ended_at) WHERE status = 'ended' AND redacted_at IS NULL;

CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('chatdesk.redaction', true) = 'on'
        AND NEW.id = OLD.id AND NEW.type = OLD.type AND NEW.occurred_at = OLD.occurred_at
        AND NEW.conversation_id IS NOT DISTINCT FROM OLD.conversation_id AND NEW.sequence IS NOT DISTINCT FROM OLD.sequence
        AND NEW.operator_id IS NOT DISTINCT FROM OLD.operator_id AND NEW.visitor_id IS NOT DISTINCT FROM OLD.visitor_id THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'events are append-only (% refused)', TG_OP;
END $$;
