"""ExportRows on PostgreSQL: every entity's rows for an export, streamed through a
server-side cursor (memory stays flat however many sessions), in a transaction scoped to the
organization (row-level security) and filtered by the coaches the owner may see.

What goes out: sessions; clients (an admin's export every client of the organization, a
coach's those in their sessions); approved summaries only, never drafts; their action items
with whether the client's next session showed them kept (analysis/commitments.py, the rule
``GET /v1/clients/{id}`` uses). Items resting on a flagged turn (health, medication...) and
the overview of a session with one stay out unless the export asks for them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

from psycopg import sql

from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.visibility import coach_parameters, visible_coaches
from coaching.analysis.commitments import judge_commitment, reports_in
from coaching.domain.clients import CoachIds
from coaching.domain.transcript import Turn
from coaching.exports.schemas import SCHEMAS

# Rows fetched from the server at a time.
BATCH_ROWS = 2000
# The namespace of action items' ids: uuid5(namespace, "<summary id>/<position>").
ACTION_ITEM_NAMESPACE = uuid.UUID("6f1d3a0e-5b7c-4c1e-9a57-17e0c0a5e817")

_VISIBLE = visible_coaches("s", "coach_id")
_DAY = sql.SQL("COALESCE(s.session_date, s.created_at::date)")
_SINCE = sql.SQL("(%(since)s::timestamptz IS NULL OR q.updated_at >= %(since)s::timestamptz)")

_SESSIONS = sql.SQL(
    "SELECT * FROM (SELECT s.id::text AS session_id, s.coach_id::text AS coach_id,"
    " s.coach_name, {day} AS session_date, s.session_type, s.processing_status AS status,"
    " s.format, s.duration_seconds, s.participant_count,"
    " (SELECT count(*) FROM session_participants p WHERE p.organization_id = s.organization_id"
    "  AND p.session_id = s.id AND p.role = 'client')::int AS client_count,"
    " s.session_summary AS overview,"
    " EXISTS (SELECT 1 FROM session_turns t WHERE t.organization_id = s.organization_id"
    "  AND t.session_id = s.id AND t.sensitive_categories <> '{{}}') AS flagged,"
    " s.created_at, s.updated_at"
    " FROM sessions s WHERE s.organization_id = %(org)s AND {visible}) q"
    " WHERE {since} ORDER BY q.session_date, q.session_id"
).format(day=_DAY, visible=_VISIBLE, since=_SINCE)

_CLIENTS = sql.SQL(
    "WITH seen AS (SELECT sp.client_id, s.id AS session_id, {day} AS day, s.created_at,"
    "  s.updated_at, cs.engagement_level, cs.priority_score"
    "  FROM session_participants sp JOIN sessions s"
    "  ON s.id = sp.session_id AND s.organization_id = sp.organization_id"
    "  LEFT JOIN client_sessions cs ON cs.session_id = sp.session_id"
    "  AND cs.client_id = sp.client_id AND cs.organization_id = sp.organization_id"
    "  WHERE sp.organization_id = %(org)s AND sp.client_id IS NOT NULL"
    "  AND s.processing_status <> 'failed' AND {visible}),"
    " per_client AS (SELECT client_id, count(DISTINCT session_id)::int AS session_count,"
    "  min(day) AS first_day, max(day) AS last_day, max(updated_at) AS sessions_changed,"
    "  (array_agg(engagement_level ORDER BY day DESC, created_at DESC)"
    "   FILTER (WHERE engagement_level IS NOT NULL))[1] AS latest_engagement,"
    "  (array_agg(priority_score ORDER BY day DESC, created_at DESC)"
    "   FILTER (WHERE priority_score IS NOT NULL))[1]::float8 AS latest_priority"
    "  FROM seen GROUP BY client_id)"
    " SELECT * FROM (SELECT c.id::text AS client_id, c.name, NULL::text AS email, c.status,"
    " c.external_id, c.tags, c.opted_out_at IS NOT NULL AS opted_out,"
    " c.email_suppressed_at IS NOT NULL AS email_suppressed,"
    " COALESCE(pc.session_count, 0) AS session_count, pc.first_day AS first_session_date,"
    " pc.last_day AS last_session_date, pc.latest_engagement, pc.latest_priority,"
    " c.created_at, GREATEST(c.updated_at, pc.sessions_changed) AS updated_at"
    " FROM clients c LEFT JOIN per_client pc ON pc.client_id = c.id"
    " WHERE c.organization_id = %(org)s AND (%(all)s OR pc.client_id IS NOT NULL)) q"
    " WHERE {since} ORDER BY q.created_at, q.client_id"
).format(day=_DAY, visible=_VISIBLE, since=_SINCE)

# Approved summaries with their session, client, latest follow-up, the session's flagged
# turns, and (for action items) the client's next visible session: the one that shows
# whether a commitment was kept.
_SUMMARIES = sql.SQL(
    "WITH seen AS (SELECT sp.client_id, s.id AS session_id, sp.name AS speaker, s.coach_name,"
    "  s.created_at, s.updated_at, {day} AS day,"
    "  (SELECT count(*) FROM session_participants o WHERE o.organization_id = s.organization_id"
    "   AND o.session_id = s.id AND o.role = 'client') = 1 AS sole_client"
    "  FROM session_participants sp JOIN sessions s"
    "  ON s.id = sp.session_id AND s.organization_id = sp.organization_id"
    "  WHERE sp.organization_id = %(org)s AND sp.client_id IS NOT NULL"
    "  AND s.processing_status <> 'failed' AND {visible}),"
    " following AS (SELECT client_id, session_id,"
    "  lead(session_id) OVER w AS next_session_id, lead(speaker) OVER w AS next_speaker,"
    "  lead(coach_name) OVER w AS next_coach_name, lead(sole_client) OVER w AS next_sole_client,"
    "  lead(updated_at) OVER w AS next_changed"
    "  FROM seen WINDOW w AS (PARTITION BY client_id ORDER BY day, created_at, session_id))"
    " SELECT * FROM (SELECT su.id AS summary_id, cs.session_id, cs.client_id,"
    " c.name AS client_name, s.coach_id, {day} AS session_date,"
    " COALESCE(su.coach_edited_version, jsonb_build_object('wins', su.wins,"
    " 'challenges', su.challenges, 'action_items', su.action_items,"
    " 'coach_recommendations', su.coach_recommendations)) AS content,"
    " cs.engagement_level, cs.priority_score::float8 AS priority_score,"
    " su.ai_version->'priority_reasons' AS priority_reasons,"
    " COALESCE(jsonb_array_length(cs.breakthroughs), 0) AS breakthroughs,"
    " fu.status AS follow_up_status, fu.sent_at AS follow_up_sent_at, su.approved_at,"
    " ARRAY(SELECT t.turn_index FROM session_turns t WHERE t.organization_id = su.organization_id"
    "  AND t.session_id = cs.session_id AND t.sensitive_categories <> '{{}}') AS flagged_turns,"
    " f.next_session_id, f.next_speaker, f.next_sole_client, {next_turns} AS next_turns,"
    " GREATEST(su.updated_at, fu.updated_at, {next_changed}) AS updated_at"
    " FROM summaries su JOIN client_sessions cs"
    " ON cs.id = su.client_session_id AND cs.organization_id = su.organization_id"
    " JOIN sessions s ON s.id = cs.session_id AND s.organization_id = su.organization_id"
    " JOIN clients c ON c.id = cs.client_id AND c.organization_id = su.organization_id"
    " LEFT JOIN following f ON f.client_id = cs.client_id AND f.session_id = cs.session_id"
    " LEFT JOIN LATERAL (SELECT x.status, x.sent_at, x.updated_at FROM follow_ups x"
    "  WHERE x.organization_id = su.organization_id AND x.summary_id = su.id"
    "  ORDER BY x.created_at DESC LIMIT 1) fu ON true"
    " WHERE su.organization_id = %(org)s AND su.approved_at IS NOT NULL AND {visible}) q"
    " WHERE {since} ORDER BY q.session_date, q.summary_id"
)
# A summary's row changes when its next session arrives only through its action items.
_SUMMARY_ROWS = _SUMMARIES.format(
    day=_DAY,
    visible=_VISIBLE,
    since=_SINCE,
    next_changed=sql.SQL("NULL"),
    next_turns=sql.SQL("NULL::jsonb"),
)
# The client's and the coach's turns of the next session, in the row itself: one query
# for the whole stream rather than one per summary.
_NEXT_TURNS = sql.SQL(
    "(SELECT COALESCE(jsonb_agg(jsonb_build_object('index', t.turn_index,"
    " 'speaker', t.speaker, 'start', t.start_seconds, 'end', t.end_seconds, 'text', t.text)"
    " ORDER BY t.turn_index), '[]') FROM session_turns t"
    " WHERE t.organization_id = su.organization_id AND t.session_id = f.next_session_id"
    " AND (t.speaker = f.next_speaker OR t.speaker = f.next_coach_name))"
)
_ACTION_ITEM_ROWS = _SUMMARIES.format(
    day=_DAY,
    visible=_VISIBLE,
    since=_SINCE,
    next_changed=sql.SQL("f.next_changed"),
    next_turns=_NEXT_TURNS,
)


class PostgresExportRows:
    def __init__(self, database: Database) -> None:
        self._db = database

    def rows(
        self,
        org: uuid.UUID,
        entity: str,
        *,
        coach_ids: CoachIds,
        since: dt.datetime | None,
        include_sensitive: bool,
    ) -> Iterator[dict[str, Any]]:
        if entity not in SCHEMAS:
            raise ValueError(f"Unknown export entity {entity!r}.")
        query = {
            "sessions": _SESSIONS,
            "clients": _CLIENTS,
            "summaries": _SUMMARY_ROWS,
            "action_items": _ACTION_ITEM_ROWS,
        }[entity]
        parameters = {"org": org, "since": since, **coach_parameters(coach_ids)}
        names = SCHEMAS[entity].names
        with (
            self._db.transaction(org) as conn,
            conn.cursor(name=f"export_{entity}") as cursor,
        ):
            # The whole result is read: plan for all of it, not for the first tenth (a
            # cursor's default).
            conn.execute("SET LOCAL cursor_tuple_fraction = 1.0")
            cursor.itersize = BATCH_ROWS
            cursor.execute(query, parameters)
            for raw in cursor:
                if entity == "action_items":
                    for item in _action_items(raw, include_sensitive):
                        yield {name: item[name] for name in names}
                    continue
                shaped = _shape(entity, raw, include_sensitive)
                yield {name: shaped[name] for name in names}


def _shape(entity: str, raw: dict[str, Any], include_sensitive: bool) -> dict[str, Any]:
    if entity == "sessions":
        if raw["flagged"] and not include_sensitive:
            return {**raw, "overview": None}
        return raw
    if entity == "clients":
        return {**raw, "tags": list(raw["tags"] or [])}
    content = raw["content"] or {}
    flagged = frozenset(raw["flagged_turns"] or ())
    items = _current_action_items(content)
    return {
        **raw,
        "summary_id": str(raw["summary_id"]),
        "session_id": str(raw["session_id"]),
        "client_id": str(raw["client_id"]),
        "coach_id": _text(raw["coach_id"]),
        "wins": _texts(content.get("wins"), flagged, include_sensitive),
        "challenges": _texts(content.get("challenges"), flagged, include_sensitive),
        "recommendations": _texts(content.get("coach_recommendations"), flagged, include_sensitive),
        "action_item_count": sum(
            1 for item in items if include_sensitive or not _rests_on(item, flagged)
        ),
        "priority_reasons": [
            str(reason.get("code"))
            for reason in raw["priority_reasons"] or []
            if isinstance(reason, dict)
        ],
    }


def _action_items(raw: dict[str, Any], include_sensitive: bool) -> Iterator[dict[str, Any]]:
    flagged = frozenset(raw["flagged_turns"] or ())
    items = _current_action_items(raw["content"] or {})
    wanted = [
        (position, item)
        for position, item in enumerate(items)
        if include_sensitive or not _rests_on(item, flagged)
    ]
    if not wanted:
        return
    reports = None
    if raw["next_session_id"] is not None:
        turns = [Turn.model_validate(turn) for turn in raw["next_turns"] or []]
        reports = reports_in(turns, raw["next_speaker"], sole_client=bool(raw["next_sole_client"]))
    for position, item in wanted:
        text = str(item.get("text") or "")
        yield {
            "action_item_id": str(
                uuid.uuid5(ACTION_ITEM_NAMESPACE, f"{raw['summary_id']}/{position}")
            ),
            "summary_id": str(raw["summary_id"]),
            "session_id": str(raw["session_id"]),
            "client_id": str(raw["client_id"]),
            "coach_id": _text(raw["coach_id"]),
            "position": position,
            "text": text,
            "owner": item.get("owner"),
            "due": _date(item.get("due")),
            "due_phrase": item.get("due_phrase"),
            "session_date": raw["session_date"],
            "kept": judge_commitment(text, reports).kept,
            "sensitive": _rests_on(item, flagged),
            "updated_at": raw["updated_at"],
        }


def _current_action_items(content: dict[str, Any]) -> list[dict[str, Any]]:
    items = content.get("action_items")
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _texts(items: Any, flagged: frozenset[int], include_sensitive: bool) -> list[str]:
    if not isinstance(items, list):
        return []
    return [
        str(item.get("text"))
        for item in items
        if isinstance(item, dict)
        and item.get("text")
        and (include_sensitive or not _rests_on(item, flagged))
    ]


def _rests_on(item: dict[str, Any], flagged: frozenset[int]) -> bool:
    evidence = item.get("evidence")
    return isinstance(evidence, list) and any(index in flagged for index in evidence)


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
