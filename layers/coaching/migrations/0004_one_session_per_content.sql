-- One live session per transcript content in an organization (issue #4): the same file
-- dropped twice, even at the same moment, makes one session. A failed session does not
-- count, so the same file can be submitted again after a failure.

-- Earlier duplicates: the completed (else the oldest) session of each content is kept;
-- the others are marked failed, saying which session holds their content.
WITH ranked AS (
    SELECT id,
           first_value(id) OVER same_content AS kept_id,
           row_number() OVER same_content AS position
    FROM sessions
    WHERE processing_status <> 'failed'
    WINDOW same_content AS (
        PARTITION BY organization_id, content_sha256
        ORDER BY (processing_status = 'completed') DESC, created_at, id
    )
)
UPDATE sessions
SET processing_status = 'failed',
    failure_reason = 'The same transcript as session ' || ranked.kept_id || ', which is kept.',
    updated_at = now()
FROM ranked
WHERE sessions.id = ranked.id AND ranked.position > 1;

CREATE UNIQUE INDEX uq_sessions_org_live_content
    ON sessions (organization_id, content_sha256)
    WHERE processing_status <> 'failed';
