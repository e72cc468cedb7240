-- 0019: API tokens for integrations (named, scoped, revocable; only the SHA-256 of the secret is kept, looked up
-- by that hash on every request so a revocation is seen at once by every node).
CREATE TABLE api_tokens (
    id uuid NOT NULL,
    name character varying(100) NOT NULL,
    scopes text[] NOT NULL,
    token_hash bytea NOT NULL,
    owner_id text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    revoked_by text,
    CONSTRAINT pk_api_tokens PRIMARY KEY (id),
    CONSTRAINT fk_api_tokens_users_owner_id FOREIGN KEY (owner_id) REFERENCES users (id)
);
CREATE UNIQUE INDEX ix_api_tokens_token_hash ON api_tokens (token_hash);
CREATE INDEX ix_api_tokens_owner_id ON api_tokens (owner_id);

-- The conversation API searches message text (whole words, accents and case ignored, any language: the 'simple'
-- configuration, no stemming). Without this index every search would read and parse every message; the query in
-- ConversationApi/ConversationApiEndpoints.cs repeats this exact expression so the planner uses it.
CREATE INDEX ix_messages_text_search ON messages USING gin (to_tsvector('simple', chatdesk_unaccent(text)));

-- The conversation API lists latest request first and pages by (requested_at, id): without this index every page
-- would read and sort every conversation.
CREATE INDEX ix_conversations_requested_at_id ON conversations (requested_at, id);
