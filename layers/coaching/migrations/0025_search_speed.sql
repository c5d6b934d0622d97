-- Search at scale (issue 15).

-- pgvector 0.8 (the embedded PostgreSQL's and Aurora PostgreSQL 16's): its iterative index
-- scans keep a filtered nearest-neighbour search from coming back short. A database whose
-- extension was created at an older version takes the library's SQL objects up to it.
ALTER EXTENSION vector UPDATE;

-- Under row-level security the full-text GIN index goes unused: the match operator (@@) is
-- not leakproof, so PostgreSQL may only apply it after the policy, row by row, over every
-- passage of the organization (~50 ms at 100,000 passages). This function finds the matching
-- passages through the index as the table's owner, in the caller's organization only: the
-- setting the policy itself reads, never an argument. It hands back what a keyword query
-- filters and ranks by (reading the rows again by id cost a third more); the query joins
-- them to their sessions under the policy, and the passages found are read back through
-- the policy before anything of them is shown.
CREATE FUNCTION search_passages_matching(query tsquery)
RETURNS TABLE (
    id               UUID,
    organization_id  UUID,
    session_id       UUID,
    client_id        UUID,
    kind             VARCHAR(20),
    session_type     VARCHAR(20),
    session_date     DATE,
    content_tsv      tsvector
)
LANGUAGE sql STABLE STRICT SECURITY DEFINER
SET search_path = pg_catalog, public
ROWS 1000
AS $$
    SELECT id, organization_id, session_id, client_id, kind, session_type, session_date,
           content_tsv
    FROM public.search_passages
    WHERE content_tsv @@ query
      AND organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid
$$;
REVOKE ALL ON FUNCTION search_passages_matching(tsquery) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION search_passages_matching(tsquery) TO coach_app;
