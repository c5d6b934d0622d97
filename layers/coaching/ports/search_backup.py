"""The search index's backup: what it reads from the passage store, what a restore writes
back, and where its files go (a folder locally, the exports bucket in AWS)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from coaching.domain.search import Passage


@dataclass(frozen=True)
class IndexedPassage:
    """A stored passage as a backup keeps it: the text and metadata, the vector (None: kept
    for keywords alone) and the model that made it, and when it was indexed."""

    passage: Passage
    vector: list[float] | None
    model: str | None
    indexed_at: dt.datetime


@dataclass(frozen=True)
class Standing:
    """Whether what a backup holds of some sessions and clients may come back: sessions and
    clients deleted or erased since are ``gone``; sessions changed or indexed again after the
    backup was taken (an erasure indexes its sessions again) are ``changed``."""

    sessions_gone: frozenset[uuid.UUID]
    sessions_changed: frozenset[uuid.UUID]
    clients_gone: frozenset[uuid.UUID]


class PassageBackupStore(Protocol):
    """The passage store as a backup and a restore see it."""

    def organizations(self) -> list[uuid.UUID]:
        """Every organization (the daily backup is a system job across them)."""
        ...

    def count(self, org: uuid.UUID) -> int:
        """How many passages the organization has stored."""
        ...

    def passages(self, org: uuid.UUID, *, size: int) -> Iterator[list[IndexedPassage]]:
        """Every stored passage of the organization, in id order, ``size`` at a time."""
        ...

    def upsert(self, org: uuid.UUID, passages: Sequence[IndexedPassage]) -> None:
        """Writes these passages as they are (vectors as stored), replacing any of the same
        id."""
        ...

    def standing(
        self,
        org: uuid.UUID,
        session_ids: Sequence[uuid.UUID],
        client_ids: Sequence[uuid.UUID],
        since: dt.datetime,
    ) -> Standing: ...


class BackupFiles(Protocol):
    """Where a backup's files are written (the shape of exports' ExportFiles, so either
    serves)."""

    def open_write(self, relative_path: str) -> AbstractContextManager[BinaryIO]: ...


class BackupSource(Protocol):
    """Where a restore reads a backup's files from."""

    def open_read(self, relative_path: str) -> AbstractContextManager[BinaryIO]:
        """Raises FileNotFoundError when there is no such file."""
        ...
