-- 0003: why a conversation ended (e.g. no operator available), and offline messages left by visitors.
ALTER TABLE conversations ADD ended_reason character varying(32);

CREATE TABLE offline_messages (
    id uuid NOT NULL,
    site_id uuid NOT NULL,
    visitor_id uuid NOT NULL,
    conversation_id uuid,
    name character varying(100) NOT NULL,
    email character varying(254) NOT NULL,
    text character varying(4000) NOT NULL,
    topic_key character varying(64),
    created_at timestamp with time zone NOT NULL,
    handled_at timestamp with time zone,
    handled_by text,
    CONSTRAINT pk_offline_messages PRIMARY KEY (id),
    CONSTRAINT fk_offline_messages_sites_site_id FOREIGN KEY (site_id) REFERENCES sites (id) ON DELETE CASCADE,
    CONSTRAINT fk_offline_messages_conversations_conversation_id FOREIGN KEY (conversation_id) REFERENCES conversations (id)
);
CREATE INDEX ix_offline_messages_site_id_created_at ON offline_messages (site_id, created_at);
CREATE INDEX ix_offline_messages_conversation_id ON offline_messages (conversation_id);
