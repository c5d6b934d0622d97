"""The pieces of an upload: the form parser, upload keys, file names, signed upload tokens."""

from __future__ import annotations

import base64
import datetime as dt
import uuid

import httpx
import pytest
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from coaching.adapters.local.objects import FolderObjectStore
from coaching.adapters.local.upload_tokens import UploadTokens
from coaching.api.multipart_form import read_form, request_body
from coaching.domain.errors import PayloadTooLarge, PermanentError, Unauthenticated
from coaching.usecases.ingest_drop import organization_of_key, upload_key, upload_of_key
from coaching.usecases.upload import safe_name

ORG, COACH, SESSION = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
# Computed at import: far enough ahead for a suite that runs for many minutes after collection.
LATER = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)


def multipart(files=None, data=None) -> tuple[str, bytes]:
    built = httpx.Request("POST", "https://api.test/", files=files, data=data)
    return built.headers["content-type"], built.read()


def problem_of(error: RequestValidationError) -> str:
    return ".".join(error.errors()[0]["loc"])


# -- the form ------------------------------------------------------------------------------


def test_a_form_gives_its_file_bytes_and_fields():
    binary = bytes(range(256)) * 4  # every byte value, CRLFs and dashes included
    content_type, body = multipart(
        files={"transcript": ("notes.docx", binary, "application/octet-stream")},
        data={"session_type": "group"},
    )
    form = read_form(content_type, body, max_file_bytes=10_000)
    assert form.files["transcript"].file_name == "notes.docx"
    assert form.files["transcript"].data == binary
    assert form.fields == {"session_type": "group"}


def test_a_file_over_the_limit_is_too_large():
    content_type, body = multipart(files={"transcript": ("a.vtt", b"x" * 101)})
    with pytest.raises(PayloadTooLarge):
        read_form(content_type, body, max_file_bytes=100)


@pytest.mark.parametrize(
    "content_type",
    [None, "application/json", "multipart/form-data", "text/plain; boundary=x"],
)
def test_anything_but_a_multipart_form_is_refused_naming_the_header(content_type):
    with pytest.raises(RequestValidationError) as raised:
        read_form(content_type, b"{}", max_file_bytes=100)
    assert problem_of(raised.value) == "header.content-type"


def test_a_cut_off_form_has_no_file_and_garbage_is_refused_naming_the_body():
    content_type, body = multipart(files={"transcript": ("a.vtt", b"WEBVTT\n" * 20)})
    # Cut off inside the file: no file arrived (the route then names the missing field)
    assert read_form(content_type, body[: len(body) // 2], max_file_bytes=10_000).files == {}
    with pytest.raises(RequestValidationError) as raised:
        read_form(content_type, b"garbage", max_file_bytes=10_000)
    assert problem_of(raised.value) == "body"


def test_an_oversized_field_is_refused_naming_it():
    content_type, body = multipart(
        files={"transcript": ("a.vtt", b"WEBVTT")}, data={"session_type": "g" * 5000}
    )
    with pytest.raises(RequestValidationError) as raised:
        read_form(content_type, body, max_file_bytes=10_000)
    assert problem_of(raised.value) == "body.session_type"


def test_bodies_arrive_base64_encoded_or_as_text():
    assert request_body(base64.b64encode(b"\x00\xff").decode(), True) == b"\x00\xff"
    assert request_body("WEBVTT", False) == b"WEBVTT"
    assert request_body(None, True) == b""
    with pytest.raises(RequestValidationError):
        request_body("not base64!", True)


# -- keys and names ------------------------------------------------------------------------


def test_an_upload_key_names_organization_coach_and_session():
    key = upload_key(ORG, COACH, SESSION, "a.vtt")
    assert key == f"incoming/{ORG}/{COACH}/{SESSION}/a.vtt"
    assert upload_of_key(key) == (COACH, SESSION)
    assert organization_of_key(key, uuid.uuid4()) == ORG
    assert upload_of_key(upload_key(ORG, None, SESSION, "a.vtt")) == (None, SESSION)


@pytest.mark.parametrize(
    "key",
    [
        "incoming/a.vtt",
        f"incoming/{ORG}/a.vtt",
        f"incoming/{ORG}/march/{SESSION}/a.vtt",
        f"incoming/{ORG}/{COACH}/not-a-session/a.vtt",
        f"incoming/{ORG}/{COACH}/{SESSION}/deeper/a.vtt",
    ],
)
def test_other_drops_are_not_uploads(key):
    assert upload_of_key(key) is None


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("Team leads.vtt", "Team_leads.vtt"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\notes.docx", "notes.docx"),
        ("...", "transcript"),
        ("Zoë's call.vtt", "Zo_s_call.vtt"),
    ],
)
def test_file_names_become_plain_key_segments(given, safe):
    assert safe_name(given) == safe


# -- local upload tokens -------------------------------------------------------------------


def test_a_token_grants_its_key_and_size_until_it_expires():
    tokens = UploadTokens(b"k" * 32)
    grant = tokens.verify(tokens.issue("incoming/x/a.vtt", 100, LATER))
    assert (grant.key, grant.max_bytes) == ("incoming/x/a.vtt", 100)
    expired = tokens.issue("incoming/x/a.vtt", 100, dt.datetime.now(dt.UTC) - dt.timedelta(1))
    with pytest.raises(Unauthenticated, match="expired"):
        tokens.verify(expired)


def test_a_token_of_another_key_or_a_sign_in_token_is_refused():
    import jwt

    token = UploadTokens(b"k" * 32).issue("incoming/x/a.vtt", 100, LATER)
    with pytest.raises(Unauthenticated):
        UploadTokens(b"other key" * 4).verify(token)
    # Signed with the raw signing key (as sign-in tokens are): not an upload token
    sign_in = jwt.encode({"sub": "x", "exp": LATER}, b"k" * 32, algorithm="HS256")
    with pytest.raises(Unauthenticated):
        UploadTokens(b"k" * 32).verify(sign_in)


def test_the_folder_store_issues_put_urls_to_coach_serve(tmp_path):
    store = FolderObjectStore(
        tmp_path, upload_base_url="http://127.0.0.1:8000/", upload_tokens=UploadTokens(b"k" * 32)
    )
    target = store.upload_target("incoming/x/a.vtt", 100, 60)
    assert target.method == "PUT"
    assert target.url.startswith("http://127.0.0.1:8000/uploads/")
    assert store.accept_upload(target.url.rsplit("/", 1)[-1]).key == "incoming/x/a.vtt"
    with pytest.raises(PermanentError):
        store.upload_target("../outside", 100, 60)
    with pytest.raises(PermanentError):
        FolderObjectStore(tmp_path).upload_target("incoming/x/a.vtt", 100, 60)


def test_the_folder_store_deletes_a_file_and_its_empty_session_folder(tmp_path):
    store = FolderObjectStore(tmp_path)
    store.put("transcripts/org/session/a.vtt", b"x")
    store.put("transcripts/org/other/b.vtt", b"y")
    assert store.delete("transcripts/org/session/a.vtt") is True
    assert not (tmp_path / "transcripts/org/session").exists()
    assert store.exists("transcripts/org/other/b.vtt")
    assert store.delete("transcripts/org/session/a.vtt") is False
