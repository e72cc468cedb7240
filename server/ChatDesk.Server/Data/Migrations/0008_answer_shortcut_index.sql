-- 0008: shortcut prefix search ("#ref") uses an index: the database collation is not C, so LIKE
-- 'x%' needs text_pattern_ops.
CREATE INDEX ix_answers_shortcut_pattern ON answers (shortcut text_pattern_ops);
