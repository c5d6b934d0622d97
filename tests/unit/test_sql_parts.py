"""The pieces the PostgreSQL adapters compose their SQL from: names always quoted."""

from __future__ import annotations

from coaching.adapters.postgres.sql_parts import assignments, columns
from coaching.adapters.postgres.visibility import visible_coaches


def test_a_column_list_quotes_each_name():
    # Given a constant column list as the adapters write it
    # When it is composed
    text = columns("id, organization_id,\n email").as_string()
    # Then every name is an identifier of its own, quoted
    assert text == '"id", "organization_id", "email"'


def test_a_name_that_is_not_a_plain_name_stays_one_identifier():
    # Given a name with SQL in it
    text = columns('name"; DROP TABLE clients; --').as_string()
    # Then it is quoted as one identifier (its quote doubled), never run as SQL
    assert text == '"name""; DROP TABLE clients; --"'


def test_assignments_take_positional_or_named_placeholders():
    assert assignments(["name", "status"]).as_string() == '"name" = %s, "status" = %s'
    assert assignments(["name"], named=True).as_string() == '"name" = %(name)s'


def test_the_visibility_condition_names_the_coach_column_of_a_table_alias():
    text = visible_coaches("s", "coach_id").as_string()
    assert text == '(%(all)s OR "s"."coach_id" = ANY(%(coaches)s::uuid[]))'
