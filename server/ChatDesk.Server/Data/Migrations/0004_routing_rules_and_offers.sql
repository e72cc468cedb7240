-- 0004: per-site routing settings (offer mode, ring timeout, language routing, business hours),
-- page rules, topic priority, several requested skills per chat, and pending offers.
ALTER TABLE sites ADD offer_mode boolean NOT NULL DEFAULT false;
ALTER TABLE sites ADD ring_timeout_seconds integer NOT NULL DEFAULT 30;
ALTER TABLE sites ADD route_by_language boolean NOT NULL DEFAULT false;
ALTER TABLE sites ADD business_hours jsonb;
ALTER TABLE sites ADD CONSTRAINT ck_sites_ring_timeout CHECK (ring_timeout_seconds BETWEEN 5 AND 600);

ALTER TABLE site_topics ADD priority integer NOT NULL DEFAULT 0;

CREATE TABLE site_page_rules (
    id uuid NOT NULL,
    site_id uuid NOT NULL,
    url_pattern character varying(512) NOT NULL,
    skill_id uuid NOT NULL,
    CONSTRAINT pk_site_page_rules PRIMARY KEY (id),
    CONSTRAINT fk_site_page_rules_sites_site_id FOREIGN KEY (site_id) REFERENCES sites (id) ON DELETE CASCADE,
    CONSTRAINT fk_site_page_rules_skills_skill_id FOREIGN KEY (skill_id) REFERENCES skills (id) ON DELETE CASCADE
);
CREATE INDEX ix_site_page_rules_site_id ON site_page_rules (site_id);
CREATE INDEX ix_site_page_rules_skill_id ON site_page_rules (skill_id);

ALTER TABLE conversations ADD requested_skill_ids uuid[] NOT NULL DEFAULT '{}';
ALTER TABLE conversations ADD priority integer NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD offered_to text;
ALTER TABLE conversations ADD offer_expires_at timestamp with time zone;
UPDATE conversations SET requested_skill_ids = ARRAY[skill_id] WHERE skill_id IS NOT NULL;
DROP INDEX ix_conversations_status_requested_at;
CREATE INDEX ix_conversations_status_priority_requested_at ON conversations (status, priority, requested_at);
CREATE INDEX ix_conversations_offered_to ON conversations (offered_to);
