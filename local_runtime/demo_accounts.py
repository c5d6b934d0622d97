"""Demo accounts for a local install: one per role, so every screen can be tried at once.

Passwords are random per install, kept in the local home (mode 0600) and printed by
`coach serve` at start; nothing here ever runs in AWS.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from coaching.domain.errors import Conflict
from coaching.domain.identity import Role
from coaching.usecases.accounts import add_user
from local_runtime.platform import LocalPlatform


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role
    lead_email: str | None = None


def demo_accounts(coach_email: str, coach_name: str | None) -> list[DemoAccount]:
    # The lead comes before the coach: the coach's record names its lead.
    return [
        DemoAccount("admin@example.com", "Ada Admin", Role.ADMIN),
        DemoAccount("lead@example.com", "Lee Lead", Role.COACH_LEAD),
        DemoAccount(coach_email, coach_name or "Demo Coach", Role.COACH, "lead@example.com"),
        DemoAccount("support@example.com", "Sam Support", Role.SUPPORT),
    ]


def ensure_demo_accounts(platform: LocalPlatform) -> list[tuple[DemoAccount, str]]:
    """Creates the demo accounts missing from the organization; returns each with its
    password (from the passwords file; accounts changed since are the user's business)."""
    settings = platform.settings
    passwords = _passwords(settings.secrets_dir / "demo-accounts.json")
    accounts = platform.ports.accounts
    provider = platform.ports.identity_provider
    org = settings.default_organization_id
    existing = {user.email.lower() for user in accounts.users(org)}
    seeded = []
    for account in demo_accounts(settings.coach_email, settings.coach_name):
        password = passwords.setdefault(account.email, secrets.token_urlsafe(12))
        if account.email.lower() not in existing:
            try:
                add_user(
                    accounts,
                    provider.hash_password,
                    org,
                    email=account.email,
                    name=account.name,
                    role=account.role,
                    password=password,
                    lead_email=account.lead_email,
                )
            except Conflict:  # the email is taken in another organization: leave it
                continue
        seeded.append((account, password))
    _save_passwords(settings.secrets_dir / "demo-accounts.json", passwords)
    return seeded


def _passwords(path: Path) -> dict[str, str]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _save_passwords(path: Path, passwords: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(passwords, handle, indent=2)


def describe(seeded: list[tuple[DemoAccount, str]], base_url: str, mfa_required: bool) -> str:
    lines = [f"Demo accounts (sign in at {base_url}/v1/auth/login):"]
    for account, password in seeded:
        lines.append(f"  {account.role.value:<11} {account.email:<26} password: {password}")
    if mfa_required:
        lines += [
            "This organization requires an authenticator app (MFA) for every account.",
            'Each account\'s first sign-in answers {"challenge": "MFA_SETUP", "session": ...}:',
            "  POST /v1/auth/mfa/setup with that session gives a secret (and an otpauth:// URI)",
            "  for your authenticator app; POST /v1/auth/mfa/setup/confirm with the session it",
            "  returns and the app's first code gives the tokens. Later sign-ins answer",
            '  {"challenge": "MFA"}: POST /v1/auth/mfa with the session and the current code.',
            'An admin can turn this off: PATCH /v1/organization {"mfa_required": false}.',
        ]
    return "\n".join(lines)


def organization_requires_mfa(platform: LocalPlatform) -> bool:
    org = platform.settings.default_organization_id
    return bool(platform.ports.organizations.organization_settings(org).get("mfa_required"))
