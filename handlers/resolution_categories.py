"""Resolution categories: an ordered list per account (plan feature ``resolution_tracking``).

Positions are 1..n with no gaps or ties. Every write that changes positions (create, delete,
reorder) locks the account row first, so concurrent ones run one after the other.
"""

from __future__ import annotations

from flask import Blueprint
from marshmallow import ValidationError, fields, validate, validates_schema

import sql
from auth import Ability, current_principal, requires
from tickiti_workflow.db import transaction
from tickiti_workflow.errors import Conflict, LimitReached, NotFound, ValidationFailed
from tickiti_workflow.schema import (
    Description,
    Empty,
    ExpectedVersion,
    Id,
    Name,
    StrictSchema,
    body,
)
from tickiti_workflow.versioning import changes

bp = Blueprint("resolution_categories", __name__)

FEATURE = "resolution_tracking"
MAX_CATEGORIES = 300
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
        if data.get("replace_with_id") == data.get("id"):
            raise ValidationError("Must differ from id.", "replace_with_id")


class CategoryReorder(StrictSchema):
    ids = fields.List(Id(), required=True, validate=validate.Length(max=MAX_REORDER_IDS))


@bp.post("/resolution-categories")
@requires(Ability.WORKFLOW_READ, feature=FEATURE)
@body(Empty)
def list_categories(_payload):
    with transaction() as cur:
        categories = sql.resolution_categories.list_categories.all(
            cur, account_id=current_principal().account_id
        )
    return {"resolution_categories": categories}


@bp.post("/resolution-categories/create")
@requires(Ability.WORKFLOW_WRITE, feature=FEATURE)
@body(CategoryCreate)
def create_category(payload):
    account_id = current_principal().account_id
    with transaction() as cur:
        sql.accounts.lock_account.one(cur, account_id=account_id)
        category = sql.resolution_categories.create_category.one(
            cur, account_id=account_id, limit=MAX_CATEGORIES, **payload
        )
    if category is None:
        raise LimitReached("resolution categories", MAX_CATEGORIES)
    return {"resolution_category": category}, 201


@bp.post("/resolution-categories/update")
@requires(Ability.WORKFLOW_WRITE, feature=FEATURE)
@body(CategoryUpdate)
def update_category(payload):
    ids = {"account_id": current_principal().account_id, "id": payload["id"]}
    with transaction() as cur:
        current = sql.resolution_categories.lock_category.one(cur, **ids)
        if current is None:
            raise NotFound("resolution_category", payload["id"])
        if changed := changes(current, payload, ("name", "description")):
            sql.resolution_categories.update_category.run(cur, **{**current, **changed, **ids})
        category = sql.resolution_categories.get_category.one(cur, **ids)
    return {"resolution_category": category}


@bp.post("/resolution-categories/delete")
@requires(Ability.WORKFLOW_WRITE, feature=FEATURE)
@body(CategoryDelete)
def delete_category(payload):
    account_id = current_principal().account_id
    category_id, replace_with_id = payload["id"], payload["replace_with_id"]
    ids = {"account_id": account_id, "id": category_id}
    with transaction() as cur:
        sql.accounts.lock_account.one(cur, account_id=account_id)
        # FOR UPDATE also holds off tickets that would start using the category meanwhile.
        if sql.resolution_categories.lock_category.one(cur, **ids) is None:
            raise NotFound("resolution_category", category_id)
        ticket_count = sql.resolution_categories.count_category_tickets.one(cur, **ids)
        ticket_count = ticket_count["ticket_count"]
        if ticket_count and replace_with_id is None:
            raise Conflict(
                "Tickets use this category: name a replace_with_id to re-categorise them.",
                {"ticket_count": ticket_count},
                code="category_in_use",
            )
        recategorised = 0
        if replace_with_id is not None:
            if not sql.resolution_categories.share_lock_category.one(
                cur, account_id=account_id, id=replace_with_id
            ):
                raise ValidationFailed({"replace_with_id": ["No category with this id exists."]})
            recategorised = sql.resolution_categories.recategorise_tickets.run(
                cur, replace_with_id=replace_with_id, **ids
            )
        sql.resolution_categories.delete_category.run(cur, **ids)
    return {"deleted": True, "id": category_id, "recategorised": recategorised}


@bp.post("/resolution-categories/reorder")
@requires(Ability.WORKFLOW_WRITE, feature=FEATURE)
@body(CategoryReorder)
def reorder_categories(payload):
    account_id = current_principal().account_id
    with transaction() as cur:
        sql.accounts.lock_account.one(cur, account_id=account_id)
        problems = sql.resolution_categories.reorder_problems.one(
            cur, account_id=account_id, ids=payload["ids"]
        )
        if any(problems.values()):
            raise ValidationFailed(
                {"ids": ["Must name every resolution category of the account exactly once."]},
                "The order must name every resolution category exactly once; nothing changed.",
                **problems,
            )
        sql.resolution_categories.reorder_categories.run(
            cur, account_id=account_id, ids=payload["ids"]
        )
        categories = sql.resolution_categories.list_categories.all(cur, account_id=account_id)
    return {"resolution_categories": categories}
