"""Clients' contact details encrypted at rest, field by field: the database holds ciphertexts
and a keyed hash, authorised callers read plaintext, and keys rotate (issue 9)."""

from __future__ import annotations

import uuid

import boto3
import pytest
from moto.kms.models import kms_backends
from typer.testing import CliRunner

from coaching.adapters.aws.kms_key_vault import KmsKeyVault
from coaching.adapters.field_cipher import EnvelopeFieldCipher
from coaching.domain.errors import PermanentError
from coaching.domain.identity import Role
from coaching.usecases.contact_encryption import encrypt_plaintext_contacts, rotate_keys
from tests.api_calls import claims_for, request
from tests.field_keys import DataKeys
from tests.local_ports import ports
from tests.moto_scope import scoped_mock_aws
from tests.review_data import add_coach, other_organization, reviewed_session

pytestmark = pytest.mark.integration

EMAIL, PHONE = "Ada.Lovelace@Example.org", "+44 20 7946 0958"


def add_client(org: uuid.UUID, name: str) -> uuid.UUID:
    with ports().database.transaction(org) as conn:
        return conn.execute(
            "INSERT INTO clients (organization_id, name) VALUES (%s, %s) RETURNING id",
            (org, name),
        ).fetchone()["id"]


def stored_row(client_id: uuid.UUID) -> dict:
    """The client's row as the database holds it (the owner: no application code between)."""
    with ports().database.transaction() as conn:
        return conn.execute("SELECT * FROM clients WHERE id = %s", (client_id,)).fetchone()


def row_text(client_id: uuid.UUID) -> str:
    with ports().database.transaction() as conn:
        return conn.execute(
            "SELECT c::text AS t FROM clients c WHERE id = %s", (client_id,)
        ).fetchone()["t"]


@pytest.fixture
def admin(organization):
    return claims_for(organization, Role.ADMIN)


def test_the_database_holds_no_plaintext_after_a_write(organization, admin):
    client_id = add_client(organization, "Ada Lovelace")
    status, body = request(
        "PATCH", f"/v1/clients/{client_id}", admin, body={"email": EMAIL, "phone": PHONE}
    )
    assert status == 200, body
    assert body == {"id": str(client_id), "email": EMAIL, "phone": PHONE}
    row = stored_row(client_id)
    text = row_text(client_id).lower()
    assert "lovelace@" not in text and "example.org" not in text and "7946" not in text
    assert row["legacy_plaintext_email"] is None
    assert row["email_ciphertext"] and row["phone_ciphertext"] and len(row["email_index"]) == 32
    # The authorised reader gets the plaintext back
    status, history = request("GET", f"/v1/clients/{client_id}", admin)
    assert status == 200
    assert (history["email"], history["phone"]) == (EMAIL, PHONE)


def test_a_client_is_found_by_exact_email_without_decrypting(platform, organization, admin):
    ada, bea = add_client(organization, "Ada Lovelace"), add_client(organization, "Bea Lane")
    request("PATCH", f"/v1/clients/{ada}", admin, body={"email": EMAIL})
    request("PATCH", f"/v1/clients/{bea}", admin, body={"email": "bea@example.org"})
    status, found = request("GET", "/v1/clients", admin, query={"email": EMAIL.upper()})
    assert status == 200
    assert [item["id"] for item in found["items"]] == [str(ada)]
    # Not by part of it, and not from another organization
    _, partial = request("GET", "/v1/clients", admin, query={"email": "example.org"})
    assert partial["items"] == []
    outsider = claims_for(other_organization(platform), Role.ADMIN)
    _, theirs = request("GET", "/v1/clients", outsider, query={"email": EMAIL})
    assert theirs["items"] == []


def test_only_sent_fields_change_and_null_removes_one(organization, admin):
    client_id = add_client(organization, "Ada Lovelace")
    request("PATCH", f"/v1/clients/{client_id}", admin, body={"email": EMAIL, "phone": PHONE})
    status, body = request("PATCH", f"/v1/clients/{client_id}", admin, body={"phone": None})
    assert status == 200
    assert (body["email"], body["phone"]) == (EMAIL, None)
    assert stored_row(client_id)["phone_ciphertext"] is None


def test_coaches_set_and_read_contacts_of_their_own_clients_only(platform, organization):
    review = reviewed_session(platform, organization, add_coach(organization, "Maya Chen"))
    client_id = next(iter(review.summaries().values()))["client_id"]
    status, body = request(
        "PATCH", f"/v1/clients/{client_id}", review.claims(), body={"email": EMAIL}
    )
    assert status == 200, body
    _, history = request("GET", f"/v1/clients/{client_id}", review.claims())
    assert history["email"] == EMAIL
    stranger = claims_for(
        organization, Role.COACH, coach_id=add_coach(organization, "Another Coach")
    )
    status, _ = request("PATCH", f"/v1/clients/{client_id}", stranger, body={"phone": PHONE})
    assert status == 404
    support = claims_for(organization, Role.SUPPORT)
    assert request("PATCH", f"/v1/clients/{client_id}", support, body={"phone": PHONE})[0] == 403


@pytest.mark.parametrize(
    "body", [{"email": "not an email"}, {"phone": "call me"}, {"address": "1 Main St"}]
)
def test_invalid_contact_details_are_refused(organization, admin, body):
    client_id = add_client(organization, "Ada Lovelace")
    status, answer = request("PATCH", f"/v1/clients/{client_id}", admin, body=body)
    assert status in (400, 422), answer


def test_a_ciphertext_copied_to_another_client_does_not_decrypt(organization, admin):
    ada, bea = add_client(organization, "Ada Lovelace"), add_client(organization, "Bea Lane")
    request("PATCH", f"/v1/clients/{ada}", admin, body={"email": EMAIL})
    with ports().database.transaction() as conn:
        conn.execute(
            "UPDATE clients SET email_ciphertext = (SELECT email_ciphertext FROM clients"
            " WHERE id = %s) WHERE id = %s",
            (ada, bea),
        )
    with pytest.raises(PermanentError):
        ports().contact_details.contact(organization, bea)
    # A rotation leaves such a field (and its key) as it is, and goes on with the rest
    encryption = ports().field_encryption
    report = rotate_keys(
        encryption.vault, encryption.cipher, encryption.data_keys, ports().contact_details
    )
    mine = next(o for o in report.organizations if o.organization_id == organization)
    assert mine.clients_reencrypted == 1 and mine.data_keys_retired == 0 and mine.error
    assert ports().contact_details.contact(organization, ada).email == EMAIL
    assert all(o.error is None for o in report.organizations if o.organization_id != organization)
    with ports().database.transaction() as conn:  # no damaged row for later tests
        conn.execute("UPDATE clients SET email_ciphertext = NULL WHERE id = %s", (bea,))


def test_plaintext_kept_from_before_encryption_is_encrypted_at_start(organization):
    client_id = add_client(organization, "Ada Lovelace")
    with ports().database.transaction() as conn:  # as migration 0012 leaves it
        conn.execute(
            "UPDATE clients SET legacy_plaintext_email = %s WHERE id = %s", (EMAIL, client_id)
        )
    assert encrypt_plaintext_contacts(ports().contact_details) >= 1
    row = stored_row(client_id)
    assert row["legacy_plaintext_email"] is None and row["email_ciphertext"]
    assert ports().contact_details.contact(organization, client_id).email == EMAIL


def test_rotation_re_encrypts_every_field_under_the_new_key_and_retires_the_old(
    platform, organization, admin
):
    encryption = ports().field_encryption
    contacts = ports().contact_details
    before = add_client(organization, "Ada Lovelace")
    request("PATCH", f"/v1/clients/{before}", admin, body={"email": EMAIL, "phone": PHONE})
    old_version = encryption.cipher.current_version(organization)
    # Given a new data key version: new writes use it, the older ciphertext still decrypts
    new_version = encryption.cipher.rotate(organization)
    after = add_client(organization, "Bea Lane")
    request("PATCH", f"/v1/clients/{after}", admin, body={"email": "bea@example.org"})
    version_of = encryption.cipher.version_of
    assert version_of(bytes(stored_row(before)["email_ciphertext"])) == old_version
    assert version_of(bytes(stored_row(after)["email_ciphertext"])) == new_version
    assert contacts.contact(organization, before).email == EMAIL
    # When the keys are rotated (`coach keys rotate`)
    result = CliRunner().invoke(_cli(), ["keys", "rotate", "--json"])
    assert result.exit_code == 0, result.output
    # Then every field is under the newest key, the older keys are gone, and all still read
    latest = encryption.cipher.current_version(organization)
    assert latest > new_version
    for client_id in (before, after):
        assert version_of(bytes(stored_row(client_id)["email_ciphertext"])) == latest
    assert [k.version for k in encryption.data_keys.versions(organization)] == [latest]
    assert contacts.contact(organization, before) == contacts.contact(organization, before)
    assert (
        contacts.contact(organization, before).email,
        contacts.contact(organization, before).phone,
    ) == (EMAIL, PHONE)
    _, found = request("GET", "/v1/clients", admin, query={"email": EMAIL})
    assert [item["id"] for item in found["items"]] == [str(before)]
    # and the local key encryption keys that no longer wrap anything are forgotten
    assert encryption.vault.key_ids() == sorted(encryption.data_keys.kek_ids_in_use())


def test_rotate_keys_reports_per_organization(platform, organization, admin):
    encryption = ports().field_encryption
    client_id = add_client(organization, "Ada Lovelace")
    request("PATCH", f"/v1/clients/{client_id}", admin, body={"email": EMAIL})
    report = rotate_keys(
        encryption.vault, encryption.cipher, encryption.data_keys, ports().contact_details
    )
    mine = next(o for o in report.organizations if o.organization_id == organization)
    assert (mine.clients_reencrypted, mine.data_keys_retired) == (1, 1)


def test_kms_wraps_data_keys_for_one_organization_only(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    org, other = uuid.uuid4(), uuid.uuid4()
    with scoped_mock_aws(kms_backends):
        kms = boto3.client("kms", region_name="us-east-1")
        key_id = kms.create_key(Description="client fields")["KeyMetadata"]["KeyId"]
        vault = KmsKeyVault(kms, key_id)
        keys = DataKeys()
        cipher = EnvelopeFieldCipher(vault, keys)
        client_id = uuid.uuid4()
        sealed = cipher.encrypt(org, client_id, "email", EMAIL)
        assert (
            EnvelopeFieldCipher(vault, cipher._keys).decrypt(org, client_id, "email", sealed)
            == EMAIL
        )
        wrapped = cipher._keys.versions(org)[0]
        assert key_id in wrapped.kek_id
        with pytest.raises(PermanentError):
            vault.unwrap(other, wrapped.wrapped_key, wrapped.kek_id)


def _cli():
    from local_runtime.cli import app

    return app
