"""Coaches: found by email (any case) and id, within their organization only."""

from __future__ import annotations

import uuid


def test_a_coach_is_found_by_email_in_any_case_and_by_id(backend, org):
    coach = backend.add_coach(org, "Maya.Coach@example.com")
    coaches = backend.ports["coaches"]
    assert coaches.coach_id_by_email(org, "  maya.coach@EXAMPLE.com ") == coach
    assert coaches.coach_exists(org, coach)
    assert coaches.coach_email(org, coach) == "Maya.Coach@example.com"


def test_nobody_is_found_for_an_unknown_coach(backend, org):
    coaches = backend.ports["coaches"]
    assert coaches.coach_id_by_email(org, "nobody@example.com") is None
    assert not coaches.coach_exists(org, uuid.uuid4())
    assert coaches.coach_email(org, uuid.uuid4()) is None


def test_another_organizations_coach_is_not_found(backend, org):
    other = backend.new_org()
    coach = backend.add_coach(other, "lee@example.com")
    coaches = backend.ports["coaches"]
    assert coaches.coach_id_by_email(org, "lee@example.com") is None
    assert not coaches.coach_exists(org, coach)
    assert coaches.coach_email(org, coach) is None


def test_the_coaches_are_named_within_their_organization(backend, org):
    # (issue 14: GET /v1/coaches, the upload's coach choice)
    mine = backend.add_coach(org, "maya@example.com")
    backend.add_coach(backend.new_org(), "lee@example.com")
    names = backend.ports["coaches"].coach_names(org)
    assert [coach.id for coach in names] == [mine]
