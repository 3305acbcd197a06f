-- Online payment of claims: one row per attempt at the provider. A claim has at most
-- one live intent: a new attempt is made only when the last one is no longer open.
CREATE TABLE payments (
    claim_id      TEXT NOT NULL REFERENCES claims(id),
    attempt       BIGINT NOT NULL,
    provider      TEXT NOT NULL,
    -- Unset between recording the attempt and the provider's answer.
    intent_id     TEXT UNIQUE,
    client_secret TEXT,
    amount_grosze BIGINT NOT NULL,
    currency      TEXT NOT NULL,
    -- creating, open, succeeded, canceled, refunding (a payment to give back), refunded
    status        TEXT NOT NULL,
    -- card or blik, as the owner chose when confirming.
    method        TEXT,
    last_failure  TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (claim_id, attempt)
);
CREATE INDEX payments_by_status ON payments (status, updated_at);

-- Every provider event handled: events arrive at least once, a repeat counts nothing.
CREATE TABLE payment_events (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    received_at BIGINT NOT NULL
);

-- How a claim was paid (transfer or stripe, with the provider's reference) and refunded.
ALTER TABLE claims ADD COLUMN paid_via TEXT;
ALTER TABLE claims ADD COLUMN payment_reference TEXT;
ALTER TABLE claims ADD COLUMN refund_reference TEXT;
ALTER TABLE claims ADD COLUMN refund_reason TEXT;

-- A claim's history may now reach `refunded`.
ALTER TABLE claim_events DROP CONSTRAINT claim_events_status_check;
ALTER TABLE claim_events ADD CONSTRAINT claim_events_status_check CHECK (status IN ('submitted',
    'received', 'quoted', 'awaiting_payment', 'paid', 'shipped', 'closed', 'warranty',
    'declined', 'refunded'));
