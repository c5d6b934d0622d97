-- Natural-language search (issue 15): every indexed text and its vector, kept in PostgreSQL,
-- the source of truth. Locally this table is also both indexes (pgvector HNSW for meaning,
-- full-text search for words); in AWS, Pinecone and OpenSearch answer ids and are rebuilt
-- from here (`coach search reindex`). Replaces search_documents, which nothing read.
CREATE EXTENSION IF NOT EXISTS vector;

DROP TABLE IF EXISTS search_documents;

CREATE TABLE search_passages (
    id               UUID PRIMARY KEY,  -- domain.search.passage_id: the same on every indexing
    organization_id  UUID NOT NULL REFERENCES organizations(id),
    session_id       UUID NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    -- The coach when indexed; filters read the session's current coach (a session can be
    -- given to another coach without being indexed again).
    coach_id         UUID,
    client_id        UUID REFERENCES clients(id) ON DELETE CASCADE,
    client_name      TEXT,
    speaker          TEXT,
    kind             VARCHAR(20) NOT NULL CHECK (kind IN (
                         'passage', 'win', 'challenge', 'action_item', 'recommendation',
                         'overview')),
    turn_index       INTEGER,
    turn_end         INTEGER,
    item_index       INTEGER,
    start            DOUBLE PRECISION,
    session_date     DATE,
    session_type     VARCHAR(20),
    tags             TEXT[] NOT NULL DEFAULT '{}',
    source           TEXT NOT NULL,
    text             TEXT NOT NULL,
    content_tsv      tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    -- Vectors of different models are never compared: OpenAI's 1536 dimensions and the local
    -- model's 384 live side by side, each query reading only its own model's.
    model            TEXT,
    embedding        vector,
    indexed_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((model IS NULL) = (embedding IS NULL))
);

CREATE INDEX idx_search_passages_tsv ON search_passages USING GIN (content_tsv);
-- The local model's vectors (384 dimensions). A query must order by the same expression,
-- under the same WHERE, for the planner to use it (adapters/postgres/search_indexes.py).
CREATE INDEX idx_search_passages_minilm ON search_passages
    USING hnsw ((embedding::vector(384)) vector_cosine_ops)
    WHERE model = 'all-MiniLM-L6-v2-int8';
CREATE INDEX idx_search_passages_session ON search_passages (organization_id, session_id);
CREATE INDEX idx_search_passages_client ON search_passages (organization_id, client_id);
CREATE INDEX idx_search_passages_date ON search_passages (organization_id, session_date);

-- The second wall, as for every table with an organization (migration 0007).
ALTER TABLE search_passages ENABLE ROW LEVEL SECURITY;
CREATE POLICY organization_isolation ON search_passages TO coach_app
    USING (organization_id = current_setting('app.organization_id')::uuid)
    WITH CHECK (organization_id = current_setting('app.organization_id')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON search_passages TO coach_app;

-- Where `coach search reindex` got to in each organization: an interrupted one resumes after
-- the last passage id it finished (passages are walked in id order).
CREATE TABLE search_reindex_checkpoints (
    organization_id  UUID PRIMARY KEY REFERENCES organizations(id),
    after_id         UUID NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
ALTER TABLE search_reindex_checkpoints ENABLE ROW LEVEL SECURITY;
CREATE POLICY organization_isolation ON search_reindex_checkpoints TO coach_app
    USING (organization_id = current_setting('app.organization_id')::uuid)
    WITH CHECK (organization_id = current_setting('app.organization_id')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON search_reindex_checkpoints TO coach_app;
