-- Clients' records kept by the coach (issue 12): an opt-out from follow-up emails (when it
-- was recorded; NULL: not opted out) and the id the client has in the coach's own list
-- (a CSV import matches rows by it first), unique within the organization.
ALTER TABLE clients
    ADD COLUMN opted_out_at TIMESTAMPTZ,
    ADD COLUMN external_id VARCHAR(100);
CREATE UNIQUE INDEX idx_clients_external_id ON clients (organization_id, external_id)
    WHERE external_id IS NOT NULL;
