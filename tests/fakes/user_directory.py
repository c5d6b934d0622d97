"""UserDirectory in memory: the users a directory holds, and a switch to make it refuse."""

from __future__ import annotations

import uuid

from coaching.domain.errors import Conflict, TransientError
from coaching.ports.user_directory import DirectoryUser


class FakeUserDirectory:
    def __init__(self) -> None:
        self.users: dict[uuid.UUID, DirectoryUser] = {}
        self.temporary_passwords: dict[uuid.UUID, str | None] = {}
        self.refuse_creating = False
        self.refuse_deleting = False

    def create_user(self, user: DirectoryUser, temporary_password: str | None = None) -> uuid.UUID:
        if self.refuse_creating:
            raise TransientError("The directory is busy.")
        if any(u.email.lower() == user.email.lower() for u in self.users.values()):
            raise Conflict(f"An account with the email {user.email} already exists.")
        user_id = uuid.uuid4()
        self.users[user_id] = user
        self.temporary_passwords[user_id] = temporary_password
        return user_id

    def delete_user(self, user_id: uuid.UUID) -> None:
        if self.refuse_deleting:
            raise TransientError("The directory is busy.")
        self.users.pop(user_id, None)
