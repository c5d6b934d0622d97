"""UserDirectory on a Cognito user pool: AdminCreateUser / AdminDeleteUser, and an admin's
changes (AdminUpdateUserAttributes for the role, AdminDisableUser / AdminEnableUser).

The pool signs in by email (``UsernameAttributes: email``), so the email is the name given
to AdminCreateUser and Cognito makes the ``sub``: the id of the user's PostgreSQL row and
the ``sub`` claim the API reads. The custom attributes are the claims of cdk/identity.py.
"""

from __future__ import annotations

import uuid

from botocore.exceptions import BotoCoreError, ClientError

from coaching.adapters.aws.errors import translate
from coaching.domain.errors import (
    ConfigurationError,
    Conflict,
    NotFound,
    PermanentError,
    WeakPassword,
)
from coaching.domain.identity import Role
from coaching.ports.user_directory import DirectoryUser

_TAKEN = "UsernameExistsException"
_WEAK = "InvalidPasswordException"
_GONE = "UserNotFoundException"


def user_attributes(user: DirectoryUser) -> list[dict[str, str]]:
    """The user's attributes: the email (verified: an admin vouches for it, and Cognito
    sends the temporary password there) and the claims the API reads."""
    attributes = {
        "email": user.email,
        "email_verified": "true",
        "name": user.name,
        "custom:organization_id": str(user.organization_id),
        "custom:role": user.role.value,
    }
    if user.coach_id is not None:
        attributes["custom:coach_id"] = str(user.coach_id)
    return [{"Name": name, "Value": value} for name, value in attributes.items()]


class CognitoUserDirectory:
    def __init__(self, client, user_pool_id: str) -> None:
        self._cognito = client
        self._pool_id = user_pool_id

    def create_user(self, user: DirectoryUser, temporary_password: str | None = None) -> uuid.UUID:
        params: dict = {
            "UserPoolId": self._pool_id,
            "Username": user.email,
            "UserAttributes": user_attributes(user),
        }
        if temporary_password is None:
            params["DesiredDeliveryMediums"] = ["EMAIL"]
        else:
            # The admin hands the password over: Cognito emails nothing.
            params["TemporaryPassword"] = temporary_password
            params["MessageAction"] = "SUPPRESS"
        try:
            created = self._cognito.admin_create_user(**params)["User"]
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code == _TAKEN:
                raise Conflict(f"An account with the email {user.email} already exists.") from None
            if code == _WEAK:
                raise WeakPassword(
                    "The user pool's password policy refuses this temporary password.",
                    hint="Use at least 12 characters with upper and lower case, a digit and "
                    "a symbol, or leave it out and Cognito emails one.",
                ) from None
            raise translate(error, "Creating the user (AdminCreateUser)") from error
        except BotoCoreError as error:
            raise translate(error, "Creating the user (AdminCreateUser)") from error
        attributes = {a["Name"]: a["Value"] for a in created.get("Attributes", [])}
        try:
            return uuid.UUID(attributes.get("sub") or created["Username"])
        except (KeyError, ValueError):
            raise PermanentError("Cognito created the user without a sub.") from None

    def delete_user(self, user_id: uuid.UUID) -> None:
        try:
            self._cognito.admin_delete_user(UserPoolId=self._pool_id, Username=str(user_id))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == _GONE:
                return
            raise translate(error, "Deleting the user (AdminDeleteUser)") from error
        except BotoCoreError as error:
            raise translate(error, "Deleting the user (AdminDeleteUser)") from error

    def set_claims(self, user_id: uuid.UUID, role: Role, coach_id: uuid.UUID | None) -> None:
        attributes = [{"Name": "custom:role", "Value": role.value}]
        if coach_id is not None:
            attributes.append({"Name": "custom:coach_id", "Value": str(coach_id)})
        self._admin(
            "admin_update_user_attributes",
            "Changing the user's role (AdminUpdateUserAttributes)",
            Username=str(user_id),
            UserAttributes=attributes,
        )

    def set_enabled(self, user_id: uuid.UUID, enabled: bool) -> None:
        if enabled:
            self._admin("admin_enable_user", "Enabling the user", Username=str(user_id))
            return
        self._admin("admin_disable_user", "Disabling the user", Username=str(user_id))
        # Disabling alone leaves refresh tokens usable until they are next checked.
        self._admin("admin_user_global_sign_out", "Signing the user out", Username=str(user_id))

    def _admin(self, operation: str, doing: str, **params: object) -> None:
        try:
            getattr(self._cognito, operation)(UserPoolId=self._pool_id, **params)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == _GONE:
                raise NotFound("There is no such user.") from None
            raise translate(error, doing) from error
        except BotoCoreError as error:
            raise translate(error, doing) from error


def cognito_user_directory(settings) -> CognitoUserDirectory:
    """The composition root's factory: COACH_USER_POOL_ID (its region is part of the id)."""
    import boto3

    if not settings.user_pool_id:
        raise ConfigurationError("COACH_USER_POOL_ID must be set.")
    region = settings.user_pool_id.split("_", 1)[0]
    return CognitoUserDirectory(
        boto3.client("cognito-idp", region_name=region), settings.user_pool_id
    )
