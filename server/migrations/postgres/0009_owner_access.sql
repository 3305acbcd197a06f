-- The owner's page (/me): asks for a sign-in link, the links sent, owner sessions.
-- Addresses are kept lower-cased (ASCII), and matched against the records' addresses
-- lower-cased, so that Jan@Example.pl and jan@example.pl are one owner.

-- Every ask, known address or not: the request only records it; the job that sends
-- the links decides whether the address has anything to show.
CREATE TABLE owner_access_asks (
    id         TEXT PRIMARY KEY,
    email      TEXT NOT NULL,
    lang       TEXT NOT NULL,
    asked_at   BIGINT NOT NULL,
    handled_at BIGINT
);
CREATE INDEX owner_access_asks_pending ON owner_access_asks (handled_at, asked_at);

-- Sign-in links sent: the token only as its SHA-256; single use, 30 minutes.
CREATE TABLE owner_links (
    token_hash BYTEA PRIMARY KEY,
    email      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

-- Owner sessions (24 hours), the token only as its SHA-256.
CREATE TABLE owner_sessions (
    token_hash BYTEA PRIMARY KEY,
    email      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX activations_by_email ON activations (lower(customer_email));
CREATE INDEX verifications_by_email ON verifications (lower(email));
CREATE INDEX claims_by_email ON claims (lower(customer_email));
