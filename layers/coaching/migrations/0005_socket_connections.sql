-- Open WebSocket connections (issue #4): `coach serve` registers them, and any process of
-- the local runtime (`coach process` too) pushes to them through `coach serve`'s
-- @connections API. In AWS this state lives in DynamoDB.
CREATE TABLE socket_connections (
    connection_id    TEXT PRIMARY KEY,
    organization_id  UUID NOT NULL REFERENCES organizations(id),
    connected_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX ix_socket_connections_org ON socket_connections (organization_id);
