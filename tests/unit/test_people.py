"""Adding people on a user directory (Cognito in AWS): the directory user and the rows are
made together, and a failure of either half undoes the other."""

from __future__ import annotations

import uuid

import pytest

from coaching.domain.errors import (
    Conflict,
    NotFound,
    PermanentError,
    TransientError,
    WeakPassword,
)
from coaching.domain.identity import Role
from coaching.usecases.people import (
    DIRECTORY_PASSWORD,
    PeoplePorts,
    add_person,
    create_organization,
)
from tests.fakes import FakeCoaches, FakeOrganizations, FakeUserAccounts
from tests.fakes.memory import MemoryData
from tests.fakes.user_directory import FakeUserDirectory

ORG = uuid.UUID("00000000-0000-4000-8000-0000000000aa")


class FailingAccounts(FakeUserAccounts):
    """The users table refuses the row (the database is down, say)."""

    def add_user(self, *args, **kwargs):
        raise TransientError("The database is busy.")


@pytest.fixture
def data() -> MemoryData:
    return MemoryData()


def people(data: MemoryData, accounts: FakeUserAccounts | None = None) -> PeoplePorts:
    organizations = FakeOrganizations(data)
    organizations.ensure_organization(ORG, "Practice")
    return PeoplePorts(
        accounts or FakeUserAccounts(data), FakeCoaches(data), organizations, FakeUserDirectory()
    )


def test_a_coach_gets_a_directory_user_whose_id_is_the_row_and_whose_claims_name_the_coach(
    data,
) -> None:
    # Given a user directory and an organization
    ports = people(data)

    # When an admin adds a coach, leaving Cognito to email the temporary password
    user = add_person(ports, ORG, email=" casey@example.org ", name="Casey", role=Role.COACH)

    # Then the directory user carries the organization, role and coach record the API reads
    directory_user = ports.directory.users[user.id]
    assert directory_user.organization_id == ORG and directory_user.role is Role.COACH
    assert directory_user.coach_id == user.coach_id is not None
    assert ports.directory.temporary_passwords[user.id] is None  # emailed by the directory
    # And the users row has the directory's id, the coach record and no password of ours
    assert ports.accounts.user(ORG, user.id).password_hash == DIRECTORY_PASSWORD
    assert ports.coaches.coach_id_by_email(ORG, "casey@example.org") == user.coach_id


def test_an_admin_has_no_coach_record_and_a_given_temporary_password_is_passed_on(data) -> None:
    ports = people(data)
    user = add_person(
        ports,
        ORG,
        email="ada@example.org",
        name="Ada",
        role=Role.ADMIN,
        temporary_password="Temporary-pass-42!",
    )
    assert user.coach_id is None and ports.directory.users[user.id].coach_id is None
    assert ports.directory.temporary_passwords[user.id] == "Temporary-pass-42!"


def test_when_the_rows_fail_the_directory_user_and_new_coach_record_are_undone(data) -> None:
    # Given a users table that refuses the row
    ports = people(data, FailingAccounts(data))

    # When a coach is added
    with pytest.raises(TransientError):
        add_person(ports, ORG, email="casey@example.org", name="Casey", role=Role.COACH)

    # Then no sign-in without rows is left, and no coach record made for it
    assert ports.directory.users == {}
    assert ports.coaches.coach_id_by_email(ORG, "casey@example.org") is None


def test_when_the_directory_fails_the_new_coach_record_is_undone_but_an_old_one_kept(
    data,
) -> None:
    ports = people(data)
    ports.directory.refuse_creating = True
    with pytest.raises(TransientError):
        add_person(ports, ORG, email="new@example.org", name="New", role=Role.COACH)
    assert ports.coaches.coach_id_by_email(ORG, "new@example.org") is None

    # A coach whose record existed before (the drop folder's coach, say) keeps it
    existing = ports.accounts.add_coach(ORG, email="old@example.org", name="Old")
    with pytest.raises(TransientError):
        add_person(ports, ORG, email="old@example.org", name="Old", role=Role.COACH)
    assert ports.coaches.coach_id_by_email(ORG, "old@example.org") == existing
    assert ports.accounts.users(ORG) == []


def test_a_failing_undo_is_logged_and_the_original_error_raised(data, caplog) -> None:
    ports = people(data, FailingAccounts(data))
    ports.directory.refuse_deleting = True
    with pytest.raises(TransientError, match="database"):
        add_person(ports, ORG, email="casey@example.org", name="Casey", role=Role.ADMIN)
    assert "Could not undo the directory user" in caplog.text
    assert "casey@example.org" not in caplog.text


def test_a_taken_email_a_weak_password_and_the_service_role_create_nothing(data) -> None:
    ports = people(data)
    add_person(ports, ORG, email="casey@example.org", name="Casey", role=Role.ADMIN)
    with pytest.raises(Conflict):
        add_person(ports, ORG, email="CASEY@example.org", name="Casey", role=Role.COACH)
    with pytest.raises(WeakPassword):
        add_person(
            ports, ORG, email="b@example.org", name="B", role=Role.ADMIN, temporary_password="short"
        )
    with pytest.raises(PermanentError, match="API keys"):
        add_person(ports, ORG, email="c@example.org", name="C", role=Role.SERVICE)
    assert len(ports.directory.users) == 1 and data.coaches.get(ORG, {}) == {}


def test_a_new_organization_gets_its_first_admin(data) -> None:
    ports = people(data)
    org, admin = create_organization(
        ports,
        " Northwind Coaching ",
        {"email": "ada@example.org", "name": "Ada", "role": Role.COACH},
    )
    assert ports.organizations.organization_exists(org)
    assert admin.organization_id == org and admin.role is Role.ADMIN
    assert ports.directory.users[admin.id].role is Role.ADMIN


def test_an_organization_whose_admin_fails_says_how_to_add_one(data) -> None:
    ports = people(data)
    add_person(ports, ORG, email="ada@example.org", name="Ada", role=Role.ADMIN)
    with pytest.raises(Conflict) as refused:
        create_organization(
            ports, "Other", {"email": "ada@example.org", "name": "Ada", "role": Role.ADMIN}
        )
    assert "coach users add EMAIL --role admin --organization" in str(refused.value)


def test_a_person_of_an_organization_not_on_record_is_refused_before_anything_is_made(
    data,
) -> None:
    ports = people(data)
    with pytest.raises(NotFound, match="coach org create"):
        add_person(ports, uuid.uuid4(), email="a@example.org", name="A", role=Role.COACH)
    assert ports.directory.users == {} and data.coaches == {}
