"""Pieces of SQL composed with psycopg.sql: names are quoted as identifiers, never spliced in
as text, so no statement is built from a string a caller could have written."""

from __future__ import annotations

from collections.abc import Iterable

from psycopg import sql


def columns(names: str) -> sql.Composed:
    """A select (or insert, or returning) list from plain column names, as ``"a, b, c"``."""
    return sql.SQL(", ").join(sql.Identifier(name.strip()) for name in names.split(","))


def assignments(names: Iterable[str], *, named: bool = False) -> sql.Composed:
    """``name = %s, ...`` for an UPDATE's SET; ``named``: ``name = %(name)s`` instead."""
    return sql.SQL(", ").join(
        sql.SQL("{} = {}").format(
            sql.Identifier(name), sql.Placeholder(name) if named else sql.Placeholder()
        )
        for name in names
    )
