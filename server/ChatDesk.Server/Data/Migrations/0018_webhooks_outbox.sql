-- 0018: signed webhooks and e-mail, delivered from a transactional outbox.
-- A site's webhook subscriptions name the public event kinds they want. An AFTER INSERT trigger on events queues
-- one outbox row per matching subscription in the transaction that appends the event, whichever path appended it
-- (the EF unit of work or the message appender's batch): nothing is queued for a rolled-back change and nothing
-- committed is lost. With no subscription on the event's site the trigger finds no row in an index and queues
-- nothing. Any node's dispatcher claims due rows (FOR UPDATE SKIP LOCKED, then a lease in next_attempt_at), so
-- one node sends each row; the attempt count and the next attempt time live in the row.
CREATE TABLE webhook_subscriptions (
    id uuid NOT NULL,
    site_id uuid NOT NULL,
    url character varying(2048) NOT NULL,
    secret character varying(128) NOT NULL,
    event_kinds text[] NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    description character varying(200) NOT NULL DEFAULT '',
    created_at timestamp with time zone NOT NULL,
    version integer NOT NULL DEFAULT 1,
    CONSTRAINT pk_webhook_subscriptions PRIMARY KEY (id),
    CONSTRAINT fk_webhook_subscriptions_sites_site_id FOREIGN KEY (site_id) REFERENCES sites (id) ON DELETE CASCADE
);
CREATE INDEX ix_webhook_subscriptions_site_id ON webhook_subscriptions (site_id) WHERE enabled;

-- channel: webhook (payload = the JSON body, signed at send time) or email (payload = recipient, subject, text).
-- status: pending, delivered, failed. The id is the delivery id receivers de-duplicate on (stable across retries).
CREATE TABLE outbox (
    id uuid NOT NULL,
    channel character varying(16) NOT NULL,
    kind character varying(64) NOT NULL,
    subscription_id uuid,
    site_id uuid,
    event_id bigint,
    payload text NOT NULL,
    status character varying(16) NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    created_at timestamp with time zone NOT NULL,
    next_attempt_at timestamp with time zone NOT NULL,
    completed_at timestamp with time zone,
    last_status_code integer,
    last_error character varying(500),
    latency_ms integer,
    claimed_by character varying(128),
    CONSTRAINT pk_outbox PRIMARY KEY (id),
    CONSTRAINT fk_outbox_webhook_subscriptions_subscription_id FOREIGN KEY (subscription_id) REFERENCES webhook_subscriptions (id) ON DELETE CASCADE
);
CREATE INDEX ix_outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX ix_outbox_subscription_recent ON outbox (subscription_id, created_at DESC) WHERE subscription_id IS NOT NULL;

CREATE FUNCTION webhooks_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    -- The public name of the stored event (offline_message.left is published as offline_message.created).
    public_kind text := CASE NEW.type WHEN 'offline_message.left' THEN 'offline_message.created' ELSE NEW.type END;
BEGIN
    INSERT INTO outbox (id, channel, kind, subscription_id, site_id, event_id, payload, created_at, next_attempt_at)
    SELECT d.id, 'webhook', public_kind, s.id, s.site_id, NEW.id,
           jsonb_build_object('id', d.id, 'type', public_kind, 'occurredAt', NEW.occurred_at, 'site', st.key,
                              'conversationId', NEW.conversation_id, 'eventId', NEW.id, 'data', NEW.data)::text,
           NEW.occurred_at, NEW.occurred_at
    FROM conversations c
    JOIN webhook_subscriptions s ON s.site_id = c.site_id AND s.enabled
        AND (public_kind = ANY (s.event_kinds) OR (public_kind LIKE 'remote.%' AND 'remote.*' = ANY (s.event_kinds)))
    JOIN sites st ON st.id = c.site_id
    CROSS JOIN LATERAL (SELECT gen_random_uuid() AS id) d
    WHERE c.id = NEW.conversation_id;
    RETURN NULL;
END $$;
CREATE TRIGGER events_webhooks AFTER INSERT ON events FOR EACH ROW
    WHEN (NEW.conversation_id IS NOT NULL AND (NEW.type IN ('chat.requested', 'chat.assigned', 'message.sent', 'chat.transferred',
        'chat.ended', 'survey.submitted', 'offline_message.left', 'file.shared') OR NEW.type LIKE 'remote.%'))
    EXECUTE FUNCTION webhooks_enqueue();
