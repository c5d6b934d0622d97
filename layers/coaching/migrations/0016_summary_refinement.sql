-- Refinement (issue 12): each revision keeps the coach's request that made it ("shorter",
-- "remove win 2"), so the history shows who asked for what, when. NULL for edits, approvals
-- and reopenings, which carry no request. Row-level security is the table's (0007).
ALTER TABLE summary_revisions ADD COLUMN request TEXT;
