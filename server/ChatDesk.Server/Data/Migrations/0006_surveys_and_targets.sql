-- 0006: end-of-session surveys (which questions each site asks, one answer set per conversation)
-- and KPI targets.
ALTER TABLE sites ADD survey_questions text[] NOT NULL DEFAULT '{csat,nps,ces,resolved,comment}';

CREATE TABLE surveys (
    conversation_id uuid NOT NULL,
    csat smallint,
    nps smallint,
    ces smallint,
    resolved boolean,
    comment character varying(2000),
    submitted_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_surveys PRIMARY KEY (conversation_id),
    CONSTRAINT fk_surveys_conversations_conversation_id FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE,
    CONSTRAINT ck_surveys_csat CHECK (csat BETWEEN 1 AND 5),
    CONSTRAINT ck_surveys_nps CHECK (nps BETWEEN 0 AND 10),
    CONSTRAINT ck_surveys_ces CHECK (ces BETWEEN 1 AND 7)
);

CREATE TABLE kpi_targets (
    id uuid NOT NULL,
    kpi character varying(64) NOT NULL,
    skill_id uuid,
    value double precision NOT NULL,
    direction character varying(8) NOT NULL,
    period character varying(8) NOT NULL,
    CONSTRAINT pk_kpi_targets PRIMARY KEY (id),
    CONSTRAINT fk_kpi_targets_skills_skill_id FOREIGN KEY (skill_id) REFERENCES skills (id) ON DELETE CASCADE
);
CREATE INDEX ix_kpi_targets_skill_id ON kpi_targets (skill_id);
