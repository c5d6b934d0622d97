"""Organizations: recorded once, their settings merged, and each one's retention as set."""

from __future__ import annotations

import uuid

from coaching.usecases.retention import DEFAULT_RETENTION_DAYS


def test_a_new_organization_requires_mfa_and_keeps_sessions_seven_years(backend, org):
    organizations = backend.ports["organizations"]
    assert organizations.organization_exists(org)
    assert organizations.organization_settings(org) == {
        "mfa_required": True,
        "retention_days": DEFAULT_RETENTION_DAYS,
    }
    assert organizations.retention_days_by_organization()[org] == DEFAULT_RETENTION_DAYS


def test_recording_an_organization_again_changes_nothing(backend, org):
    organizations = backend.ports["organizations"]
    organizations.update_organization_settings(org, {"retention_days": 30})
    organizations.ensure_organization(org, "renamed")
    assert organizations.retention_days_by_organization()[org] == 30


def test_settings_are_merged_and_a_none_removes_one(backend, org):
    organizations = backend.ports["organizations"]
    merged = organizations.update_organization_settings(
        org, {"mfa_required": False, "retention_days": None, "theme": "dark"}
    )
    assert merged == {"mfa_required": False, "theme": "dark"}
    assert organizations.organization_settings(org) == merged
    assert org not in organizations.retention_days_by_organization()


def test_an_organization_not_on_record_has_nothing(backend):
    organizations = backend.ports["organizations"]
    unknown = uuid.uuid4()
    assert not organizations.organization_exists(unknown)
    assert organizations.organization_settings(unknown) == {}
    assert organizations.update_organization_settings(unknown, {"theme": "dark"}) == {}


def test_each_organization_has_its_own_settings(backend, org):
    other = backend.new_org()
    organizations = backend.ports["organizations"]
    organizations.update_organization_settings(other, {"retention_days": 90})
    assert organizations.retention_days_by_organization()[other] == 90
    assert organizations.retention_days_by_organization()[org] == DEFAULT_RETENTION_DAYS
