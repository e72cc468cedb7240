-- 0014: the routing sweep (every second, on every node) looks for after-chat work left open past the site's
-- timeout. Without an index it read every ended conversation: 0.1-0.8 s a second at a million conversations.
-- Only the conversations still waiting for their wrap-up are in this index.
CREATE INDEX ix_conversations_wrap_up_pending ON conversations (ended_at)
    WHERE status = 'ended' AND operator_id IS NOT NULL AND wrap_up_completed_at IS NULL;
