from enum import StrEnum


class SetPriorityType(StrEnum):
    SET_PRIORITY = "set_priority"

    def __str__(self) -> str:
        return str(self.value)
