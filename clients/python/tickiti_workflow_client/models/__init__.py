"""Contains all the data models used in inputs/outputs"""

from .audit_event import AuditEvent
from .audit_event_page import AuditEventPage
from .audit_query import AuditQuery
from .audit_query_object_type_type_1 import AuditQueryObjectTypeType1
from .audit_query_object_type_type_2_type_1 import AuditQueryObjectTypeType2Type1
from .audit_query_object_type_type_3_type_1 import AuditQueryObjectTypeType3Type1
from .business_holiday import BusinessHoliday
from .business_hours import BusinessHours
from .business_hours_envelope import BusinessHoursEnvelope
from .business_hours_preview import BusinessHoursPreview
from .business_hours_previewed import BusinessHoursPreviewed
from .business_hours_schedule import BusinessHoursSchedule
from .business_hours_update import BusinessHoursUpdate
from .business_interval import BusinessInterval
from .category_create import CategoryCreate
from .category_delete import CategoryDelete
from .category_reorder import CategoryReorder
from .category_update import CategoryUpdate
from .clock import Clock
from .conditions import Conditions
from .conditions_priorities_item import ConditionsPrioritiesItem
from .deleted import Deleted
from .empty import Empty
from .error import Error
from .error_body import ErrorBody
from .error_body_details import ErrorBodyDetails
from .escalation import Escalation
from .escalation_conditions import EscalationConditions
from .escalation_create import EscalationCreate
from .escalation_delete import EscalationDelete
from .escalation_envelope import EscalationEnvelope
from .escalation_list import EscalationList
from .escalation_recompute import EscalationRecompute
from .escalation_settings import EscalationSettings
from .escalation_settings_envelope import EscalationSettingsEnvelope
from .escalation_settings_update import EscalationSettingsUpdate
from .escalation_target import EscalationTarget
from .escalation_update import EscalationUpdate
from .explain_query import ExplainQuery
from .explained_ticket import ExplainedTicket
from .explanation import Explanation
from .field_option import FieldOption
from .firing import Firing
from .firing_page import FiringPage
from .firing_query import FiringQuery
from .form_field import FormField
from .form_field_type import FormFieldType
from .generate_token import GenerateToken
from .holiday import Holiday
from .immediate_firings import ImmediateFirings
from .interval import Interval
from .intervention import Intervention
from .intervention_create import InterventionCreate
from .intervention_envelope import InterventionEnvelope
from .intervention_field import InterventionField
from .intervention_field_option import InterventionFieldOption
from .intervention_field_type import InterventionFieldType
from .intervention_list import InterventionList
from .intervention_ref import InterventionRef
from .intervention_update import InterventionUpdate
from .job import Job
from .job_envelope import JobEnvelope
from .job_error import JobError
from .job_error_details import JobErrorDetails
from .job_get import JobGet
from .job_kind import JobKind
from .job_page import JobPage
from .job_query import JobQuery
from .job_query_status_type_1 import JobQueryStatusType1
from .job_query_status_type_2_type_1 import JobQueryStatusType2Type1
from .job_query_status_type_3_type_1 import JobQueryStatusType3Type1
from .job_status import JobStatus
from .move_to_queue import MoveToQueue
from .move_to_queue_type import MoveToQueueType
from .notify_users import NotifyUsers
from .notify_users_type import NotifyUsersType
from .queue import Queue
from .queue_create import QueueCreate
from .queue_delete import QueueDelete
from .queue_deleted import QueueDeleted
from .queue_envelope import QueueEnvelope
from .queue_list import QueueList
from .queue_move import QueueMove
from .queue_update import QueueUpdate
from .range_ import Range
from .remote_token_minted import RemoteTokenMinted
from .resolution_category import ResolutionCategory
from .resolution_category_deleted import ResolutionCategoryDeleted
from .resolution_category_envelope import ResolutionCategoryEnvelope
from .resolution_category_list import ResolutionCategoryList
from .schedule import Schedule
from .set_priority import SetPriority
from .set_priority_priority import SetPriorityPriority
from .set_priority_type import SetPriorityType
from .target import Target
from .target_metric import TargetMetric
from .ticket_firing import TicketFiring
from .tickets_moved import TicketsMoved

__all__ = (
    "AuditEvent",
    "AuditEventPage",
    "AuditQuery",
    "AuditQueryObjectTypeType1",
    "AuditQueryObjectTypeType2Type1",
    "AuditQueryObjectTypeType3Type1",
    "BusinessHoliday",
    "BusinessHours",
    "BusinessHoursEnvelope",
    "BusinessHoursPreview",
    "BusinessHoursPreviewed",
    "BusinessHoursSchedule",
    "BusinessHoursUpdate",
    "BusinessInterval",
    "CategoryCreate",
    "CategoryDelete",
    "CategoryReorder",
    "CategoryUpdate",
    "Clock",
    "Conditions",
    "ConditionsPrioritiesItem",
    "Deleted",
    "Empty",
    "Error",
    "ErrorBody",
    "ErrorBodyDetails",
    "Escalation",
    "EscalationConditions",
    "EscalationCreate",
    "EscalationDelete",
    "EscalationEnvelope",
    "EscalationList",
    "EscalationRecompute",
    "EscalationSettings",
    "EscalationSettingsEnvelope",
    "EscalationSettingsUpdate",
    "EscalationTarget",
    "EscalationUpdate",
    "ExplainedTicket",
    "ExplainQuery",
    "Explanation",
    "FieldOption",
    "Firing",
    "FiringPage",
    "FiringQuery",
    "FormField",
    "FormFieldType",
    "GenerateToken",
    "Holiday",
    "ImmediateFirings",
    "Interval",
    "Intervention",
    "InterventionCreate",
    "InterventionEnvelope",
    "InterventionField",
    "InterventionFieldOption",
    "InterventionFieldType",
    "InterventionList",
    "InterventionRef",
    "InterventionUpdate",
    "Job",
    "JobEnvelope",
    "JobError",
    "JobErrorDetails",
    "JobGet",
    "JobKind",
    "JobPage",
    "JobQuery",
    "JobQueryStatusType1",
    "JobQueryStatusType2Type1",
    "JobQueryStatusType3Type1",
    "JobStatus",
    "MoveToQueue",
    "MoveToQueueType",
    "NotifyUsers",
    "NotifyUsersType",
    "Queue",
    "QueueCreate",
    "QueueDelete",
    "QueueDeleted",
    "QueueEnvelope",
    "QueueList",
    "QueueMove",
    "QueueUpdate",
    "Range",
    "RemoteTokenMinted",
    "ResolutionCategory",
    "ResolutionCategoryDeleted",
    "ResolutionCategoryEnvelope",
    "ResolutionCategoryList",
    "Schedule",
    "SetPriority",
    "SetPriorityPriority",
    "SetPriorityType",
    "Target",
    "TargetMetric",
    "TicketFiring",
    "TicketsMoved",
)
