-- The coach's review: summary edits and approval, follow-up drafts, email templates.
-- No new table: summaries, summary_revisions, templates and follow_ups exist since 0001
-- (their row-level security comes with 0007).

-- Who approved, and who wrote each revision (a user id, never an email).
ALTER TABLE summaries ADD COLUMN approved_by UUID;
ALTER TABLE summary_revisions ADD COLUMN author_user_id UUID;

-- A template is a subject line and a body, both rendered in the sandbox.
ALTER TABLE templates
    ADD COLUMN subject TEXT NOT NULL DEFAULT '',
    ADD COLUMN updated_at TIMESTAMPTZ;
CREATE INDEX idx_templates_org ON templates (organization_id, type);

-- Deleting a template leaves the drafts made from it in place.
ALTER TABLE follow_ups
    DROP CONSTRAINT follow_ups_template_id_fkey,
    ADD CONSTRAINT follow_ups_template_id_fkey
        FOREIGN KEY (template_id) REFERENCES templates(id) ON DELETE SET NULL;
CREATE INDEX idx_follow_ups_org_created ON follow_ups (organization_id, created_at DESC);
CREATE INDEX idx_follow_ups_summary ON follow_ups (summary_id);

-- System defaults (no organization: read-only, copied to be changed).
INSERT INTO templates (id, organization_id, name, type, workshop_type, subject, content,
                       variables, is_default)
VALUES
('6c1f0a52-9d1e-4c57-9a43-2f0e1b7d0001', NULL, 'Group workshop follow-up', 'follow_up', 'group',
 'Your takeaways from our workshop on {{ session_date }}',
$tpl${{ greeting }} {{ client_first_name }},

Thank you for the energy and honesty you brought to our workshop on {{ session_date }}. I wanted to send you a short note on what I heard from you, while it is still fresh.
{% if wins %}

What went well for you:
{% for win in wins %}
- {{ win }}
{% endfor %}
{% endif %}
{% if challenges %}

What you are working through:
{% for challenge in challenges %}
- {{ challenge }}
{% endfor %}
{% endif %}
{% if action_items %}

The next steps you named:
{% for item in action_items %}
- {{ item.text }}{% if item.due %} (by {{ item.due }}){% endif %}

{% endfor %}
{% endif %}
{% if recommendations %}

A few thoughts from me:
{% for recommendation in recommendations %}
- {{ recommendation }}
{% endfor %}
{% endif %}

Progress rarely comes in a straight line, so be kind to yourself along the way. If anything from the session is still on your mind, just reply to this email: I am always glad to hear from you.

{{ sign_off }},
{{ signature }}
$tpl$,
 ARRAY['action_items', 'challenges', 'client_first_name', 'greeting', 'recommendations',
       'session_date', 'sign_off', 'signature', 'wins'],
 TRUE),
('6c1f0a52-9d1e-4c57-9a43-2f0e1b7d0002', NULL, 'One-to-one session follow-up', 'follow_up',
 'individual',
 'Notes from our conversation on {{ session_date }}',
$tpl${{ greeting }} {{ client_first_name }},

Thank you for our conversation on {{ session_date }}. I appreciated how openly you explored things, and I wanted to capture the main threads for you.
{% if wins %}

Where you are making progress:
{% for win in wins %}
- {{ win }}
{% endfor %}
{% endif %}
{% if challenges %}

What feels hard right now:
{% for challenge in challenges %}
- {{ challenge }}
{% endfor %}
{% endif %}
{% if action_items %}

What you committed to:
{% for item in action_items %}
- {{ item.text }}{% if item.due %} (by {{ item.due }}){% endif %}

{% endfor %}
{% endif %}
{% if recommendations %}

Something to keep in mind:
{% for recommendation in recommendations %}
- {{ recommendation }}
{% endfor %}
{% endif %}

There is no need to have it all figured out before we meet again. Notice what shifts, and bring it with you; I am looking forward to hearing how it goes.

{{ sign_off }},
{{ signature }}
$tpl$,
 ARRAY['action_items', 'challenges', 'client_first_name', 'greeting', 'recommendations',
       'session_date', 'sign_off', 'signature', 'wins'],
 TRUE);
