from enum import StrEnum


class NotifyUsersType(StrEnum):
    NOTIFY_USERS = "notify_users"

    def __str__(self) -> str:
        return str(self.value)
