"""One CRM's HTTP session: the bearer token, one refresh when it has expired, and bounded
retries when the CRM says "too many requests" or fails (5xx, the network).

Each CRM says these things its own way, so each adapter hands in a `classify` that reads an
answer into an Outcome. Nothing here logs a token, an email or a record's contents: failures
name the status and the CRM's error code only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from coaching.domain.errors import CrmAccessDenied, CrmBusy, CrmRequestRejected
from coaching.ports.crm import CrmCredentials, CrmToken

OutcomeKind = Literal["ok", "expired", "rate_limited", "transient", "rejected"]


@dataclass(frozen=True)
class Outcome:
    kind: OutcomeKind
    # How long the CRM asked us to wait (Retry-After, HubSpot's ten-second window), if it did.
    wait_seconds: float | None = None
    # The CRM's error code or category (never its message: it may quote a record's values).
    code: str = ""


Classify = Callable[[httpx.Response], Outcome]


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    first_backoff_seconds: float = 1.0
    max_backoff_seconds: float = 30.0


class _TryAgain(Exception):
    def __init__(self, outcome: Outcome, status: int | None) -> None:
        super().__init__(outcome.kind)
        self.outcome = outcome
        self.status = status


class CrmSession:
    def __init__(
        self,
        *,
        name: str,
        credentials: CrmCredentials,
        classify: Classify,
        token_url: str,
        http: httpx.Client | None = None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = name  # "HubSpot", "Salesforce": for people's messages
        self._credentials = credentials
        self._classify = classify
        self._token_url = token_url
        self._http = http or httpx.Client(timeout=30.0)
        self._policy = policy or RetryPolicy()
        self._sleep = sleep
        self._token: CrmToken | None = None

    @property
    def token(self) -> CrmToken:
        if self._token is None:
            self._token = self._credentials.load()
        return self._token

    def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """The CRM's answer once it is a success; raises CrmAccessDenied, CrmBusy or
        CrmRequestRejected otherwise."""
        refreshed = False
        while True:
            response = self._send_with_retries(method, url, **kwargs)
            outcome = self._classify(response)
            if outcome.kind != "expired":
                return response
            if refreshed or not self.token.refresh_token:
                raise CrmAccessDenied(
                    f"{self.name} refused the stored token.",
                    hint=f"Connect {self.name} again (a new token).",
                )
            self._refresh()
            refreshed = True

    def _send_with_retries(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        retrying = Retrying(
            stop=stop_after_attempt(self._policy.attempts),
            retry=retry_if_exception_type(_TryAgain),
            wait=self._wait,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return retrying(self._send_once, method, url, **kwargs)
        except _TryAgain as exhausted:
            status = f" (HTTP {exhausted.status})" if exhausted.status else ""
            code = f" {exhausted.outcome.code}" if exhausted.outcome.code else ""
            raise CrmBusy(
                f"{self.name} kept refusing or failing{status}{code} after "
                f"{self._policy.attempts} tries.",
                hint="Try the push again later; records already pushed are not duplicated.",
            ) from None

    def _send_once(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token.access_token}"}
        try:
            response = self._http.request(method, url, headers=headers, **kwargs)
        except httpx.TransportError:
            raise _TryAgain(Outcome("transient", code="network"), None) from None
        outcome = self._classify(response)
        if outcome.kind in ("rate_limited", "transient"):
            raise _TryAgain(outcome, response.status_code)
        if outcome.kind == "rejected":
            raise CrmRequestRejected(
                f"{self.name} refused the request (HTTP {response.status_code}"
                f"{', ' + outcome.code if outcome.code else ''}).",
                hint=f"Check the {self.name} connection's custom properties and permissions.",
            )
        return response

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _TryAgain) and error.outcome.wait_seconds is not None:
            return min(error.outcome.wait_seconds, self._policy.max_backoff_seconds)
        backoff = self._policy.first_backoff_seconds * 2 ** (state.attempt_number - 1)
        return float(min(backoff, self._policy.max_backoff_seconds))

    def _refresh(self) -> None:
        token = self.token
        try:
            response = self._http.post(
                self._token_url,
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": token.refresh_token or "",
                    "client_id": token.client_id or "",
                    "client_secret": token.client_secret or "",
                },
            )
        except httpx.TransportError:
            raise CrmBusy(
                f"{self.name}'s token service did not answer.", hint="Try again later."
            ) from None
        if response.status_code != 200:
            raise CrmAccessDenied(
                f"{self.name} refused to renew the token (HTTP {response.status_code}).",
                hint=f"Connect {self.name} again (a new token).",
            )
        body = response.json()
        renewed = token.refreshed(body["access_token"], body.get("refresh_token"))
        if body.get("instance_url"):
            renewed = CrmToken.from_json(
                {**renewed.to_json(), "instance_url": body["instance_url"]}
            )
        self._credentials.save(renewed)
        self._token = renewed


def retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds (the delta form; CRMs do not send the date form)."""
    value = response.headers.get("Retry-After", "")
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None
