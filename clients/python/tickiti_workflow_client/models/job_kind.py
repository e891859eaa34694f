from enum import StrEnum


class JobKind(StrEnum):
    QUEUE_DELETE = "queue.delete"
    QUEUE_MOVE_TICKETS = "queue.move_tickets"
    RESOLUTION_CATEGORY_DELETE = "resolution_category.delete"

    def __str__(self) -> str:
        return str(self.value)
