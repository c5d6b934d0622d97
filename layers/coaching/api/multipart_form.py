"""A multipart/form-data request body, read with python-multipart.

Not Powertools' File()/Form() parameters: their own parser runs before the route can refuse a
body that is too large or name the field that is missing, and it splits on the boundary by
hand. The route's OpenAPI document still describes the form (see sessions.UPLOAD_FORM).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from python_multipart.exceptions import FormParserError, MultipartParseError
from python_multipart.multipart import Field, File, FormParser, parse_options_header

from coaching.domain.errors import PayloadTooLarge

MULTIPART = "multipart/form-data"
# Room for the boundaries, part headers and the small fields around the file.
FORM_ALLOWANCE = 64 * 1024
_MAX_FIELD_BYTES = 1024


@dataclass
class UploadedFile:
    file_name: str
    data: bytes


@dataclass
class FormData:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)


def invalid(location: str, problem: str) -> RequestValidationError:
    """A 422 in the API's shape, naming the field (app.py maps it)."""
    return RequestValidationError([{"loc": tuple(location.split(".")), "msg": problem}])


def request_body(body: str | None, is_base64: bool) -> bytes:
    """The raw bytes: API Gateway (and the local gateway) send binary bodies base64-encoded."""
    if not body:
        return b""
    if not is_base64:
        return body.encode("utf-8")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise invalid("body", "The body is not valid base64.") from None


def too_large(max_file_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The transcript is larger than the {max_file_bytes // (1024 * 1024)} MB limit.",
        hint="Split the transcript, or remove attachments, and upload it again.",
    )


def read_form(content_type: str | None, body: bytes, max_file_bytes: int) -> FormData:
    kind, options = parse_options_header(content_type or "")
    if kind.decode("latin-1").lower() != MULTIPART or not options.get(b"boundary"):
        raise invalid("header.content-type", f"Send the form as {MULTIPART} with a boundary.")
    if len(body) > max_file_bytes + FORM_ALLOWANCE:
        raise too_large(max_file_bytes)
    form = FormData()
    oversized: list[str] = []

    def on_field(part: Field) -> None:
        name = (part.field_name or b"").decode("utf-8", "replace")
        value = part.value or b""
        if len(value) > _MAX_FIELD_BYTES:
            oversized.append(name)
            return
        form.fields[name] = value.decode("utf-8", "replace")

    def on_file(part: File) -> None:
        name = (part.field_name or b"").decode("utf-8", "replace")
        part.file_object.seek(0)
        form.files[name] = UploadedFile(
            file_name=(part.file_name or b"").decode("utf-8", "replace"),
            data=part.file_object.read(),
        )
        part.close()

    parser = FormParser(
        MULTIPART,
        on_field,
        on_file,
        boundary=options[b"boundary"],
        # In memory, never in a temporary file: a transcript is client data.
        config={"MAX_MEMORY_FILE_SIZE": max_file_bytes + FORM_ALLOWANCE},
    )
    try:
        parser.write(body)
        parser.finalize()
    except (MultipartParseError, FormParserError, ValueError) as error:
        raise invalid("body", f"The form could not be read ({type(error).__name__}).") from None
    if oversized:
        raise invalid(f"body.{oversized[0]}", f"At most {_MAX_FIELD_BYTES} bytes.")
    for upload in form.files.values():
        if len(upload.data) > max_file_bytes:
            raise too_large(max_file_bytes)
    return form
