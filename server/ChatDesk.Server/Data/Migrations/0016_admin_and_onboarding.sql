-- 0016: administration from the console. Accounts can be disabled and carry their language; skills are retired
-- rather than deleted (old conversations and KPI facts still name them); sites can be closed, carry their
-- languages, an optimistic-concurrency version and a retention period; invitations are single-use links kept
-- only as a hash of their token. Admin changes are events (type admin.*), read newest first by the audit log.
ALTER TABLE users ADD disabled_at timestamp with time zone;
ALTER TABLE users ADD language character varying(8) NOT NULL DEFAULT 'en';

ALTER TABLE skills ADD retired_at timestamp with time zone;

ALTER TABLE sites ADD disabled_at timestamp with time zone;
ALTER TABLE sites ADD languages text[] NOT NULL DEFAULT '{en,fr}';
ALTER TABLE sites ADD miss_when_only_away boolean NOT NULL DEFAULT false;
ALTER TABLE sites ADD retention_days integer;
ALTER TABLE sites ADD version integer NOT NULL DEFAULT 1;

CREATE TABLE invitations (
    id uuid NOT NULL,
    user_id text NOT NULL,
    token_hash bytea NOT NULL,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    created_by text,
    CONSTRAINT pk_invitations PRIMARY KEY (id),
    CONSTRAINT fk_invitations_users_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX ix_invitations_token_hash ON invitations (token_hash);
CREATE INDEX ix_invitations_user_id ON invitations (user_id);

CREATE INDEX ix_events_audit ON events (id) WHERE type LIKE 'admin.%';
