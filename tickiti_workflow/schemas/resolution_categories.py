"""Resolution categories: the create, update, delete and reorder bodies, and the category."""

from __future__ import annotations

from marshmallow import Schema, fields, validates_schema

from tickiti_workflow.web.body import (
    BoundedList,
    Description,
    ExpectedVersion,
    Id,
    Name,
    StrictSchema,
)
from tickiti_workflow.web.openapi import Deleted, envelope

from .common import differs_from

# A valid order names each category once, so it is never longer than the limit; longer lists
# are refused before any work (and their missing/unknown/duplicates lists stay bounded).
MAX_REORDER_IDS = 1000


class CategoryCreate(StrictSchema):
    name = Name(required=True)
    description = Description(load_default="")


class CategoryUpdate(ExpectedVersion):
    id = Id(required=True)
    name = Name()
    description = Description()


class CategoryDelete(StrictSchema):
    id = Id(required=True)
    replace_with_id = Id(load_default=None)

    @validates_schema
    def _distinct(self, data, **_):
        differs_from(data, "replace_with_id", "id")


class CategoryReorder(StrictSchema):
    ids = BoundedList(Id(), required=True, max_length=MAX_REORDER_IDS)


class ResolutionCategory(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    position = fields.Integer(required=True)
    ticket_count = fields.Integer(required=True)
    version = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


ResolutionCategoryList = envelope(
    "ResolutionCategoryList", "resolution_categories", ResolutionCategory, many=True
)
ResolutionCategoryEnvelope = envelope(
    "ResolutionCategoryEnvelope", "resolution_category", ResolutionCategory
)


class ResolutionCategoryDeleted(Deleted):
    recategorised = fields.Integer(required=True)
