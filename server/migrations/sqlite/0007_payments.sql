-- Online payment of claims: one row per attempt at the provider. A claim has at most
-- one live intent: a new attempt is made only when the last one is no longer open.
CREATE TABLE payments (
    claim_id      TEXT NOT NULL REFERENCES claims(id),
    attempt       INTEGER NOT NULL,
    provider      TEXT NOT NULL,
    -- Unset between recording the attempt and the provider's answer.
    intent_id     TEXT UNIQUE,
    client_secret TEXT,
    amount_grosze INTEGER NOT NULL,
    currency      TEXT NOT NULL,
    -- creating, open, succeeded, canceled, refunding (a payment to give back), refunded
    status        TEXT NOT NULL,
    -- card or blik, as the owner chose when confirming.
    method        TEXT,
    last_failure  TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (claim_id, attempt)
);
CREATE INDEX payments_by_status ON payments (status, updated_at);

-- Every provider event handled: events arrive at least once, a repeat counts nothing.
CREATE TABLE payment_events (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    received_at INTEGER NOT NULL
);

-- How a claim was paid (transfer or stripe, with the provider's reference) and refunded.
ALTER TABLE claims ADD COLUMN paid_via TEXT;
ALTER TABLE claims ADD COLUMN payment_reference TEXT;
ALTER TABLE claims ADD COLUMN refund_reference TEXT;
ALTER TABLE claims ADD COLUMN refund_reason TEXT;

-- A claim's history may now reach `refunded`: SQLite changes a CHECK only by
-- rebuilding the table (ids and order kept).
CREATE TABLE claim_events_new (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id TEXT NOT NULL REFERENCES claims(id),
    status   TEXT NOT NULL CHECK (status IN ('submitted', 'received', 'quoted',
        'awaiting_payment', 'paid', 'shipped', 'closed', 'warranty', 'declined', 'refunded')),
    actor    TEXT NOT NULL,
    at       INTEGER NOT NULL
);
INSERT INTO claim_events_new (id, claim_id, status, actor, at)
SELECT id, claim_id, status, actor, at FROM claim_events ORDER BY id;
DROP TABLE claim_events;
ALTER TABLE claim_events_new RENAME TO claim_events;
CREATE INDEX claim_events_by_claim ON claim_events (claim_id, id);
