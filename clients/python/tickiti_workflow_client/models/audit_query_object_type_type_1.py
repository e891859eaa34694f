from enum import StrEnum


class AuditQueryObjectTypeType1(StrEnum):
    BUSINESS_HOURS = "business_hours"
    ESCALATION = "escalation"
    ESCALATION_SETTINGS = "escalation_settings"
    INTERVENTION = "intervention"
    JOB = "job"
    QUEUE = "queue"
    RESOLUTION_CATEGORY = "resolution_category"

    def __str__(self) -> str:
        return str(self.value)
