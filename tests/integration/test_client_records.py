"""Keeping clients' records (issue 12): confirm, rename, give an email (encrypted), record an
opt-out (PUT /v1/clients/{id}, `coach clients list|update`), and merge two records of one
person (POST /v1/clients/{id}/merge). Every change audited with ids only."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from typer.testing import CliRunner

from coaching.domain.identity import Role
from tests.api_calls import claims_for, request
from tests.integration.test_client_routes import WEEK_1, WEEK_2, client_id_of, process
from tests.local_ports import ports
from tests.review_data import add_coach, assert_error, other_organization, problem_fields

pytestmark = pytest.mark.integration

EMAIL = "Priya.Raman@Example.org"


@pytest.fixture
def practice(platform, organization):
    """Elena's two sessions with Priya (week 1 with Tomas too); another coach with none."""
    elena = add_coach(organization, "Elena Park")
    process(platform, organization, WEEK_1, dt.date(2025, 3, 3), elena)
    process(platform, organization, WEEK_2, dt.date(2025, 3, 10), elena)
    return {
        "org": organization,
        "elena": claims_for(organization, Role.COACH, coach_id=elena),
        "stranger": claims_for(organization, Role.COACH, coach_id=add_coach(organization, "Sam")),
        "admin": claims_for(organization, Role.ADMIN),
        "priya": client_id_of(organization, "Priya Raman"),
        "tomas": client_id_of(organization, "Tomas Berg"),
    }


def record(name: str = "Priya Raman", **fields) -> dict:
    return {"name": name, "status": "active", **fields}


def stored_text(client_id: uuid.UUID) -> str:
    with ports().database.transaction() as conn:
        row = conn.execute("SELECT c::text AS t FROM clients c WHERE id = %s", (client_id,))
        return row.fetchone()["t"]


def audit_details(org: uuid.UUID, action: str, client_id: uuid.UUID) -> list[dict]:
    entries = ports().audit_log.entries(org, resource_type="client", resource_id=str(client_id))
    return [e.details for e in entries if e.action == action]


def add_client(org: uuid.UUID, name: str) -> uuid.UUID:
    with ports().database.transaction(org) as conn:
        return conn.execute(
            "INSERT INTO clients (organization_id, name) VALUES (%s, %s) RETURNING id",
            (org, name),
        ).fetchone()["id"]


# --- PUT /v1/clients/{id} ----------------------------------------------------------------
def test_a_coach_confirms_renames_gives_an_email_and_records_an_opt_out(practice):
    priya, elena, org = practice["priya"], practice["elena"], practice["org"]
    status, body = request(
        "PUT",
        f"/v1/clients/{priya}",
        elena,
        body=record("Priya R. Raman", email=EMAIL, opted_out=True, external_id="crm-7"),
    )
    assert status == 200, body
    assert body["name"] == "Priya R. Raman" and body["status"] == "active"
    assert (body["email"], body["opted_out"], body["external_id"]) == (EMAIL, True, "crm-7")
    assert body["opted_out_at"]
    # The address is stored encrypted only, and the audit names the fields, not the values
    assert "example.org" not in stored_text(priya).lower()
    [details] = audit_details(org, "update", priya)
    assert details["changed"] == ["email", "external_id", "name", "opted_out", "status"]
    assert "example.org" not in json.dumps(details).lower()
    # What the coach reads back
    status, history = request("GET", f"/v1/clients/{priya}", elena)
    assert status == 200 and history["email"] == EMAIL
    assert (history["opted_out"], history["external_id"]) == (True, "crm-7")
    _, listed = request("GET", "/v1/clients", elena, query={"status": "active"})
    assert [c["name"] for c in listed["items"]] == ["Priya R. Raman"]


def test_an_opt_out_keeps_when_it_was_recorded_and_opting_in_clears_it(practice):
    priya, elena = practice["priya"], practice["elena"]
    _, first = request("PUT", f"/v1/clients/{priya}", elena, body=record(opted_out=True))
    _, again = request("PUT", f"/v1/clients/{priya}", elena, body=record(opted_out=True))
    assert first["opted_out_at"] == again["opted_out_at"] is not None
    _, back = request("PUT", f"/v1/clients/{priya}", elena, body=record())
    assert (back["opted_out"], back["opted_out_at"]) == (False, None)


def test_an_email_left_out_stays_and_null_removes_it(practice):
    priya, elena = practice["priya"], practice["elena"]
    request("PUT", f"/v1/clients/{priya}", elena, body=record(email=EMAIL))
    _, kept = request("PUT", f"/v1/clients/{priya}", elena, body=record())
    assert kept["email"] == EMAIL
    _, removed = request("PUT", f"/v1/clients/{priya}", elena, body=record(email=None))
    assert removed["email"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "active"}, "body.name"),
        (record(email="not-an-address"), "body.email"),
        (record(status="archived"), "body.status"),
        (record(name=" "), "body.name"),
        (record(colour="blue"), "body.colour"),
    ],
)
def test_an_invalid_record_is_422_naming_the_field(practice, body, field):
    status, answer = request(
        "PUT", f"/v1/clients/{practice['priya']}", practice["elena"], body=body
    )
    assert status == 422
    assert field in problem_fields(answer)


def test_a_name_another_client_has_is_409_and_nothing_changes(practice):
    status, answer = request(
        "PUT", f"/v1/clients/{practice['priya']}", practice["elena"], body=record("Tomas Berg")
    )
    assert status == 409
    assert_error(answer, "COACH_409")
    assert client_id_of(practice["org"], "Priya Raman") == practice["priya"]


def test_who_may_not_keep_a_record(platform, practice):
    path = f"/v1/clients/{practice['priya']}"
    org = practice["org"]
    support = claims_for(org, Role.SUPPORT)
    outsider = claims_for(other_organization(platform), Role.ADMIN)
    assert request("PUT", path, support, body=record("X"))[0] == 403
    assert request("PUT", path, outsider, body=record("X"))[0] == 404
    assert request("PUT", path, practice["stranger"], body=record("X"))[0] == 404
    assert client_id_of(org, "Priya Raman") == practice["priya"]
    assert audit_details(org, "update", practice["priya"]) == []


# --- POST /v1/clients/{id}/merge ---------------------------------------------------------
def test_merging_moves_sessions_summaries_and_participations_and_removes_the_other(practice):
    org, admin, priya = practice["org"], practice["admin"], practice["priya"]
    # Given a second record of Priya, made by hand, and Priya's email on the session record
    kept = add_client(org, "Priya (CRM)")
    request("PUT", f"/v1/clients/{priya}", admin, body=record(email=EMAIL, opted_out=True))
    # When the session record is merged into the hand-made one
    status, body = request(
        "POST", f"/v1/clients/{kept}/merge", admin, body={"other_client_id": str(priya)}
    )
    assert status == 200, body
    assert body["moved"]["client_sessions"] == 2 and body["moved"]["session_participants"] == 2
    # Then the kept record has both sessions, the address (re-encrypted) and the opt-out
    assert (body["email"], body["opted_out"], body["name"]) == (EMAIL, True, "Priya (CRM)")
    _, history = request("GET", f"/v1/clients/{kept}", admin)
    assert len(history["sessions"]) == 2 and history["email"] == EMAIL
    assert all(s["summary_status"] for s in history["sessions"])
    # And the other record is gone, for the coach too, who now sees the kept one
    assert request("GET", f"/v1/clients/{priya}", admin)[0] == 404
    assert request("GET", f"/v1/clients/{kept}", practice["elena"])[0] == 200
    [details] = audit_details(org, "merge", kept)
    assert details["merged_client_id"] == str(priya)
    assert "example.org" not in json.dumps(details).lower()


def test_two_people_of_one_session_are_not_merged(practice):
    org, admin = practice["org"], practice["admin"]
    path = f"/v1/clients/{practice['priya']}/merge"
    tomas = practice["tomas"]
    request("PUT", f"/v1/clients/{tomas}", admin, body=record("Tomas Berg", email=EMAIL))
    status, answer = request("POST", path, admin, body={"other_client_id": str(tomas)})
    assert status == 409
    assert_error(answer, "COACH_409")
    assert client_id_of(org, "Tomas Berg") == tomas
    # Tomas's address, copied ahead of the merge, is taken back from Priya's record
    assert ports().contact_details.contact(org, practice["priya"]).email is None
    assert ports().contact_details.contact(org, tomas).email == EMAIL


def test_a_merge_is_refused_as_every_client_route(platform, practice):
    org, priya = practice["org"], practice["priya"]
    hidden = add_client(org, "Nobody's client")  # in no session: only an admin sees it
    path = f"/v1/clients/{priya}/merge"
    assert request("POST", path, practice["elena"], body={"other_client_id": str(priya)})[0] == 422
    assert request("POST", path, practice["elena"], body={})[0] == 422
    assert request("POST", path, practice["elena"], body={"other_client_id": str(hidden)})[0] == 404
    body = {"other_client_id": str(practice["tomas"])}
    assert request("POST", path, claims_for(org, Role.SUPPORT), body=body)[0] == 403
    assert request("POST", path, practice["stranger"], body=body)[0] == 404
    outsider = claims_for(other_organization(platform), Role.ADMIN)
    assert request("POST", path, outsider, body=body)[0] == 404
    assert client_id_of(org, "Nobody's client") == hidden
    assert audit_details(org, "merge", priya) == []


# --- coach clients list|update -----------------------------------------------------------
def test_the_cli_lists_clients_and_keeps_a_record(platform):
    from local_runtime.cli import app

    # The CLI works in the default organization
    org = ports().settings.default_organization_id
    name = f"CLI Client {uuid.uuid4().hex[:6]}"
    client = add_client(org, name)
    runner = CliRunner()
    result = runner.invoke(
        app, ["clients", "update", str(client), "--confirm", "--email", EMAIL, "--opt-out"]
    )
    assert result.exit_code == 0, result.output
    assert EMAIL not in result.output
    result = runner.invoke(app, ["clients", "list", "--name", name, "--json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert (row["id"], row["status"], row["has_email"], row["opted_out"]) == (
        str(client),
        "active",
        True,
        True,
    )
    human = runner.invoke(app, ["clients", "list", "--name", name])
    assert name in human.stdout and EMAIL not in human.stdout
    assert ports().contact_details.contact(org, client).email == EMAIL
    assert audit_details(org, "update", client)[0]["changed"] == ["email", "opted_out", "status"]
    bad = runner.invoke(app, ["clients", "update", str(client), "--email", "nope"])
    assert bad.exit_code == 2 and "email" in bad.output
    missing = runner.invoke(app, ["clients", "update", str(uuid.uuid4()), "--confirm"])
    assert missing.exit_code == 1 and "does not exist" in missing.output


# --- POST /v1/clients/import, coach clients import ---------------------------------------
CSV = "text/csv"


def import_csv(claims: dict, text: str, content_type: str = CSV) -> tuple[int, dict]:
    return request(
        "POST", "/v1/clients/import", claims, body=text, headers={"Content-Type": content_type}
    )


def test_an_import_reports_every_row_created_updated_or_skipped(practice):
    org, admin, priya = practice["org"], practice["admin"], practice["priya"]
    text = (
        "Name,Email,External ID\n"
        f"priya raman,{EMAIL},crm-1\n"  # an existing client, by name in any case
        "Lena Ward,lena@example.org,crm-2\n"  # new
        ",nobody@example.org,\n"  # no name
        "Omar Haddad,not-an-address,\n"
        "Lena Ward,other@example.org,\n"  # twice in the file
        "\n"
        "Ines Costa,,\n"  # new, no email
    )
    status, body = import_csv(admin, text)
    assert status == 200, body
    rows = {r["row"]: r for r in body["rows"]}
    assert (body["created"], body["updated"], body["skipped"]) == (2, 1, 3)
    assert rows[2]["result"] == "updated" and rows[2]["client_id"] == str(priya)
    assert rows[2]["changed"] == ["email", "external_id", "name", "status"]
    assert rows[3]["result"] == "created"
    assert [rows[n]["reason"] for n in (4, 5, 6)] == [
        "no name",
        "not an email address",
        "repeats row 3",
    ]
    assert rows[8]["result"] == "created"
    # The addresses are stored encrypted and read back; the audit holds ids and counts only
    lena = uuid.UUID(rows[3]["client_id"])
    assert ports().contact_details.contact(org, lena).email == "lena@example.org"
    assert ports().contact_details.contact(org, priya).email == EMAIL
    assert "example.org" not in stored_text(lena).lower()
    [entry] = [
        e for e in ports().audit_log.entries(org, resource_type="client") if e.action == "import"
    ]
    assert (entry.details["created"], entry.details["skipped"]) == (2, 3)
    assert "example.org" not in json.dumps(entry.details) and "Lena" not in json.dumps(
        entry.details
    )
    assert set(entry.client_ids) == {priya, lena, uuid.UUID(rows[8]["client_id"])}
    # The same file again changes nothing
    _, again = import_csv(admin, text)
    assert (again["created"], again["updated"]) == (0, 0)
    assert again["rows"][0]["reason"] == "unchanged"


def test_an_import_finds_a_client_by_external_id_first(practice):
    admin = practice["admin"]
    import_csv(admin, "name,email,external_id\nLena Ward,,crm-2\n")
    _, body = import_csv(admin, "name,external_id\nLena Ward-Lee,crm-2\n")
    [row] = body["rows"]
    assert (row["result"], row["changed"]) == ("updated", ["name"])
    assert client_id_of(practice["org"], "Lena Ward-Lee") == uuid.UUID(row["client_id"])


def test_a_coach_cannot_update_a_client_they_cannot_see_by_importing(practice):
    status, body = import_csv(practice["stranger"], "name,email\nPriya Raman,x@example.org\n")
    assert status == 200
    assert body["rows"][0]["reason"] == "a client you cannot see has this name"
    assert ports().contact_details.contact(practice["org"], practice["priya"]).email is None


@pytest.mark.parametrize(
    ("text", "content_type"),
    [
        ("email\nx@example.org\n", CSV),  # no name column
        ("name\nLena\n", "application/json"),
        ("name\n" + "Lena\n" * 5001, CSV),
    ],
)
def test_a_file_that_is_not_a_client_list_is_422(practice, text, content_type):
    status, body = import_csv(practice["admin"], text, content_type)
    assert status == 422
    assert_error(body, "COACH_422")


def test_who_may_not_import(platform, practice):
    assert import_csv(claims_for(practice["org"], Role.SUPPORT), "name\nLena\n")[0] == 403
    outsider = claims_for(other_organization(platform), Role.ADMIN)
    assert import_csv(outsider, "name,email\nPriya Raman,x@example.org\n")[0] == 200
    # Another organization's import creates its own client, never touching this one's
    assert ports().contact_details.contact(practice["org"], practice["priya"]).email is None


def test_the_cli_imports_a_client_list(platform, tmp_path):
    from local_runtime.cli import app

    org = ports().settings.default_organization_id
    name = f"CSV Client {uuid.uuid4().hex[:6]}"
    file = tmp_path / "clients.csv"
    file.write_text(f"name,email\n{name},csv@example.org\n,\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["clients", "import", str(file), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert (body["created"], body["skipped"]) == (1, 0)
    client = uuid.UUID(body["rows"][0]["client_id"])
    assert ports().contact_details.contact(org, client).email == "csv@example.org"
    human = CliRunner().invoke(app, ["clients", "import", str(file)])
    assert "unchanged" in human.stdout and "csv@example.org" not in human.stdout
    missing = CliRunner().invoke(app, ["clients", "import", str(tmp_path / "none.csv")])
    assert missing.exit_code == 1
