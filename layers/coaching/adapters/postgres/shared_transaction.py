"""Transactions on PostgreSQL: one per pipeline step instead of one per storage call.

Why: a client's analysis made seven short transactions (the step ledger's check, the session,
the turns' hash, the speakers, the labels, the results, the ledger's record), each taking a
pooled connection, BEGIN, the organization's scope and COMMIT: with the driver's round trips,
about a sixth of the pipeline's CPU. Inside ``scoped(org)`` every ``Database.transaction(org)``
of the same database and organization joins one transaction, opened on first use and scoped to
the organization as every transaction is (row-level security). A call for another organization,
or a system task (no organization), still gets a transaction of its own, so nothing ever runs
under the wrong scope. The shared transaction belongs to the running context (a ContextVar):
each thread, as each Map iteration the local interpreter runs on one, has its own.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from contextvars import ContextVar
from typing import Any

import psycopg

Opener = Callable[[uuid.UUID], AbstractContextManager[psycopg.Connection]]


class SharedTransaction:
    """The transaction a scope's calls share: opened by the first, ended by the scope."""

    def __init__(self, database: object, org: uuid.UUID, open_transaction: Opener) -> None:
        self.database = database
        self.org = org
        self._open_transaction = open_transaction
        self._open: contextlib.ExitStack | None = None
        self._conn: psycopg.Connection | None = None

    def connection(self) -> psycopg.Connection:
        if self._conn is None:
            with contextlib.ExitStack() as opening:
                self._conn = opening.enter_context(self._open_transaction(self.org))
                self._open = opening.pop_all()
        return self._conn

    def end(self, error: BaseException | None = None) -> None:
        """Commits (no error) or rolls back what the scope did, and frees the connection."""
        if self._open is None:
            return
        ending, self._open, self._conn = self._open, None, None
        if error is None:
            ending.close()
        else:
            ending.__exit__(type(error), error, error.__traceback__)


_current: ContextVar[SharedTransaction | None] = ContextVar("shared_transaction", default=None)


def joined_transaction(database: object, org: uuid.UUID | None) -> SharedTransaction | None:
    """The running scope's transaction when it is this database's and organization's."""
    shared = _current.get()
    if shared is None or org is None or shared.database is not database or shared.org != org:
        return None
    return shared


class PostgresTransactions:
    """The Transactions port over one database's pool (``database``: a ``Database``)."""

    def __init__(self, database: Any) -> None:
        self._db = database

    @contextlib.contextmanager
    def scoped(self, org: uuid.UUID) -> Iterator[None]:
        if joined_transaction(self._db, org) is not None:
            yield  # already inside this scope: the outer one ends it
            return
        shared = SharedTransaction(self._db, org, self._db.new_transaction)
        token = _current.set(shared)
        try:
            yield
        except BaseException as error:
            shared.end(error)
            raise
        finally:
            _current.reset(token)
        shared.end()  # commits (a lost connection: TransientError, as in new_transaction)

    @contextlib.contextmanager
    def outside(self) -> Iterator[None]:
        shared = _current.get()
        if shared is None or shared.database is not self._db:
            yield
            return
        shared.end()
        # Calls made meanwhile get a transaction each, as outside any scope; after the block,
        # the next call opens the scope's next transaction.
        token = _current.set(None)
        try:
            yield
        finally:
            _current.reset(token)
