-- The PostgreSQL twin of migrations/sqlite: the same tables, in its own types.
-- The portal's state. Instants are Unix seconds (UTC); money is integer grosze.

CREATE TABLE devices (
    serial       TEXT PRIMARY KEY,
    product_id   TEXT NOT NULL,
    -- When the owner activated the device itself; NULL for a sealed, new device.
    activated_at BIGINT,
    -- R11: set when a replacement unit took over this device's coverage.
    replaced_by  TEXT REFERENCES devices(serial),
    created_at   BIGINT NOT NULL
);

-- Codes are kept as a keyed hash (HMAC-SHA256 under a key that is not in the
-- database), so a leaked database does not hand out codes.
CREATE TABLE codes (
    hash        BYTEA PRIMARY KEY,
    -- The last four characters, so support can tell codes apart.
    hint        TEXT NOT NULL,
    product_id  TEXT NOT NULL,
    plan        TEXT NOT NULL CHECK (plan IN ('annual', 'two-year')),
    region      TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    used_at     BIGINT,
    -- The backstop of single use: one activation per code, one code per activation.
    activation_id TEXT UNIQUE,
    CHECK ((used_at IS NULL) = (activation_id IS NULL))
);

CREATE TABLE verifications (
    id            TEXT PRIMARY KEY,
    serial        TEXT NOT NULL,
    email         TEXT NOT NULL,
    status        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    submitted_at  BIGINT,
    decided_at    BIGINT,
    accepted_at   BIGINT,
    reject_reason TEXT,
    reject_note   TEXT,
    used_at       BIGINT,
    activation_id TEXT UNIQUE
);

CREATE TABLE activations (
    id              TEXT PRIMARY KEY,
    code_hash       BYTEA NOT NULL UNIQUE REFERENCES codes(hash),
    serial          TEXT NOT NULL REFERENCES devices(serial),
    kind            TEXT NOT NULL CHECK (kind IN ('new', 'extension')),
    verification_id TEXT REFERENCES verifications(id),
    customer_name   TEXT NOT NULL,
    customer_email  TEXT NOT NULL,
    customer_phone  TEXT,
    lang            TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);

-- A coverage is one chain of continuous terms; `serial` is the device that holds it
-- now (it moves on R11).
CREATE TABLE coverages (
    id         TEXT PRIMARY KEY,
    serial     TEXT NOT NULL REFERENCES devices(serial),
    started_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX coverages_by_serial ON coverages (serial, started_at);

CREATE TABLE terms (
    coverage_id   TEXT NOT NULL REFERENCES coverages(id),
    seq           BIGINT NOT NULL,
    plan          TEXT NOT NULL CHECK (plan IN ('annual', 'two-year')),
    starts_at     BIGINT NOT NULL,
    ends_at       BIGINT NOT NULL,
    replacements  BIGINT NOT NULL,
    activation_id TEXT NOT NULL UNIQUE REFERENCES activations(id),
    PRIMARY KEY (coverage_id, seq)
);

-- The replacements ledger: one row per replacement counted against a chain (R7, R8).
CREATE TABLE replacements (
    id          TEXT PRIMARY KEY,
    coverage_id TEXT NOT NULL REFERENCES coverages(id),
    number      BIGINT NOT NULL,
    fee_grosze  BIGINT NOT NULL,
    claim_id    TEXT UNIQUE,
    at          BIGINT NOT NULL,
    UNIQUE (coverage_id, number)
);


CREATE TABLE idempotency_keys (
    key          TEXT PRIMARY KEY,
    request_hash BYTEA NOT NULL,
    status       BIGINT NOT NULL,
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

-- Emails are written here in the transaction of the change that causes them; a
-- worker delivers them. `lease_until` keeps two workers off the same message.
CREATE TABLE outbox (
    id              BIGSERIAL PRIMARY KEY,
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT,
    sent_at         BIGINT,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);

-- Who or what changed which record, and when.
CREATE TABLE audit_events (
    id      BIGSERIAL PRIMARY KEY,
    at      BIGINT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_by_subject ON audit_events (subject, at);

CREATE TABLE staff (
    email         TEXT PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('reviewer', 'service')),
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

-- Fixed-window counters of failed attempts (wrong codes), per client and per serial.
CREATE TABLE rate_limits (
    bucket       TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    failures     BIGINT NOT NULL
);
