"""Learning the coach's voice from each follow-up they send: the email as sent (with every
edit they made) against the draft the template makes without anything learned, and what
they asked of its summary ("more formal", "shorter": the refinement grammar's words), kept per
follow-up, and what the coach's recent emails agree on kept on their profile, where the next
drafts (follow_up_rendering.draft_follow_up) and GET /v1/coach-profile find it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from coaching.analysis.voice import learn, observe, voice_requests
from coaching.domain.voice import LearnedVoice
from coaching.ports.review import ReviewPorts
from coaching.ports.voice import VoiceObservations
from coaching.usecases.follow_up_rendering import draft_follow_up

RECENT_EMAILS = 20  # a coach's voice changes: learn from the latest emails only


@dataclass(frozen=True)
class VoiceLearningPorts:
    review: ReviewPorts
    observations: VoiceObservations


def learn_from_sent(
    ports: VoiceLearningPorts, org: uuid.UUID, follow_up_id: uuid.UUID
) -> LearnedVoice | None:
    """What the coach's voice is after this sent follow-up (None: nothing to learn from it:
    not sent, no coach, its summary or template gone). Learning from one follow-up twice
    changes nothing."""
    summaries = ports.review.summaries
    record = summaries.get_follow_up(org, follow_up_id)
    if record is None or record.status != "sent" or not record.body:
        return None
    coach_id = record.session_coach_id
    summary = summaries.get_summary(org, record.summary_id)
    if coach_id is None or summary is None:
        return None
    context = summaries.summary_context(org, record.summary_id)
    templates = ports.review.templates
    template = (
        templates.get_template(org, record.template_id)
        if record.template_id
        else templates.default_template(org, context.session_kind, coach_id)
    )
    if template is None:
        return None
    drafted_subject, draft, _ = draft_follow_up(
        template.subject,
        template.content,
        summary.content,
        context,
        record.client_name,
        learned=False,
    )
    names = record.client_name.split()
    revisions = summaries.revisions(org, record.summary_id)
    observation = observe(
        draft,
        record.body,
        names[0] if names else "",
        follow_up_id=follow_up_id,
        client_id=record.client_id,
        requests=voice_requests((r.command, r.request) for r in revisions),
        subjects=(drafted_subject, record.subject or ""),
    )
    ports.observations.record(org, coach_id, observation)
    learned = learn(ports.observations.recent(org, coach_id, RECENT_EMAILS))
    ports.observations.save_learned(org, coach_id, learned)
    return learned


def relearn(observations: VoiceObservations, org: uuid.UUID) -> int:
    """Every learned voice of the organization learned again from what is left (after an
    erasure took a client's emails away: nothing learned may rest on them); how many."""
    coaches = observations.coaches_learned(org)
    for coach_id in coaches:
        observations.save_learned(
            org, coach_id, learn(observations.recent(org, coach_id, RECENT_EMAILS))
        )
    return len(coaches)
