-- 0009: a small full-text vector of the title alone, so suggestions rank title matches first
-- from its own GIN index instead of scoring every body that matches.
ALTER TABLE answers ADD title_search tsvector GENERATED ALWAYS AS (
    to_tsvector('english', chatdesk_unaccent(title)) || to_tsvector('french', chatdesk_unaccent(title))) STORED;
CREATE INDEX ix_answers_title_search ON answers USING gin (title_search);
