from enum import StrEnum


class TargetMetric(StrEnum):
    FIRST_RESPONSE = "first_response"
    IDLE = "idle"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"

    def __str__(self) -> str:
        return str(self.value)
