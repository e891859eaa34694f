from enum import StrEnum


class FormFieldType(StrEnum):
    CHECKBOX = "checkbox"
    DATE = "date"
    MULTISELECT = "multiselect"
    NUMBER = "number"
    SELECT = "select"
    TEXT = "text"
    TEXTAREA = "textarea"

    def __str__(self) -> str:
        return str(self.value)
