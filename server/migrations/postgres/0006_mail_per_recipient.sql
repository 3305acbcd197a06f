-- The hourly limit per recipient: when each message was first due, and whether it is
-- one that goes out at once whatever the limit.
ALTER TABLE outbox ADD COLUMN scheduled_at BIGINT;
ALTER TABLE outbox ADD COLUMN essential BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX outbox_recipient ON outbox (lower(to_addr), scheduled_at);
