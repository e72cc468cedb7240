-- 0022: the outbox under the privacy features. An e-mail row names the conversation and the visitor whose data it
-- carries (an offline message may have no conversation), so erasing a visitor finds it; webhook rows are found
-- through their event. Retention deletes a site's rows by age, and completed rows go after ChatDesk:Outbox:KeepDays.
ALTER TABLE outbox ADD conversation_id uuid;
ALTER TABLE outbox ADD visitor_id uuid;
CREATE INDEX ix_outbox_conversation_id ON outbox (conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX ix_outbox_visitor_id ON outbox (visitor_id) WHERE visitor_id IS NOT NULL;
CREATE INDEX ix_outbox_event_id ON outbox (event_id) WHERE event_id IS NOT NULL;
CREATE INDEX ix_outbox_site_created ON outbox (site_id, created_at);
CREATE INDEX ix_outbox_completed ON outbox (completed_at) WHERE status <> 'pending';
