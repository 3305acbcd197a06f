-- The PostgreSQL twin of migrations/sqlite: the same tables, in its own types.
-- Resumable uploads of verification videos (tus 1.0), staff sessions, and what the
-- verification cases need besides.

CREATE TABLE uploads (
    id               TEXT PRIMARY KEY,
    verification_id  TEXT NOT NULL REFERENCES verifications(id),
    length           BIGINT NOT NULL,
    -- Bytes made durable in storage; moves only after they are (fsync).
    received         BIGINT NOT NULL DEFAULT 0,
    metadata         TEXT NOT NULL,
    content_type     TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    finished_at      BIGINT,
    terminated_at    BIGINT,
    -- Retention: the video file is deleted 30 days after its case is decided.
    video_deleted_at BIGINT,
    CHECK (received <= length)
);
CREATE INDEX uploads_by_verification ON uploads (verification_id);

ALTER TABLE verifications ADD COLUMN lang TEXT NOT NULL DEFAULT 'pl';
ALTER TABLE verifications ADD COLUMN upload_id TEXT REFERENCES uploads(id);
ALTER TABLE verifications ADD COLUMN decided_by TEXT;
CREATE INDEX verifications_by_status ON verifications (status, submitted_at);

-- Staff sessions live in the database so that any server instance can check them.
-- Only a hash of the cookie's token is kept.
CREATE TABLE staff_sessions (
    token_hash BYTEA PRIMARY KEY,
    email      TEXT NOT NULL REFERENCES staff(email),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
