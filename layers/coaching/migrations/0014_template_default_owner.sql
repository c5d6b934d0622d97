-- Whose default a template is (issue 9, hole 5). 'organization': drafts every coach's
-- follow-ups when they have no default of their own (set and cleared by admins only).
-- 'coach': drafts only the follow-ups of its own coach's sessions (templates.coach_id).
-- Existing defaults stay the organization's, as they were.
ALTER TABLE templates
    ADD COLUMN default_for VARCHAR(20) NOT NULL DEFAULT 'organization'
        CONSTRAINT templates_default_for_known CHECK (default_for IN ('organization', 'coach')),
    ADD CONSTRAINT templates_coach_default_has_a_coach
        CHECK (NOT is_default OR default_for <> 'coach' OR coach_id IS NOT NULL);
