-- Each message's HTML alternative, rendered when it is queued (NULL for the messages
-- queued before: they go as plain text).
ALTER TABLE outbox ADD COLUMN html TEXT;

-- A claim's history as typed events: one row per status it reached, written in the
-- transaction of the step. The history so far was kept only as audit events
-- (`claim.<status>` about `claim:<id>`): it is carried over here, in its order.
CREATE TABLE claim_events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id TEXT NOT NULL REFERENCES claims(id),
    status   TEXT NOT NULL CHECK (status IN ('submitted', 'received', 'quoted',
        'awaiting_payment', 'paid', 'shipped', 'closed', 'warranty', 'declined')),
    actor    TEXT NOT NULL,
    at       INTEGER NOT NULL
);
CREATE INDEX claim_events_by_claim ON claim_events (claim_id, id);

INSERT INTO claim_events (claim_id, status, actor, at)
SELECT substr(e.subject, 7), substr(e.action, 7), e.actor, e.at
FROM audit_events e
WHERE e.subject LIKE 'claim:%'
  AND substr(e.action, 7) IN ('submitted', 'received', 'quoted', 'awaiting_payment', 'paid',
      'shipped', 'closed', 'warranty', 'declined')
  AND e.action LIKE 'claim.%'
  AND EXISTS (SELECT 1 FROM claims c WHERE c.id = substr(e.subject, 7))
ORDER BY e.id;
