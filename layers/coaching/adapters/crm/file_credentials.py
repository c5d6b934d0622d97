"""A CRM's token in a file of its own, locally: ``$COACH_HOME/secrets/crm-<kind>.json``.

Written with mode 0600 (the owner only) and replaced atomically, so a refresh never leaves
half a file; the folder is made 0700.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from coaching.domain.errors import CrmNotConnected
from coaching.ports.crm import CrmToken


class FileCrmCredentials:
    def __init__(self, secrets_dir: Path, kind: str) -> None:
        self.kind = kind
        self.path = secrets_dir / f"crm-{kind}.json"

    def load(self) -> CrmToken:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return CrmToken.from_json(data)
        except (OSError, ValueError, KeyError, TypeError):
            raise CrmNotConnected(
                f"No {self.kind} token is stored.",
                hint=f"Save its OAuth token as JSON in {self.path} (mode 0600).",
            ) from None

    def save(self, token: CrmToken) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".crm-")
        try:
            os.fchmod(descriptor, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                json.dump(token.to_json(), file)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
