"""Exports over the API: POST /v1/export/{format} queues a job (202) that a worker runs, GET
/v1/export/jobs/{id} polls it and links its files; schedules, and who may do what."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import uuid
from urllib.parse import urlsplit

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from coaching.adapters.postgres.export_queue import PostgresExportQueue
from coaching.domain.errors import TransientError
from coaching.domain.identity import Principal, Role
from coaching.usecases.export_jobs import request_of, run_job, set_schedule_enabled
from local_runtime.export_downloads import export_download_routes
from local_runtime.export_schedule import ExportSchedule
from tests.api_calls import claims_for, delete, request
from tests.fakes.crm import FakeCrm
from tests.gateway_sign_in import account_claims
from tests.local_ports import local_platform, ports, ports_replaced
from tests.review_data import add_coach, assert_error, audit_trail, reviewed_session

pytestmark = pytest.mark.integration


class StartedJobs:
    """The starter, recording what it was asked to start: the test runs it when it wants."""

    def __init__(self) -> None:
        self.ids: list[uuid.UUID] = []

    def start(self, run_id: uuid.UUID) -> None:
        self.ids.append(run_id)


@pytest.fixture
def jobs(platform):
    """The API with a starter that only records: a job runs when the test says so."""
    started = StartedJobs()
    job_ports = dataclasses.replace(ports().export_job_ports, starter=started)
    with ports_replaced(export_job_ports=job_ports):
        yield job_ports, started


@pytest.fixture
def workshop(platform, organization):
    return reviewed_session(platform, organization, add_coach(organization, "Maya Chen"))


def test_a_coach_exports_csv_polls_the_job_and_downloads_each_file(jobs, workshop):
    job_ports, started = jobs
    maya = workshop.claims()
    # When Maya asks for a CSV export
    status, job = request("POST", "/v1/export/csv", maya, body={"bom": True})
    # Then it is queued at once and started elsewhere
    assert status == 202, job
    assert job["status"] == "queued" and job["files"] == []
    assert job["links"]["self"] == f"/v1/export/jobs/{job['id']}"
    assert started.ids == [uuid.UUID(job["id"])]
    # When the worker runs it
    run_job(job_ports, uuid.UUID(job["id"]))
    status, done = request("GET", job["links"]["self"], maya)
    # Then it succeeded, with one file per entity and a link to each
    assert status == 200, done
    assert done["status"] == "succeeded", done
    assert {f["entity"] for f in done["files"]} == {
        "sessions",
        "clients",
        "summaries",
        "action_items",
    }
    assert all(f["url"] for f in done["files"])
    # And each link downloads exactly the file the manifest describes
    client = TestClient(Starlette(routes=export_download_routes(local_platform())))
    for file in done["files"]:
        answer = client.get(urlsplit(file["url"]).path)
        assert answer.status_code == 200
        assert hashlib.sha256(answer.content).hexdigest() == file["sha256"]
        assert len(answer.content) == file["bytes"]


def test_a_forged_or_foreign_download_link_is_refused(jobs):
    client = TestClient(Starlette(routes=export_download_routes(local_platform())))
    assert client.get("/exports/download/not-a-token").status_code == 403
    # A link signed for a path outside the exports folder finds nothing
    files = ports().export_job_files
    forged = files.url("../secrets/signing.key", 60).rsplit("/", 1)[1]
    assert client.get(f"/exports/download/{forged}").status_code == 404


def test_one_export_at_a_time_per_person(jobs, organization):
    job_ports, _ = jobs
    coach = claims_for(organization, Role.COACH, coach_id=add_coach(organization, "Ravi Shah"))
    status, first = request("POST", "/v1/export/json", coach, body={})
    assert status == 202
    # While the first has not run, a second is refused
    status, refused = request("POST", "/v1/export/parquet", coach, body={})
    assert status == 409
    assert_error(refused, "COACH_409")
    # But another person may export meanwhile
    other = claims_for(organization, Role.COACH, coach_id=add_coach(organization, "Lee Park"))
    assert request("POST", "/v1/export/jsonl", other, body={})[0] == 202
    # And once the first has run, the first person may again
    run_job(job_ports, uuid.UUID(first["id"]))
    assert request("POST", "/v1/export/parquet", coach, body={})[0] == 202


def test_each_export_covers_what_its_owner_may_see(jobs, organization):
    job_ports, _ = jobs
    lead = add_coach(organization, "Lee Lead")
    on_team = add_coach(organization, "Maya Chen", lead_coach_id=lead)
    coach = add_coach(organization, "Ravi Shah")
    asked = {
        "coach": (claims_for(organization, Role.COACH, coach_id=coach), {coach}),
        "lead": (claims_for(organization, Role.COACH_LEAD, coach_id=lead), {lead, on_team}),
        "admin": (claims_for(organization, Role.ADMIN), None),
    }
    for who, (claims, expected) in asked.items():
        status, job = request("POST", "/v1/export/csv", claims, body={})
        assert status == 202, (who, job)
        run = job_ports.runs.get(organization, uuid.UUID(job["id"]))
        assert request_of(run).coach_ids == (None if expected is None else frozenset(expected))
    # And support may not export, nor read jobs, schedules or schemas
    support = claims_for(organization, Role.SUPPORT)
    for method, path in [
        ("POST", "/v1/export/csv"),
        ("GET", "/v1/export/jobs"),
        ("GET", "/v1/export/schedules"),
        ("GET", "/v1/export/schemas"),
    ]:
        body = {} if method == "POST" else None
        assert request(method, path, support, body=body)[0] == 403, path


def test_asking_for_sensitive_items_is_audited_with_the_scope(jobs, workshop):
    status, job = request(
        "POST", "/v1/export/csv", workshop.claims(), body={"include_sensitive": True}
    )
    assert status == 202
    [(action, run_id, details)] = audit_trail(workshop.org, "export", job["id"])
    assert action == "export_requested" and run_id == job["id"]
    assert details["include_sensitive"] is True and details["scope"] == "coaches"
    assert details["coach_ids"] == [str(workshop.coach_id)]


def test_a_job_is_missing_to_another_coach_and_listed_for_its_owner(jobs, workshop, organization):
    maya = workshop.claims()
    _, job = request("POST", "/v1/export/csv", maya, body={})
    path = f"/v1/export/jobs/{job['id']}"
    other = claims_for(organization, Role.COACH, coach_id=add_coach(organization, "Ravi Shah"))
    assert request("GET", path, other)[0] == 404
    assert request("GET", path, claims_for(organization, Role.ADMIN))[0] == 200
    status, mine = request("GET", "/v1/export/jobs", maya)
    assert status == 200 and [j["id"] for j in mine["items"]] == [job["id"]]
    assert request("GET", "/v1/export/jobs", other)[1]["items"] == []


def test_the_schemas_are_published(organization):
    status, document = request("GET", "/v1/export/schemas", claims_for(organization, Role.ADMIN))
    assert status == 200
    assert [e["entity"] for e in document["entities"]] == [
        "sessions",
        "clients",
        "summaries",
        "action_items",
    ]
    assert document["schema_version"]


# -- schedules -------------------------------------------------------------------------------
SCHEDULE = {"cron": "0 6 * * 1", "timezone": "Europe/Berlin", "format": "csv"}


def test_a_schedule_is_created_listed_and_deleted_by_either_path(jobs, organization):
    coach = claims_for(organization, Role.COACH, coach_id=add_coach(organization, "Maya Chen"))
    status, made = request("POST", "/v1/export/schedule", coach, body=SCHEDULE)
    assert status == 201, made
    assert made["description"] == "At 06:00 on Monday"
    assert made["next_run_at"].endswith(("05:00:00+00:00", "04:00:00+00:00"))
    assert made["destination"] == "download" and made["enabled"] is True
    _, listed = request("GET", "/v1/export/schedules", coach)
    assert [s["id"] for s in listed["items"]] == [made["id"]]
    # Another coach sees none of it, and cannot delete it
    other = claims_for(organization, Role.COACH, coach_id=add_coach(organization, "Ravi Shah"))
    assert request("GET", "/v1/export/schedules", other)[1]["items"] == []
    assert delete(f"/v1/export/schedules/{made['id']}", other) == 404
    # Its owner deletes it (the singular path too)
    assert delete(f"/v1/export/schedule/{made['id']}", coach) == 204
    assert delete(f"/v1/export/schedules/{made['id']}", coach) == 404
    [(action, _, details)] = audit_trail(organization, "export_schedule", made["id"])[:1]
    assert action == "create" and details["cron"] == "0 6 * * 1"


@pytest.mark.parametrize(
    "changes",
    [
        {"cron": "* * * * *"},
        {"cron": "*/10 * * * *"},
        {"cron": "0 6 * * 1 2026"},
        {"timezone": "Mars/Olympus"},
        {"format": "xlsx"},
        {"destination": "ftp"},
    ],
)
def test_a_schedule_more_often_than_hourly_or_unknown_is_refused(jobs, organization, changes):
    admin = claims_for(organization, Role.ADMIN)
    status, answer = request("POST", "/v1/export/schedule", admin, body={**SCHEDULE, **changes})
    assert status == 422, answer
    assert_error(answer, "COACH_422")


def test_an_organization_has_a_bounded_number_of_schedules(jobs, organization):
    job_ports, _ = jobs
    admin = claims_for(organization, Role.ADMIN)
    for _ in range(job_ports.most_schedules):
        assert request("POST", "/v1/export/schedule", admin, body=SCHEDULE)[0] == 201
    status, answer = request("POST", "/v1/export/schedule", admin, body=SCHEDULE)
    assert status == 409
    assert_error(answer, "COACH_409")


def test_a_schedule_is_paused_and_resumed_by_whoever_may_see_it(jobs, organization):
    coach = claims_for(organization, Role.COACH, coach_id=add_coach(organization, "Maya Chen"))
    _, made = request("POST", "/v1/export/schedule", coach, body=SCHEDULE)
    path = f"/v1/export/schedules/{made['id']}"
    # Another coach cannot pause it: to them it does not exist
    other = claims_for(organization, Role.COACH, coach_id=add_coach(organization, "Ravi Shah"))
    status, answer = request("PATCH", path, other, body={"enabled": False})
    assert status == 404, answer
    # Its owner pauses it: it keeps its settings, has no next run, and is listed as paused
    status, paused = request("PATCH", path, coach, body={"enabled": False})
    assert status == 200, paused
    assert (paused["enabled"], paused["next_run_at"]) == (False, None)
    assert (paused["cron"], paused["format"]) == (made["cron"], made["format"])
    assert request("GET", "/v1/export/schedules", coach)[1]["items"][0]["enabled"] is False
    # Pausing it again changes nothing
    assert request("PATCH", path, coach, body={"enabled": False}) == (200, paused)
    # An admin resumes it: its next time again
    admin = claims_for(organization, Role.ADMIN)
    status, resumed = request("PATCH", path, admin, body={"enabled": True})
    assert status == 200, resumed
    assert resumed["enabled"] is True and resumed["next_run_at"] == made["next_run_at"]
    actions = [entry[0] for entry in audit_trail(organization, "export_schedule", made["id"])]
    assert "pause" in actions and "resume" in actions
    # What is not a yes or no is refused
    for body in ({"enabled": "maybe"}, {}, {"enabled": True, "cron": "0 * * * *"}):
        status, answer = request("PATCH", path, coach, body=body)
        assert status == 422, (body, answer)


# -- the local scheduler ---------------------------------------------------------------------
class OneOrganizationsSchedules:
    """The schedules store, its due list limited to one organization: other tests' schedules
    in the shared database are not this test's to fire."""

    def __init__(self, inner, org: uuid.UUID) -> None:
        self._inner = inner
        self._org = org

    def due(self, now, limit):
        return [s for s in self._inner.due(now, limit) if s.organization_id == self._org]

    def __getattr__(self, name):
        return getattr(self._inner, name)


class OneOrganizationsQueue:
    def __init__(self, inner, org: uuid.UUID) -> None:
        self._inner = inner
        self._org = org

    def queued(self, limit):
        runs = ports().export_job_ports.runs
        return [i for i in self._inner.queued(10_000) if runs.get(self._org, i)][:limit]

    def __getattr__(self, name):
        return getattr(self._inner, name)


@pytest.fixture
def scheduled(jobs, organization):
    """An hourly schedule of the organization's admin, and a scheduler over its ports alone."""
    job_ports, started = jobs
    job_ports = dataclasses.replace(
        job_ports,
        schedules=OneOrganizationsSchedules(job_ports.schedules, organization),
        queue=OneOrganizationsQueue(job_ports.queue, organization),
    )
    admin = account_claims(organization, Role.ADMIN)
    status, made = request(
        "POST", "/v1/export/schedule", admin, body={**SCHEDULE, "cron": "0 * * * *"}
    )
    assert status == 201, made
    return job_ports, started, made


def _scheduler(job_ports, at: list[dt.datetime]) -> ExportSchedule:
    return ExportSchedule(job_ports, clock=lambda: at[0])


def test_the_scheduler_fires_a_due_schedule_once_and_a_missed_stretch_once(scheduled):
    job_ports, started, made = scheduled
    first = dt.datetime.fromisoformat(made["next_run_at"])
    at = [first - dt.timedelta(minutes=1)]
    scheduler = _scheduler(job_ports, at)
    # Before its time, nothing runs
    assert scheduler.run_once() == []
    # When the server was down for three hours past its time, it runs once, not three times
    at[0] = first + dt.timedelta(hours=3, minutes=5)
    [run_id] = scheduler.run_once()
    assert scheduler.run_once() == []
    # And the run was started, ran (the same round's sweep), and wrote under its schedule
    assert started.ids == [run_id]
    run = job_ports.runs.get(job_ports.queue._org, run_id)
    assert run.schedule_id == uuid.UUID(made["id"]) and run.status == "succeeded", run
    assert run.options["path_prefix"] == f"{made['id']}/{run_id}/"
    # And the next occurrence is the first after now, on the hour
    at[0] = first + dt.timedelta(hours=4)
    [second] = scheduler.run_once()
    assert second != run_id


def test_a_paused_schedule_never_fires_and_resumed_skips_what_it_missed(scheduled):
    job_ports, started, made = scheduled
    org, schedule_id = job_ports.queue._org, uuid.UUID(made["id"])
    first = dt.datetime.fromisoformat(made["next_run_at"])
    principal = Principal(user_id=uuid.uuid4(), organization_id=org, role=Role.ADMIN)
    # Given the hourly schedule paused before its first time
    set_schedule_enabled(job_ports, principal, schedule_id, enabled=False, now=first)
    at = [first + dt.timedelta(hours=3, minutes=5)]
    scheduler = _scheduler(job_ports, at)
    # Then its times pass without a run
    assert scheduler.run_once() == []
    # When it is resumed mid-hour, the missed hours do not run: its next time does, once
    resumed = set_schedule_enabled(job_ports, principal, schedule_id, enabled=True, now=at[0])
    assert resumed.next_run_at == first + dt.timedelta(hours=4)
    assert scheduler.run_once() == []
    at[0] = first + dt.timedelta(hours=4)
    [run_id] = scheduler.run_once()
    assert scheduler.run_once() == []
    assert started.ids == [run_id]


def test_a_scheduled_run_reads_what_changed_since_the_last_success_only(scheduled):
    job_ports, _, made = scheduled
    org = job_ports.queue._org
    first = dt.datetime.fromisoformat(made["next_run_at"])
    at = [first]
    [run_1] = _scheduler(job_ports, at).run_once()
    # When run 2 fails
    broken = dataclasses.replace(job_ports, run_export=_failing)
    at[0] = first + dt.timedelta(hours=1)
    [run_2] = _scheduler(broken, at).run_once()
    assert job_ports.runs.get(org, run_2).status == "failed"
    # Then run 3 starts from run 1's watermark (less run_export's overlap), not run 2's
    at[0] = first + dt.timedelta(hours=2)
    [run_3] = _scheduler(job_ports, at).run_once()
    watermark_1 = job_ports.runs.get(org, run_1).watermark
    third = job_ports.runs.get(org, run_3)
    assert third.status == "succeeded" and watermark_1 is not None
    overlap = ports().export_ports.watermark_overlap
    assert third.manifest["since"] == (watermark_1 - overlap).isoformat()


def _failing(request):
    raise RuntimeError("the disk is full")


def test_a_queued_run_left_by_a_stopped_server_runs_on_the_next_tick(jobs, organization):
    job_ports, _ = jobs
    _, job = request("POST", "/v1/export/json", claims_for(organization, Role.ADMIN), body={})
    scoped = dataclasses.replace(
        job_ports,
        schedules=OneOrganizationsSchedules(job_ports.schedules, organization),
        queue=OneOrganizationsQueue(job_ports.queue, organization),
    )
    ExportSchedule(scoped, clock=lambda: dt.datetime.now(dt.UTC)).run_once()
    assert job_ports.runs.get(organization, uuid.UUID(job["id"])).status == "succeeded"


class RecordedTriggers:
    """EventBridge Scheduler's place: what was put and deleted; ``refuse`` fails a put."""

    def __init__(self, refuse: bool = False) -> None:
        self.put_ids: list[uuid.UUID] = []
        self.states: list[bool] = []  # each put's enabled
        self.deleted: list[uuid.UUID] = []
        self._refuse = refuse

    def put(self, schedule_id, *, cron, timezone, enabled=True):
        if self._refuse:
            raise TransientError("Scheduler is not answering.")
        self.put_ids.append(schedule_id)
        self.states.append(enabled)

    def delete(self, schedule_id):
        self.deleted.append(schedule_id)
        return True


def test_where_a_clock_outside_fires_schedules_each_gets_its_trigger(jobs, organization):
    job_ports, _ = jobs
    triggers = RecordedTriggers()
    admin = claims_for(organization, Role.ADMIN)
    with ports_replaced(export_job_ports=dataclasses.replace(job_ports, triggers=triggers)):
        status, made = request("POST", "/v1/export/schedule", admin, body=SCHEDULE)
        assert status == 201
        assert triggers.put_ids == [uuid.UUID(made["id"])]
        # Paused and resumed, the trigger is disabled and enabled with it
        path = f"/v1/export/schedules/{made['id']}"
        assert request("PATCH", path, admin, body={"enabled": False})[0] == 200
        assert request("PATCH", path, admin, body={"enabled": True})[0] == 200
        assert triggers.states == [True, False, True]
        assert delete(f"/v1/export/schedules/{made['id']}", admin) == 204
        assert triggers.deleted == [uuid.UUID(made["id"])]


def test_a_schedule_whose_trigger_cannot_be_made_is_not_kept(jobs, organization):
    job_ports, _ = jobs
    admin = claims_for(organization, Role.ADMIN)
    refusing = dataclasses.replace(job_ports, triggers=RecordedTriggers(refuse=True))
    with ports_replaced(export_job_ports=refusing):
        status, answer = request("POST", "/v1/export/schedule", admin, body=SCHEDULE)
    assert status == 503, answer
    assert request("GET", "/v1/export/schedules", admin)[1]["items"] == []


def test_a_schedule_whose_trigger_cannot_be_paused_stays_as_it_was(jobs, organization):
    job_ports, _ = jobs
    admin = claims_for(organization, Role.ADMIN)
    _, made = request("POST", "/v1/export/schedule", admin, body=SCHEDULE)
    refusing = dataclasses.replace(job_ports, triggers=RecordedTriggers(refuse=True))
    with ports_replaced(export_job_ports=refusing):
        path = f"/v1/export/schedules/{made['id']}"
        status, answer = request("PATCH", path, admin, body={"enabled": False})
    assert status == 503, answer
    # The row still says what the trigger does: running, at its time
    [listed] = request("GET", "/v1/export/schedules", admin)[1]["items"]
    assert (listed["enabled"], listed["next_run_at"]) == (True, made["next_run_at"])


def test_a_schedule_into_hubspot_pushes_the_records_there(jobs, workshop, organization):
    # Given a schedule whose destination is HubSpot, and HubSpot (a fake) connected
    job_ports, _ = jobs
    hubspot = FakeCrm("hubspot")
    connected = copy.copy(ports())
    connected.__dict__["crm_pusher"] = lambda org, kind: hubspot
    scoped = dataclasses.replace(
        job_ports,
        schedules=OneOrganizationsSchedules(job_ports.schedules, organization),
        queue=OneOrganizationsQueue(job_ports.queue, organization),
        push_to_crm=connected.push_export_to_crm,
    )
    admin = account_claims(organization, Role.ADMIN)
    body = {**SCHEDULE, "cron": "0 * * * *", "destination": "hubspot"}
    _, made = request("POST", "/v1/export/schedule", admin, body=body)
    # When it comes due
    at = dt.datetime.fromisoformat(made["next_run_at"])
    [run_id] = ExportSchedule(scoped, clock=lambda: at).run_once()
    # Then the workshop's clients went in as contacts, with their notes, and the run says so
    run = job_ports.runs.get(organization, run_id)
    assert run.status == "succeeded", run.error
    assert len(hubspot.objects["contacts"]) == 3
    assert run.manifest["destination"] == "hubspot"


def test_a_date_alone_as_since_is_midnight_utc(jobs, organization):
    admin = claims_for(organization, Role.ADMIN)
    status, job = request("POST", "/v1/export/parquet", admin, body={"since": "2026-11-01"})
    assert status == 202, job
    assert job["since"] == "2026-11-01T00:00:00+00:00"


def test_a_schedule_fires_as_its_owner_is_now_disabled_or_removed_exports_nothing(
    jobs, organization
):
    # Given a coach with an account on record and an hourly schedule of theirs
    job_ports, started = jobs
    job_ports = dataclasses.replace(
        job_ports,
        schedules=OneOrganizationsSchedules(job_ports.schedules, organization),
        queue=OneOrganizationsQueue(job_ports.queue, organization),
    )
    coach_id = add_coach(organization, "Ravi Shah")
    accounts = ports().accounts
    ravi = accounts.add_user(
        organization,
        email=f"ravi-{uuid.uuid4().hex[:8]}@example.com",
        name="Ravi Shah",
        role=Role.COACH.value,
        password_hash="not-a-real-hash",
        coach_id=coach_id,
    )
    claims = claims_for(organization, Role.COACH, coach_id=coach_id, user_id=ravi.id)
    status, made = request(
        "POST", "/v1/export/schedule", claims, body={**SCHEDULE, "cron": "0 * * * *"}
    )
    assert status == 201, made
    first = dt.datetime.fromisoformat(made["next_run_at"])
    at = [first]
    # When they are made an admin, the next run covers the whole organization
    accounts.update_user(organization, ravi.id, role=Role.ADMIN.value, coach_id=None)
    [run_id] = _scheduler(job_ports, at).run_once()
    assert job_ports.runs.get(organization, run_id).options["coach_ids"] is None
    # And when their account is disabled, the schedule exports nothing
    accounts.update_user(organization, ravi.id, disabled_at=first)
    at[0] = first + dt.timedelta(hours=1)
    assert _scheduler(job_ports, at).run_once() == []
    # And once the account is gone, not as the role stored with the schedule either
    accounts.update_user(organization, ravi.id, disabled_at=None)
    accounts.remove_user(organization, ravi.id)
    at[0] = first + dt.timedelta(hours=2)
    assert _scheduler(job_ports, at).run_once() == []
    assert started.ids == [run_id]


def _left_running(org: uuid.UUID, run_id: uuid.UUID, minutes_ago: int) -> None:
    """The run as a worker cut off mid-way leaves it: running, started long ago."""
    with ports().database.transaction(org) as conn:
        conn.execute(
            "UPDATE export_runs SET status = 'running',"
            " started_at = now() - make_interval(mins => %s) WHERE id = %s",
            (minutes_ago, run_id),
        )


def test_a_run_cut_off_mid_way_is_taken_again_by_the_retry_and_resumes(jobs, organization):
    # Given a run whose worker was cut off mid-way (a Lambda at its timeout)
    job_ports, _ = jobs
    _, job = request("POST", "/v1/export/csv", claims_for(organization, Role.ADMIN), body={})
    run_id = uuid.UUID(job["id"])
    lambda_queue = PostgresExportQueue(ports().database, interrupted_after=dt.timedelta(minutes=16))
    in_aws = dataclasses.replace(job_ports, queue=lambda_queue)
    # While it may still be running, a second delivery of its event takes nothing
    _left_running(organization, run_id, minutes_ago=5)
    assert run_job(in_aws, run_id) is None
    assert job_ports.runs.get(organization, run_id).status == "running"
    # When the retry comes after the longest an invocation may run, it resumes and finishes
    _left_running(organization, run_id, minutes_ago=20)
    assert run_job(in_aws, run_id) is not None
    assert job_ports.runs.get(organization, run_id).status == "succeeded"
    # And, done, it is never taken again
    assert run_job(in_aws, run_id) is None
