from enum import StrEnum


class MoveToQueueType(StrEnum):
    MOVE_TO_QUEUE = "move_to_queue"

    def __str__(self) -> str:
        return str(self.value)
