-- Each instance keeps the records behind the coverage lookup in memory
-- (server/src/coverage/cache.rs). A statement that changes one of the tables those
-- records come from tells every instance at its commit (a notification is part of the
-- transaction, and those of one transaction arrive as one), so that the others let go
-- of what they keep. Other writes (mail, rate limits, uploads) no longer retire it.
CREATE FUNCTION care_notify_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('care_writes', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER devices_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON devices
    FOR EACH STATEMENT EXECUTE FUNCTION care_notify_write();
CREATE TRIGGER coverages_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON coverages
    FOR EACH STATEMENT EXECUTE FUNCTION care_notify_write();
CREATE TRIGGER terms_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON terms
    FOR EACH STATEMENT EXECUTE FUNCTION care_notify_write();
CREATE TRIGGER replacements_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON replacements
    FOR EACH STATEMENT EXECUTE FUNCTION care_notify_write();
