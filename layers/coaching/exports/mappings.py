"""Field mappings: what an exported row becomes on its way out, per entity.

Two kinds:
- **ready-made CRM mappings**, ``HUBSPOT`` and ``SALESFORCE``: each entity a CRM takes
  becomes that CRM's object (``target``) with its documented property names; only the named
  properties go out (a CRM refuses ones it does not have), computed where the CRM wants one
  field from several columns (a note's body from a summary's lists). Clients become contacts,
  approved summaries notes, action items tasks; sessions are not pushed. The same rows serve
  HubSpot's CSV import: one file per object, the headers being the property names, each with
  ``coaching_external_id`` and, for notes and tasks, the client's id in
  ``contact_coaching_external_id`` (mapped to the contact's ``coaching_external_id`` when
  importing, to associate them).
- **a user's own mapping** (saved by name, ports/export_mappings.py): renames and omits
  columns, per entity; an entity it does not name goes out as it is. ``validated`` refuses
  one naming a column its entity does not have.

``apply(mapping, entity, row)`` does it for one row. Values keep their Python types here
(dates stay dates): each format writer, or the CRM push, renders them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from coaching.domain.errors import MappingInvalid
from coaching.exports.schemas import SCHEMAS
from coaching.ports.crm import CrmRecord
from coaching.ports.export_mappings import MappingRule, SavedMapping

Row = dict[str, Any]
# The property a CRM record is upserted by (HubSpot's unique property; Salesforce's External
# ID field is Coaching_External_Id__c, set by its pusher).
EXTERNAL_ID = "coaching_external_id"
# In HubSpot's CSV import layout, a note's or task's client: a column, never a property.
CONTACT_REFERENCE = "contact_coaching_external_id"


@dataclass(frozen=True)
class EntityMapping:
    renames: dict[str, str] = field(default_factory=dict)  # column -> output name
    omits: frozenset[str] = frozenset()
    constants: dict[str, Any] = field(default_factory=dict)  # the same value on every row
    # Computed output fields, from the whole row (a CRM's one field from several columns).
    derived: Callable[[Row], Row] | None = None
    # Only the renamed, derived and constant fields go out (what a CRM knows), not the rest.
    only_named: bool = False
    # The CRM object the rows become (HubSpot ``contacts``, Salesforce ``Contact``).
    target: str | None = None
    # The column holding the client a note or a task is about: associated with its contact.
    contact_column: str | None = None


@dataclass(frozen=True)
class Mapping:
    name: str
    entities: dict[str, EntityMapping]
    crm: str | None = None  # "hubspot" or "salesforce" for the ready-made ones

    def maps(self, entity: str) -> bool:
        return entity in self.entities


def apply(mapping: Mapping, entity: str, row: Row) -> Row:
    """The row as the mapping writes it; an entity the mapping does not name is unchanged."""
    rule = mapping.entities.get(entity)
    if rule is None:
        return dict(row)
    out: Row = {}
    for column, value in row.items():
        if column in rule.omits:
            continue
        if column in rule.renames:
            out[rule.renames[column]] = value
        elif not rule.only_named:
            out[column] = value
    if rule.derived is not None:
        out.update(rule.derived(row))
    out.update(rule.constants)
    return out


def crm_record(mapping: Mapping, entity: str, row: Row) -> CrmRecord:
    """The row as a CRM record: its external id the entity's key (the row's own id), its
    properties the mapping's, rendered as JSON values (dates ISO 8601, lists one string)."""
    rule = mapping.entities[entity]
    properties = apply(mapping, entity, row)
    for reference in (EXTERNAL_ID, CONTACT_REFERENCE):
        properties.pop(reference, None)
    contact = row.get(rule.contact_column) if rule.contact_column else None
    return CrmRecord(
        external_id=str(row[SCHEMAS[entity].key]),
        properties={name: _json_value(value) for name, value in properties.items()},
        contact_external_id=str(contact) if contact else None,
    )


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    return value


# -- a user's mapping ------------------------------------------------------------------------


def validated(saved: SavedMapping) -> SavedMapping:
    """The mapping, once every entity and column it names exists and no two columns end up
    with one name; MappingInvalid saying which otherwise."""
    if not saved.name.strip() or len(saved.name) > 100:
        raise MappingInvalid("A mapping needs a name of 1 to 100 characters.")
    if saved.name.lower() in READY_MADE:
        raise MappingInvalid(
            f"'{saved.name}' is a ready-made mapping's name.", hint="Choose another name."
        )
    seen: set[str] = set()
    for rule in saved.rules:
        if rule.entity in seen:
            raise MappingInvalid(f"The mapping names the entity '{rule.entity}' twice.")
        seen.add(rule.entity)
        _check_rule(rule)
    return saved


def _check_rule(rule: MappingRule) -> None:
    schema = SCHEMAS.get(rule.entity)
    if schema is None:
        raise MappingInvalid(
            f"There is no entity '{rule.entity}'.", hint=f"Entities: {', '.join(SCHEMAS)}."
        )
    known = schema.names
    for column in [*rule.renames, *rule.omits]:
        if column not in known:
            raise MappingInvalid(
                f"{rule.entity} has no column '{column}'.",
                hint=f"Its columns: {', '.join(known)}.",
            )
    names = [rule.renames.get(c, c) for c in known if c not in rule.omits]
    if any(not name.strip() for name in names):
        raise MappingInvalid(f"A column of {rule.entity} is renamed to an empty name.")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise MappingInvalid(
            f"Two columns of {rule.entity} would both be called '{duplicates[0]}'.",
            hint="Rename or omit one of them.",
        )


def from_saved(saved: SavedMapping) -> Mapping:
    return Mapping(
        saved.name,
        {
            rule.entity: EntityMapping(renames=dict(rule.renames), omits=frozenset(rule.omits))
            for rule in saved.rules
        },
    )


# -- HubSpot ---------------------------------------------------------------------------------


def _name_parts(name: Any) -> tuple[str, str]:
    """First and last name from one name ("Jordan Reyes" -> Jordan, Reyes; "Jordan" ->
    "", Jordan: both CRMs want a last name most)."""
    parts = str(name or "").split()
    if len(parts) < 2:
        return "", " ".join(parts)
    return " ".join(parts[:-1]), parts[-1]


def _summary_text(row: Row) -> str:
    """A summary as a note's plain text: what the coach approved, and the figures."""
    lines = [f"Coaching session {_iso(row.get('session_date')) or ''}".strip()]
    for title, column in (
        ("Wins", "wins"),
        ("Challenges", "challenges"),
        ("Recommendations", "recommendations"),
    ):
        items = row.get(column) or []
        if items:
            lines.append(f"{title}:")
            lines.extend(f"- {item}" for item in items)
    figures = [
        f"Engagement: {row['engagement_level']}" if row.get("engagement_level") else "",
        f"Follow-up priority: {row['priority_score']:.2f}"
        if isinstance(row.get("priority_score"), int | float)
        else "",
        f"Action items: {row['action_item_count']}" if row.get("action_item_count") else "",
    ]
    lines.extend(figure for figure in figures if figure)
    return "\n".join(lines)


def _item_text(row: Row) -> str:
    details = [
        f"Owner: {row['owner']}" if row.get("owner") else "",
        f"Due: {row['due_phrase']}" if row.get("due_phrase") else "",
        f"Committed to in the session of {_iso(row['session_date'])}"
        if row.get("session_date")
        else "",
        f"Kept: {row['kept']}" if row.get("kept") else "",
    ]
    return "\n".join(detail for detail in details if detail)


def _iso(value: Any) -> str | None:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return None if value is None else str(value)


def _midnight_utc(value: Any) -> str | None:
    """A date as the instant HubSpot's datetime properties (hs_timestamp) take."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00Z"
    return None


def _hubspot_contact(row: Row) -> Row:
    first, last = _name_parts(row.get("name"))
    return {"firstname": first, "lastname": last}


def _hubspot_note(row: Row) -> Row:
    when = row.get("approved_at") or row.get("session_date")
    return {
        "hs_note_body": _summary_text(row),
        "hs_timestamp": _midnight_utc(when),
        CONTACT_REFERENCE: row.get("client_id"),
    }


def _hubspot_task(row: Row) -> Row:
    due = row.get("due") or row.get("session_date")
    return {
        "hs_task_subject": str(row.get("text") or "Action item")[:250],
        "hs_task_body": _item_text(row),
        "hs_timestamp": _midnight_utc(due),
        "hs_task_status": "COMPLETED" if row.get("kept") == "kept" else "NOT_STARTED",
        "hs_task_type": "TODO",
        CONTACT_REFERENCE: row.get("client_id"),
    }


HUBSPOT = Mapping(
    "hubspot",
    {
        "clients": EntityMapping(
            renames={"client_id": EXTERNAL_ID, "email": "email"},
            derived=_hubspot_contact,
            only_named=True,
            target="contacts",
        ),
        "summaries": EntityMapping(
            renames={"summary_id": EXTERNAL_ID},
            derived=_hubspot_note,
            only_named=True,
            target="notes",
            contact_column="client_id",
        ),
        "action_items": EntityMapping(
            renames={"action_item_id": EXTERNAL_ID},
            derived=_hubspot_task,
            only_named=True,
            target="tasks",
            contact_column="client_id",
        ),
    },
    crm="hubspot",
)


# -- Salesforce ------------------------------------------------------------------------------


def _salesforce_contact(row: Row) -> Row:
    first, last = _name_parts(row.get("name"))
    return {"FirstName": first or None, "LastName": last or "(no name)"}


def _salesforce_note(row: Row) -> Row:
    # The pusher ends the title with the summary's id: how it finds the Note again.
    date = _iso(row.get("session_date"))
    return {
        "Title": f"Coaching summary {date}" if date else "Coaching summary",
        "Body": _summary_text(row)[:32000],
        "IsPrivate": False,
    }


def _salesforce_task(row: Row) -> Row:
    kept = row.get("kept") == "kept"
    return {
        "Subject": str(row.get("text") or "Action item")[:255],
        "Description": _item_text(row),
        "ActivityDate": _iso(row.get("due")),
        "Status": "Completed" if kept else "Not Started",
        "Priority": "Normal",
    }


SALESFORCE = Mapping(
    "salesforce",
    {
        "clients": EntityMapping(
            renames={"email": "Email"},
            derived=_salesforce_contact,
            only_named=True,
            target="Contact",
        ),
        "summaries": EntityMapping(
            derived=_salesforce_note,
            only_named=True,
            target="Note",
            contact_column="client_id",
        ),
        "action_items": EntityMapping(
            derived=_salesforce_task,
            only_named=True,
            target="Task",
            contact_column="client_id",
        ),
    },
    crm="salesforce",
)

READY_MADE: dict[str, Mapping] = {"hubspot": HUBSPOT, "salesforce": SALESFORCE}
