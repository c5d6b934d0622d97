"""The signed-in coach's own profile: read it, replace it; nobody else's."""

from __future__ import annotations

import uuid

import pytest

from coaching.domain.identity import Role
from tests.api_calls import claims_for, request
from tests.local_ports import ports

pytestmark = pytest.mark.integration

PROFILE = {
    "name": "Elena Park",
    "voice_profile": {
        "greeting": "Hello",
        "sign_off": "With warm wishes",
        "tone": "direct",
        "signature": "Elena",
    },
    "notification_preferences": {"email_on_ready": False, "email_on_failure": True},
}
# Issue 12's notice settings: what a profile stored before them (or a PUT without them) has.
NOTICE_DEFAULTS = {
    "email_on_follow_up_failure": True,
    "delivery": "immediately",
    "digest_hour": 8,
    "time_zone": "UTC",
    "quiet_hours": None,
}


def with_notice_defaults(profile: dict) -> dict:
    preferences = {**NOTICE_DEFAULTS, **profile["notification_preferences"]}
    return {**profile, "notification_preferences": preferences}


@pytest.fixture
def coach(platform, organization) -> uuid.UUID:
    with ports().database.transaction(organization) as conn:
        return conn.execute(
            "INSERT INTO coaches (organization_id, email, name, voice_profile)"
            " VALUES (%s, %s, 'E. Park', %s::jsonb) RETURNING id",
            (organization, f"{uuid.uuid4().hex}@example.test", '{"learned_style": "brief"}'),
        ).fetchone()["id"]


def test_a_coach_reads_their_profile_with_defaults(organization, coach):
    status, body = request("GET", "/v1/coach-profile", claims_for(organization, coach_id=coach))
    assert status == 200
    assert body["coach_id"] == str(coach)
    assert body["name"] == "E. Park"
    assert body["voice_profile"] == {
        "greeting": "",
        "sign_off": "",
        "tone": "warm",
        "signature": "",
    }
    assert body["notification_preferences"] == {
        "email_on_ready": True,
        "email_on_failure": True,
        **NOTICE_DEFAULTS,
    }


@pytest.mark.parametrize("role", [Role.COACH, Role.COACH_LEAD])
def test_a_coach_replaces_their_profile_and_it_is_audited(organization, coach, role):
    claims = claims_for(organization, role, coach_id=coach)
    status, body = request("PUT", "/v1/coach-profile", claims, body=PROFILE)
    assert status == 200
    assert {k: body[k] for k in PROFILE} == with_notice_defaults(PROFILE)
    status, body = request("GET", "/v1/coach-profile", claims)
    assert {k: body[k] for k in PROFILE} == with_notice_defaults(PROFILE)
    # What other features keep in the voice profile survives the update
    with ports().database.transaction(organization) as conn:
        stored = conn.execute(
            "SELECT voice_profile FROM coaches WHERE id = %s", (coach,)
        ).fetchone()
    assert stored["voice_profile"]["learned_style"] == "brief"
    entries = ports().audit_log.entries(organization, resource_type="coach")
    assert [(e.action, e.resource_id) for e in entries] == [("update", str(coach))]
    assert entries[0].actor == f"user:{claims['sub']}"


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"name": ""}, ["body.name"]),
        ({"voice_profile": {"tone": "sarcastic"}}, ["body.voice_profile.tone"]),
        ({"voice_profile": {"greeting": "x" * 201}}, ["body.voice_profile.greeting"]),
        (
            {"notification_preferences": {"email_on_ready": "sometimes", "sms": True}},
            [
                "body.notification_preferences.email_on_ready",
                "body.notification_preferences.sms",
            ],
        ),
    ],
)
def test_an_invalid_profile_is_422_listing_the_fields(organization, coach, change, fields):
    claims = claims_for(organization, coach_id=coach)
    status, body = request("PUT", "/v1/coach-profile", claims, body={**PROFILE, **change})
    assert status == 422
    assert body["error"]["code"] == "COACH_422"
    assert sorted(f["field"] for f in body["error"]["details"]["fields"]) == fields
    # Nothing changed
    status, body = request("GET", "/v1/coach-profile", claims)
    assert body["name"] == "E. Park"


def test_a_profile_missing_a_part_is_422(organization, coach):
    claims = claims_for(organization, coach_id=coach)
    status, body = request("PUT", "/v1/coach-profile", claims, body={"name": "Elena"})
    assert status == 422
    assert sorted(f["field"] for f in body["error"]["details"]["fields"]) == [
        "body.notification_preferences",
        "body.voice_profile",
    ]


def test_support_staff_have_no_coach_profile(organization, coach):
    claims = claims_for(organization, Role.SUPPORT, coach_id=coach)
    for method, body in (("GET", None), ("PUT", PROFILE)):
        status, answer = request(method, "/v1/coach-profile", claims, body=body)
        assert (status, answer["error"]["code"]) == (403, "COACH_403")


def test_an_admin_without_a_coach_record_is_told_so(organization):
    status, body = request("GET", "/v1/coach-profile", claims_for(organization, Role.ADMIN))
    assert (status, body["error"]["code"]) == (404, "COACH_404")
    assert "no coach record" in body["error"]["message"]
    status, _ = request(
        "PUT", "/v1/coach-profile", claims_for(organization, Role.ADMIN), body=PROFILE
    )
    assert status == 404


def test_another_organizations_coach_id_is_404(platform, organization, coach):
    other = uuid.uuid4()
    platform.deps.organizations.ensure_organization(other, f"test {other}")
    claims = claims_for(other, coach_id=coach)
    status, body = request("GET", "/v1/coach-profile", claims)
    assert (status, body["error"]["code"]) == (404, "COACH_404")
    status, _ = request("PUT", "/v1/coach-profile", claims, body=PROFILE)
    assert status == 404
    # The coach's own record is untouched
    status, body = request("GET", "/v1/coach-profile", claims_for(organization, coach_id=coach))
    assert body["name"] == "E. Park"


def test_a_coach_sets_a_daily_digest_in_their_zone_with_quiet_hours(organization, coach):
    claims = claims_for(organization, coach_id=coach)
    preferences = {
        "email_on_ready": True,
        "email_on_failure": True,
        "email_on_follow_up_failure": False,
        "delivery": "daily_digest",
        "digest_hour": 7,
        "time_zone": "Europe/Lisbon",
        "quiet_hours": {"start": "21:30:00", "end": "06:45:00"},
    }
    body = {**PROFILE, "notification_preferences": preferences}
    status, answer = request("PUT", "/v1/coach-profile", claims, body=body)
    assert (status, answer["notification_preferences"]) == (200, preferences)
    status, answer = request("GET", "/v1/coach-profile", claims)
    assert answer["notification_preferences"] == preferences


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"time_zone": "Europe/Atlantis"}, "body.notification_preferences.time_zone"),
        ({"digest_hour": 24}, "body.notification_preferences.digest_hour"),
        (
            {"quiet_hours": {"start": "22:00", "end": "22:00"}},
            "body.notification_preferences.quiet_hours",
        ),
    ],
)
def test_an_unknown_zone_or_hour_is_422(organization, coach, change, field):
    claims = claims_for(organization, coach_id=coach)
    preferences = {**PROFILE["notification_preferences"], **change}
    body = {**PROFILE, "notification_preferences": preferences}
    status, answer = request("PUT", "/v1/coach-profile", claims, body=body)
    assert status == 422
    assert [f["field"] for f in answer["error"]["details"]["fields"]] == [field]
