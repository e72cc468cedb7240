-- 0015: the queue of conversations whose derived KPI rows must be recomputed gets one row per change instead
-- of one per conversation. With one row per conversation, an event committed just after a catch-up had taken
-- the conversation's row (and read its events) but whose trigger ran before, while the row was still there,
-- added nothing (ON CONFLICT DO NOTHING): its change was never projected. Now every change leaves its own
-- row, which a catch-up that could not see it leaves for the next one.
ALTER TABLE kpi_dirty_conversations DROP CONSTRAINT pk_kpi_dirty_conversations;
ALTER TABLE kpi_dirty_conversations ADD id bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE kpi_dirty_conversations ADD CONSTRAINT pk_kpi_dirty_conversations PRIMARY KEY (id);

CREATE OR REPLACE FUNCTION kpi_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.type = 'message.sent' AND (NEW.data->>'authorKind' IS DISTINCT FROM 'operator' OR EXISTS (
        SELECT 1 FROM kpi_conversations f WHERE f.conversation_id = NEW.conversation_id AND f.frt_seconds IS NOT NULL)) THEN
        RETURN NULL;
    END IF;
    INSERT INTO kpi_dirty_conversations (conversation_id) VALUES (NEW.conversation_id);
    RETURN NULL;
END $$;
