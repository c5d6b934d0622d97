"""Participants on PostgreSQL: session_participants, and the pending clients they create."""

from __future__ import annotations

import uuid

from coaching.adapters.postgres.database import Database
from coaching.domain.clients import SpeakerClient
from coaching.domain.names import name_key
from coaching.domain.results import SpeakerStats


class PostgresParticipants:
    def __init__(self, database: Database) -> None:
        self._db = database

    def resolve_clients(
        self, org: uuid.UUID, session_id: uuid.UUID, names: list[str]
    ) -> dict[str, uuid.UUID]:
        """Maps speakers to the organization's client records; unknown people become pending.

        A speaker matches a record whose name is the same person (case, spacing, titles), or,
        for a lone first name, the one record with that first name.
        """
        with self._db.transaction(org) as conn:
            known = conn.execute(
                "SELECT id, name FROM clients WHERE organization_id = %s", (org,)
            ).fetchall()
            by_key = {name_key(row["name"]): row["id"] for row in known}
            by_first: dict[str, list[uuid.UUID]] = {}
            for row in known:
                by_first.setdefault(name_key(row["name"]).split(" ")[0], []).append(row["id"])
            resolved: dict[str, uuid.UUID] = {}
            for name in names:
                key = name_key(name)
                match = by_key.get(key)
                if match is None and " " not in key and len(by_first.get(key, [])) == 1:
                    match = by_first[key][0]
                if match is None:
                    match = conn.execute(
                        "INSERT INTO clients (organization_id, name, status, created_by_session)"
                        " VALUES (%s, %s, 'pending', %s) RETURNING id",
                        (org, name, session_id),
                    ).fetchone()["id"]
                    by_key[key] = match
                resolved[name] = match
        return resolved

    def save_speakers(
        self,
        org: uuid.UUID,
        session_id: uuid.UUID,
        speakers: list[SpeakerStats],
        client_ids: dict[str, uuid.UUID] | None = None,
    ) -> None:
        client_ids = client_ids or {}
        with self._db.transaction(org) as conn:
            conn.execute(
                "DELETE FROM session_participants WHERE organization_id = %s AND session_id = %s",
                (org, session_id),
            )
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO session_participants (organization_id, session_id, position,"
                    " name, role, speaking_time_seconds, speaking_share, turns, word_count,"
                    " longest_monologue_seconds, questions_asked, aliases, client_id)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [
                        (
                            org,
                            session_id,
                            position,
                            s.name,
                            s.role,
                            s.speaking_time_seconds,
                            s.speaking_share,
                            s.turns,
                            s.word_count,
                            s.longest_monologue_seconds,
                            s.questions_asked,
                            s.aliases,
                            client_ids.get(s.name),
                        )
                        for position, s in enumerate(speakers)
                    ],
                )

    def load_speakers(self, org: uuid.UUID, session_id: uuid.UUID) -> list[SpeakerStats]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                "SELECT name, role, speaking_time_seconds, speaking_share, turns, word_count,"
                " longest_monologue_seconds, questions_asked, aliases"
                " FROM session_participants WHERE organization_id = %s AND session_id = %s"
                " ORDER BY position",
                (org, session_id),
            ).fetchall()
        return [SpeakerStats.model_validate(row) for row in rows]

    def speaker_clients(self, org: uuid.UUID, session_id: uuid.UUID) -> dict[str, SpeakerClient]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                "SELECT p.name AS speaker, c.id, c.name, c.tags FROM session_participants p"
                " JOIN clients c ON c.id = p.client_id AND c.organization_id = p.organization_id"
                " WHERE p.organization_id = %s AND p.session_id = %s",
                (org, session_id),
            ).fetchall()
        return {
            row["speaker"]: SpeakerClient(row["id"], row["name"], tuple(row["tags"] or ()))
            for row in rows
        }
