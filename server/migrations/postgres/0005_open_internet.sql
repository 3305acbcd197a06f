-- Staff accounts can be disabled (`staff disable`): they sign in no more.
ALTER TABLE staff ADD COLUMN disabled_at BIGINT;
