-- The PostgreSQL twin of migrations/sqlite: the same tables, in its own types.
-- Claims (service requests) and coverage reminders.

CREATE TABLE claims (
    id               TEXT PRIMARY KEY,
    serial           TEXT NOT NULL REFERENCES devices(serial),
    product_id       TEXT NOT NULL,
    -- The chain the claim was filed under (R10), if the device had one.
    coverage_id      TEXT REFERENCES coverages(id),
    description      TEXT NOT NULL,
    customer_name    TEXT NOT NULL,
    customer_email   TEXT NOT NULL,
    customer_phone   TEXT,
    shipping_address TEXT NOT NULL,
    lang             TEXT NOT NULL,
    status           TEXT NOT NULL,
    filed_at         BIGINT NOT NULL,
    -- R10 as judged when filed: eligibility holds even if the coverage ends after.
    eligible         BIGINT NOT NULL,
    refusal          TEXT,
    quote_grosze     BIGINT,
    quote_note       TEXT,
    option           TEXT CHECK (option IN ('repair', 'care_refresh')),
    paid_grosze      BIGINT,
    tracking         TEXT,
    replacement_serial TEXT,
    shipped_at       BIGINT,
    decline_reason   TEXT
);
CREATE INDEX claims_by_status ON claims (status, filed_at);
CREATE INDEX claims_by_serial ON claims (serial, filed_at);

-- One row per reminder sent: for a coverage, of a kind (30 days before the end, at
-- the end), about one end instant. The primary key makes each reminder go once, and
-- an extension (a new end) arms the reminders again.
CREATE TABLE coverage_reminders (
    coverage_id TEXT NOT NULL REFERENCES coverages(id),
    kind        TEXT NOT NULL CHECK (kind IN ('before_end', 'at_end')),
    ends_at     BIGINT NOT NULL,
    sent_at     BIGINT NOT NULL,
    PRIMARY KEY (coverage_id, kind, ends_at)
);
