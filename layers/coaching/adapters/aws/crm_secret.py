"""A CRM's token in a Secrets Manager secret (AWS): read with GetSecretValue, a refreshed
token written back with PutSecretValue so the next invocation starts from it."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from coaching.adapters.aws.errors import translate
from coaching.domain.errors import CrmNotConnected
from coaching.ports.crm import CrmToken


class SecretsManagerCrmCredentials:
    def __init__(self, client: Any, secret_id: str, kind: str) -> None:
        self._client = client
        self._secret_id = secret_id
        self.kind = kind

    def load(self) -> CrmToken:
        try:
            answer = self._client.get_secret_value(SecretId=self._secret_id)
            token = CrmToken.from_json(json.loads(answer["SecretString"]))
            # The version's date: when this token was put (or last refreshed).
            return replace(token, stored_at=answer.get("CreatedDate"))
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code == "ResourceNotFoundException":
                raise self._not_connected() from None
            raise translate(error, f"reading the {self.kind} token") from None
        except (KeyError, ValueError, TypeError):
            # No value yet, or not the token's JSON: the secret exists, the connection not.
            raise self._not_connected() from None
        except BotoCoreError as error:
            raise translate(error, f"reading the {self.kind} token") from None

    def save(self, token: CrmToken) -> None:
        try:
            self._client.put_secret_value(
                SecretId=self._secret_id, SecretString=json.dumps(token.to_json())
            )
        except (ClientError, BotoCoreError) as error:
            raise translate(error, f"saving the {self.kind} token") from None

    def _not_connected(self) -> CrmNotConnected:
        return CrmNotConnected(
            f"No {self.kind} token is stored.",
            hint=f"Put its OAuth token as JSON in the secret {self._secret_id}.",
        )
