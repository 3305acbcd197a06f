-- Erasure deletes an owner's asks, links and sessions by their (lower-cased) address:
-- without these it read every row of each table.
CREATE INDEX owner_access_asks_by_email ON owner_access_asks (email);
CREATE INDEX owner_links_by_email ON owner_links (email);
CREATE INDEX owner_sessions_by_email ON owner_sessions (email);
