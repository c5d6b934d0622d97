"""Organizations: recorded once, and each one's retention as set."""

from __future__ import annotations

from coaching.usecases.retention import DEFAULT_RETENTION_DAYS


def test_a_new_organization_keeps_sessions_the_default_seven_years(backend, org):
    assert backend.ports["organizations"].retention_days_by_organization()[org] == (
        DEFAULT_RETENTION_DAYS
    )


def test_recording_an_organization_again_changes_nothing(backend, org):
    backend.set_settings(org, {"retention_days": 30})
    backend.ports["organizations"].ensure_organization(org, "renamed")
    assert backend.ports["organizations"].retention_days_by_organization()[org] == 30


def test_an_organization_without_the_setting_is_not_listed(backend, org):
    other = backend.new_org()
    backend.set_settings(other, {"retention_days": 90})
    backend.forget_setting(org, "retention_days")
    retention = backend.ports["organizations"].retention_days_by_organization()
    assert org not in retention
    assert retention[other] == 90
