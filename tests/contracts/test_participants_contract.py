"""Participants: speakers in order, linked to client records; unknown people become pending
clients of the session."""

from __future__ import annotations

from tests.contracts.conftest import new_session, speaker


def test_speakers_load_back_in_order(backend, org):
    participants = backend.ports["participants"]
    session = new_session(backend, org)
    speakers = [speaker("Maya Coach", "coach", 30.0), speaker("Jordan Reyes", seconds=12.5)]
    participants.save_speakers(org, session.id, speakers)
    assert participants.load_speakers(org, session.id) == speakers
    participants.save_speakers(org, session.id, speakers[1:])
    assert participants.load_speakers(org, session.id) == speakers[1:]


def test_a_known_client_is_matched_by_name_or_lone_first_name(backend, org):
    jordan = backend.add_client(org, "Jordan Reyes")
    session = new_session(backend, org)
    resolved = backend.ports["participants"].resolve_clients(
        org, session.id, ["jordan  reyes", "Jordan"]
    )
    assert resolved == {"jordan  reyes": jordan, "Jordan": jordan}
    assert backend.clients(org) == {"Jordan Reyes": "active"}


def test_an_unknown_person_becomes_one_pending_client(backend, org):
    session = new_session(backend, org)
    resolved = backend.ports["participants"].resolve_clients(
        org, session.id, ["Priya Nair", "priya nair"]
    )
    assert resolved["Priya Nair"] == resolved["priya nair"]
    assert backend.clients(org) == {"Priya Nair": "pending"}


def test_a_first_name_shared_by_two_clients_matches_neither(backend, org):
    backend.add_client(org, "Sam Lee")
    backend.add_client(org, "Sam Ortiz")
    session = new_session(backend, org)
    backend.ports["participants"].resolve_clients(org, session.id, ["Sam"])
    assert backend.clients(org)["Sam"] == "pending"


def test_clients_of_another_organization_are_not_matched(backend, org):
    other = backend.new_org()
    theirs = backend.add_client(other, "Jordan Reyes")
    session = new_session(backend, org)
    resolved = backend.ports["participants"].resolve_clients(org, session.id, ["Jordan Reyes"])
    assert resolved["Jordan Reyes"] != theirs
    assert backend.ports["participants"].load_speakers(other, session.id) == []
