"""A CRM's token in a file of its own per organization, locally:
``$COACH_HOME/secrets/crm/<organization id>/<kind>.json`` (one organization's push can never
use another's token, as in AWS where each has its own secret).

Written with mode 0600 (the owner only) and replaced atomically, so a refresh never leaves
half a file; the folder is made 0700.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import uuid
from dataclasses import replace
from pathlib import Path

from coaching.domain.errors import CrmCredentialsUnreadable, CrmNotConnected
from coaching.ports.crm import CrmToken


class FileCrmCredentials:
    def __init__(self, secrets_dir: Path, org: uuid.UUID, kind: str) -> None:
        self.kind = kind
        self.path = token_path(secrets_dir, org, kind)

    def load(self) -> CrmToken:
        hint = f"Save its OAuth token as JSON in {self.path} (mode 0600)."
        try:
            text = self.path.read_text(encoding="utf-8")
            stored_at = dt.datetime.fromtimestamp(self.path.stat().st_mtime, dt.UTC)
        except FileNotFoundError:
            raise CrmNotConnected(f"No {self.kind} token is stored.", hint=hint) from None
        except OSError:
            raise CrmCredentialsUnreadable(
                f"The {self.kind} token file cannot be read.", hint=hint
            ) from None
        try:
            return replace(CrmToken.from_json(json.loads(text)), stored_at=stored_at)
        except (ValueError, KeyError, TypeError):
            raise CrmCredentialsUnreadable(
                f"The {self.kind} token file is not a token's JSON.", hint=hint
            ) from None

    def save(self, token: CrmToken) -> None:
        for folder in (self.path.parent.parent, self.path.parent):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".crm-")
        try:
            os.fchmod(descriptor, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                json.dump(token.to_json(), file)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def token_path(secrets_dir: Path, org: uuid.UUID, kind: str) -> Path:
    return secrets_dir / "crm" / str(org) / f"{kind}.json"
