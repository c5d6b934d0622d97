"""Streaming writers of an entity's rows, one per format: rows go out as they come, so a
large export never holds more than a batch.

* ``json``: one document per entity, ``{"entity", "version", "schema_version", "rows": [...]}``.
* ``jsonl``: one row per line.
* ``csv``: UTF-8 (a byte order mark with ``bom``, for spreadsheets), a header of the schema's
  columns in order; lists and JSON values as JSON text, booleans ``true``/``false``, nothing
  for a null.
* ``parquet``: typed columns (pyarrow), one file per month of the entity's date,
  ``<entity>/month=YYYY-MM/part-0.parquet`` (Hive partitioning: readers get ``month`` back).

Dates and timestamps are ISO 8601 in the text formats. Each file's SHA-256 is taken as its
bytes are written (no second read, which in AWS would be a second download).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

from coaching.exports.schemas import SCHEMA_VERSION, Column, EntitySchema

if TYPE_CHECKING:
    import pyarrow as pa

ExportFormat = Literal["json", "jsonl", "csv", "parquet"]
FORMATS: tuple[ExportFormat, ...] = ("json", "jsonl", "csv", "parquet")
# Rows per Parquet row group written at a time (memory per open month).
PARQUET_BATCH_ROWS = 10_000
# The date a row's Parquet partition (month) is taken from.
PARTITION_COLUMN = {
    "sessions": "session_date",
    "clients": "created_at",
    "summaries": "session_date",
    "action_items": "session_date",
}

Opener = Callable[[str], AbstractContextManager[BinaryIO]]


@dataclass(frozen=True)
class WrittenFile:
    path: str
    rows: int
    sha256: str
    bytes: int  # counted as written, like the checksum


def write_entity(
    format: ExportFormat,
    schema: EntitySchema,
    rows: Iterable[dict[str, Any]],
    open_write: Opener,
    *,
    path_prefix: str = "",
    bom: bool = False,
) -> list[WrittenFile]:
    """Writes ``rows`` (dicts in the schema's column order) through ``open_write``; the files
    written (none for an empty entity in Parquet, which has no month to name)."""
    if format == "parquet":
        return _write_parquet(schema, rows, open_write, path_prefix)
    path = f"{path_prefix}{schema.entity}.{format}"
    with open_write(path) as target:
        hashing = _HashingWriter(target)
        if format == "csv":
            count = _write_csv(schema, rows, hashing, bom=bom)
        elif format == "jsonl":
            count = _write_jsonl(rows, hashing)
        else:
            count = _write_json(schema, rows, hashing)
    return [WrittenFile(path, count, hashing.hexdigest(), hashing.tell())]


# --- text formats ---------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"Not JSON serialisable: {type(value).__name__}")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default, separators=(",", ":"))


def _write_json(schema: EntitySchema, rows: Iterable[dict[str, Any]], out: _HashingWriter) -> int:
    header = {"entity": schema.entity, "version": schema.version, "schema_version": SCHEMA_VERSION}
    out.write(_json(header)[:-1].encode() + b',"rows":[')
    count = 0
    for row in rows:
        out.write((b",\n" if count else b"\n") + _json(row).encode())
        count += 1
    out.write(b"\n]}\n")
    return count


def _write_jsonl(rows: Iterable[dict[str, Any]], out: _HashingWriter) -> int:
    count = 0
    for row in rows:
        out.write(_json(row).encode() + b"\n")
        count += 1
    return count


def _write_csv(
    schema: EntitySchema, rows: Iterable[dict[str, Any]], out: _HashingWriter, *, bom: bool
) -> int:
    if bom:
        out.write(codecs.BOM_UTF8)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)  # type: ignore[type-var]
    try:
        writer = csv.writer(text)
        writer.writerow(schema.names)
        count = 0
        for row in rows:
            writer.writerow([_csv_cell(column, row.get(column.name)) for column in schema.columns])
            count += 1
        text.flush()
    finally:
        text.detach()  # the target is the caller's to close
    return count


def _csv_cell(column: Column, value: Any) -> str:
    if value is None:
        return ""
    if column.type in ("string_list", "json"):
        return _json(value)
    if column.type == "boolean":
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


_CSV_READERS: dict[str, Callable[[str], Any]] = {
    "string_list": json.loads,
    "json": json.loads,
    "boolean": lambda cell: cell == "true",
    "integer": int,
    "float": float,
    "date": dt.date.fromisoformat,
    "timestamp": dt.datetime.fromisoformat,
}


def csv_value(column: Column, cell: str) -> Any:
    """A CSV cell read back as the column's value (what ``_csv_cell`` wrote); an empty cell
    is a null."""
    if cell == "":
        return None
    reader = _CSV_READERS.get(column.type)
    return reader(cell) if reader else cell


# --- Parquet --------------------------------------------------------------------------------


def arrow_schema(schema: EntitySchema) -> pa.Schema:
    import pyarrow as pa

    types = {
        "string": pa.string(),
        "integer": pa.int64(),
        "float": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "json": pa.string(),  # JSON text: Parquet has no "any"
        "string_list": pa.list_(pa.string()),
    }
    return pa.schema([pa.field(column.name, types[column.type]) for column in schema.columns])


def _write_parquet(
    schema: EntitySchema,
    rows: Iterable[dict[str, Any]],
    open_write: Opener,
    path_prefix: str,
) -> list[WrittenFile]:
    """Rows come in date order (the row source sorts by the partition's date), so one month's
    file is open at a time, and at most a batch of rows is held. Should a month come back
    after another, it gets a part of its own (``part-1``...), never an open file per month."""
    target_schema = arrow_schema(schema)
    partition_column = PARTITION_COLUMN.get(schema.entity)
    parts: dict[str, int] = {}  # parts written per month
    written: list[WrittenFile] = []
    current: _MonthFile | None = None
    try:
        for row in rows:
            month = _month(row.get(partition_column) if partition_column else None)
            if current is None or current.month != month:
                if current is not None:
                    written.append(current.close())
                    current = None
                part = parts.get(month, 0)
                parts[month] = part + 1
                path = f"{path_prefix}{schema.entity}/month={month}/part-{part}.parquet"
                current = _MonthFile(month, path, open_write, schema, target_schema)
            current.add(row)
    except BaseException as error:
        if current is not None:
            current.abandon(error)
        raise
    if current is not None:
        written.append(current.close())
    return written


class _MonthFile:
    """One month's Parquet file, written a row group (``PARQUET_BATCH_ROWS``) at a time."""

    def __init__(
        self,
        month: str,
        path: str,
        open_write: Opener,
        schema: EntitySchema,
        target_schema: pa.Schema,
    ) -> None:
        import pyarrow.parquet as pq

        self.month, self.path = month, path
        self._json_columns = [c.name for c in schema.columns if c.type == "json"]
        self._target_schema = target_schema
        self._stack = contextlib.ExitStack()
        self._hashing = _HashingWriter(self._stack.enter_context(open_write(path)))
        self._writer = pq.ParquetWriter(self._hashing, target_schema)
        self._batch: list[dict[str, Any]] = []
        self._rows = 0

    def add(self, row: dict[str, Any]) -> None:
        self._batch.append(row)
        if len(self._batch) >= PARQUET_BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if not self._batch:
            return
        batch = [
            {**row, **{name: _json_or_none(row[name]) for name in self._json_columns}}
            for row in self._batch
        ]
        self._writer.write_table(pa.Table.from_pylist(batch, schema=self._target_schema))
        self._rows += len(batch)
        self._batch = []

    def close(self) -> WrittenFile:
        try:
            self._flush()
            self._writer.close()
        except BaseException as error:
            self.abandon(error)
            raise
        self._stack.close()
        return WrittenFile(self.path, self._rows, self._hashing.hexdigest(), self._hashing.tell())

    def abandon(self, error: BaseException) -> None:
        """The file's context hears the error, so it never appears as a finished file."""
        self._stack.__exit__(type(error), error, error.__traceback__)


def _json_or_none(value: Any) -> str | None:
    return None if value is None else _json(value)


def _month(value: Any) -> str:
    if isinstance(value, dt.date | dt.datetime):
        return f"{value.year:04d}-{value.month:02d}"
    return "unknown"


# --- hashing as it writes ---------------------------------------------------------------------


class _HashingWriter(io.RawIOBase):
    """A write-only file that passes bytes on and hashes them (pyarrow and TextIOWrapper
    need a file object: write, tell, flush, closed)."""

    def __init__(self, target: BinaryIO) -> None:
        super().__init__()
        self._target = target
        self._hash = hashlib.sha256()
        self._size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._target.write(chunk)
        self._hash.update(chunk)
        self._size += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._size

    def flush(self) -> None:
        # Also called on close, perhaps after the target's own context has closed it.
        if not self.closed and not getattr(self._target, "closed", False):
            self._target.flush()

    def hexdigest(self) -> str:
        return self._hash.hexdigest()
