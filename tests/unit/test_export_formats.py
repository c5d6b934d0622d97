"""Each format read back equals the rows written: JSON and JSON Lines with json, CSV with
csv (BOM or not), Parquet with pyarrow (typed columns, one file per month)."""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from coaching.exports.formats import arrow_schema, csv_value, write_entity
from coaching.exports.schemas import SCHEMA_VERSION, SCHEMAS, Column, EntitySchema

pytestmark = pytest.mark.unit

UTC = dt.UTC
# Every column type, with the awkward values: nulls, commas, quotes, newlines, non-ASCII.
EVERY_TYPE = EntitySchema(
    "summaries",
    1,
    (
        Column("summary_id", "string", "id"),
        Column("note", "string", "text"),
        Column("count", "integer", "n"),
        Column("score", "float", "x"),
        Column("flag", "boolean", "b"),
        Column("session_date", "date", "d"),
        Column("at", "timestamp", "t"),
        Column("extra", "json", "j"),
        Column("items", "string_list", "l"),
    ),
)
ROWS = [
    {
        "summary_id": "a1",
        "note": 'Said "no", then, yes\nnext line — café',
        "count": 3,
        "score": 0.25,
        "flag": True,
        "session_date": dt.date(2026, 10, 30),
        "at": dt.datetime(2026, 10, 30, 9, 15, 1, 123000, tzinfo=UTC),
        "extra": {"k": [1, "two"]},
        "items": ["win one", "a, b"],
    },
    {
        "summary_id": "a2",
        "note": None,
        "count": None,
        "score": None,
        "flag": False,
        "session_date": dt.date(2026, 11, 2),
        "at": None,
        "extra": None,
        "items": [],
    },
    {
        "summary_id": "a3",
        "note": "third",
        "count": 0,
        "score": 1.0,
        "flag": None,
        "session_date": dt.date(2026, 11, 28),
        "at": dt.datetime(2026, 11, 28, 23, 0, tzinfo=UTC),
        "extra": [],
        "items": ["x"],
    },
]


class MemoryFiles:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    @contextlib.contextmanager
    def open_write(self, path: str) -> Iterator[io.BytesIO]:
        buffer = io.BytesIO()
        yield buffer
        self.files[path] = buffer.getvalue()


def written(format, schema=EVERY_TYPE, rows=ROWS, **options):
    files = MemoryFiles()
    result = write_entity(format, schema, iter(rows), files.open_write, **options)
    for file in result:
        assert hashlib.sha256(files.files[file.path]).hexdigest() == file.sha256
        assert len(files.files[file.path]) == file.bytes
    assert set(files.files) == {file.path for file in result}
    return result, files.files


def test_json_is_one_document_that_reads_back():
    result, files = written("json")
    assert [(f.path, f.rows) for f in result] == [("summaries.json", 3)]
    document = json.loads(files["summaries.json"])
    assert (document["entity"], document["version"]) == ("summaries", 1)
    assert document["schema_version"] == SCHEMA_VERSION
    assert document["rows"] == [_as_json(row) for row in ROWS]


def test_json_lines_are_one_row_each():
    result, files = written("jsonl")
    assert result[0].path == "summaries.jsonl"
    lines = files["summaries.jsonl"].decode().splitlines()
    assert [json.loads(line) for line in lines] == [_as_json(row) for row in ROWS]


@pytest.mark.parametrize("bom", [False, True])
def test_csv_reads_back_in_the_schemas_column_order(bom):
    result, files = written("csv", bom=bom, path_prefix="run-1/")
    assert [(f.path, f.rows) for f in result] == [("run-1/summaries.csv", 3)]
    data = files["run-1/summaries.csv"]
    assert data.startswith(codecs.BOM_UTF8) == bom
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    header, *lines = list(reader)
    assert header == list(EVERY_TYPE.names)
    columns = EVERY_TYPE.columns
    back = [
        {c.name: csv_value(c, cell) for c, cell in zip(columns, line, strict=True)}
        for line in lines
    ]
    assert back == ROWS


def test_parquet_has_typed_columns_one_file_per_month():
    result, files = written("parquet")
    assert [(f.path, f.rows) for f in result] == [
        ("summaries/month=2026-10/part-0.parquet", 1),
        ("summaries/month=2026-11/part-0.parquet", 2),
    ]
    tables = [pq.read_table(pa.BufferReader(files[f.path])) for f in result]
    for table in tables:
        assert table.schema == arrow_schema(EVERY_TYPE)
    assert tables[1].schema.field("at").type == pa.timestamp("us", tz="UTC")
    back = [row for table in tables for row in table.to_pylist()]
    expected = [{**row, "extra": _json_text(row["extra"])} for row in ROWS]
    assert back == expected


def test_an_empty_entity_still_has_its_header_or_document():
    schema = SCHEMAS["sessions"]
    _, files = written("csv", schema=schema, rows=[])
    assert files["sessions.csv"].decode().strip() == ",".join(schema.names)
    _, files = written("json", schema=schema, rows=[])
    assert json.loads(files["sessions.json"])["rows"] == []
    result, files = written("parquet", schema=schema, rows=[])
    assert (result, files) == ([], {})


def test_a_big_month_is_written_in_several_row_groups(monkeypatch):
    monkeypatch.setattr("coaching.exports.formats.PARQUET_BATCH_ROWS", 2)
    rows = [{**ROWS[2], "summary_id": f"r{i}"} for i in range(5)]
    result, files = written("parquet", rows=rows)
    assert [f.rows for f in result] == [5]
    parquet = pq.ParquetFile(pa.BufferReader(files[result[0].path]))
    assert parquet.metadata.num_row_groups == 3
    assert [r["summary_id"] for r in parquet.read().to_pylist()] == [f"r{i}" for i in range(5)]


def _as_json(row: dict) -> dict:
    return json.loads(json.dumps(row, default=lambda v: v.isoformat()))


def _json_text(value):
    return None if value is None else json.dumps(value, separators=(",", ":"))


def test_one_month_file_is_open_at_a_time_and_a_month_coming_back_gets_a_part(monkeypatch):
    opened: list[str] = []
    files = MemoryFiles()

    @contextlib.contextmanager
    def open_write(path):
        opened.append(path)
        assert len(opened) - len(files.files) == 1, "another month's file is still open"
        with files.open_write(path) as file:
            yield file

    october, november = ROWS[0], ROWS[1]
    rows = [october, november, {**october, "summary_id": "late"}]
    result = write_entity("parquet", EVERY_TYPE, iter(rows), open_write)
    assert [(f.path, f.rows) for f in result] == [
        ("summaries/month=2026-10/part-0.parquet", 1),
        ("summaries/month=2026-11/part-0.parquet", 1),
        ("summaries/month=2026-10/part-1.parquet", 1),
    ]


def test_a_failing_row_source_leaves_no_finished_parquet_file():
    files = MemoryFiles()

    def rows():
        yield ROWS[0]
        raise OSError("the database went away")

    with pytest.raises(OSError):
        write_entity("parquet", EVERY_TYPE, rows(), files.open_write)
    assert files.files == {}
