"""Resolution categories: an ordered list per account (plan feature ``resolution_tracking``).

Positions are 1..n with no gaps or ties. Every write that changes positions (create, delete,
reorder) locks the account row first, so concurrent ones run one after the other.
"""

from __future__ import annotations

from flask import Blueprint

import sql
from auth import Ability, current_principal
from tickiti_workflow import audit_trail, bulk_moves
from tickiti_workflow.db import read_cursor
from tickiti_workflow.errors import Conflict, LimitReached, NotFound, ValidationFailed
from tickiti_workflow.request_context import actor, sync_limit
from tickiti_workflow.schemas.jobs import JobEnvelope
from tickiti_workflow.schemas.resolution_categories import (
    CategoryCreate,
    CategoryDelete,
    CategoryReorder,
    CategoryUpdate,
    ResolutionCategoryDeleted,
    ResolutionCategoryEnvelope,
    ResolutionCategoryList,
)
from tickiti_workflow.versioning import changes
from tickiti_workflow.web.pipeline import route

bp = Blueprint("resolution_categories", __name__)

FEATURE = "resolution_tracking"
MAX_CATEGORIES = 300


@route(bp, "/resolution-categories", Ability.WORKFLOW_READ, feature=FEATURE,
       returns=ResolutionCategoryList, cached=True)  # fmt: skip
def list_categories(_payload):
    """List the account's resolution categories in position order, with exact ticket counts."""
    with read_cursor() as cur:
        categories = sql.resolution_categories.list_categories.all(
            cur, account_id=current_principal().account_id
        )
    return {"resolution_categories": categories}


@route(bp, "/resolution-categories/create", Ability.WORKFLOW_WRITE, feature=FEATURE,
       body=CategoryCreate, returns=ResolutionCategoryEnvelope, status=201,
       errors=(409,))  # fmt: skip
def create_category(cur, payload):
    """Create a resolution category, appended last (at most 300 per account; names unique)."""
    account_id = current_principal().account_id
    sql.accounts.lock_account.one(cur, account_id=account_id)
    category = sql.resolution_categories.create_category.one(
        cur, account_id=account_id, limit=MAX_CATEGORIES, **payload
    )
    if category is None:
        raise LimitReached("resolution categories", MAX_CATEGORIES)
    audit_trail.record(
        cur, "resolution_category.create", "resolution_category", category["id"],
        after=category,
    )  # fmt: skip
    return {"resolution_category": category}, 201


@route(bp, "/resolution-categories/update", Ability.WORKFLOW_WRITE, feature=FEATURE,
       body=CategoryUpdate, returns=ResolutionCategoryEnvelope, errors=(404, 409))  # fmt: skip
def update_category(cur, payload):
    """Rename or describe a resolution category (409 `name_taken`, `version_conflict`)."""
    ids = {"account_id": current_principal().account_id, "id": payload["id"]}
    current = sql.resolution_categories.lock_category.one(cur, **ids)
    if current is None:
        raise NotFound("resolution_category", payload["id"])
    before = sql.resolution_categories.get_category.one(cur, **ids)
    if changed := changes(current, payload, ("name", "description")):
        sql.resolution_categories.update_category.run(cur, **{**current, **changed, **ids})
        category = sql.resolution_categories.get_category.one(cur, **ids)
        audit_trail.record(
            cur, "resolution_category.update", "resolution_category", category["id"],
            before, category,
        )  # fmt: skip
    else:
        category = before
    return {"resolution_category": category}


@route(bp, "/resolution-categories/delete", Ability.WORKFLOW_WRITE, feature=FEATURE,
       body=CategoryDelete, returns=ResolutionCategoryDeleted, errors=(404, 409),
       accepted=JobEnvelope)  # fmt: skip
def delete_category(cur, payload):
    """Delete a resolution category, re-categorising its tickets first (409 `category_in_use`,
    `job_in_progress`); a category of many tickets is re-categorised and deleted by a job (202)."""
    account_id = current_principal().account_id
    category_id, replace_with_id = payload["id"], payload["replace_with_id"]
    ids = {"account_id": account_id, "id": category_id}
    sql.accounts.lock_account.one(cur, account_id=account_id)
    # FOR UPDATE also holds off tickets that would start using the category meanwhile.
    if sql.resolution_categories.lock_category.one(cur, **ids) is None:
        raise NotFound("resolution_category", category_id)
    # The category as the API shows it, for the audit trail; it carries the ticket count.
    before = sql.resolution_categories.get_category.one(cur, **ids)
    ticket_count = before["ticket_count"]
    if ticket_count and replace_with_id is None:
        raise Conflict(
            "Tickets use this category: name a replace_with_id to re-categorise them.",
            {"ticket_count": ticket_count},
            code="category_in_use",
        )
    bulk_moves.check_no_job_on(
        cur, account_id, "resolution_category", deleting=category_id, into=replace_with_id
    )
    recategorised = 0
    if replace_with_id is not None:
        if not sql.resolution_categories.share_lock_category.one(
            cur, account_id=account_id, id=replace_with_id
        ):
            raise ValidationFailed({"replace_with_id": ["No category with this id exists."]})
        if ticket_count > sync_limit():
            job = bulk_moves.queue_job(
                cur, actor(), "resolution_category.delete", category_id,
                replace_with_id, ticket_count,
            )  # fmt: skip
            audit_trail.record(
                cur, "resolution_category.delete_requested", "resolution_category",
                category_id, before, {"replace_with_id": replace_with_id, "job_id": job["id"]},
            )  # fmt: skip
            return {"job": job}, 202
        recategorised = bulk_moves.recategorise(cur, account_id, category_id, replace_with_id)
    sql.resolution_categories.delete_category.run(cur, **ids)
    audit_trail.record(
        cur, "resolution_category.delete", "resolution_category", category_id, before,
        {"deleted": True, "replace_with_id": replace_with_id, "recategorised": recategorised},
    )  # fmt: skip
    return {"deleted": True, "id": category_id, "recategorised": recategorised}


@route(bp, "/resolution-categories/reorder", Ability.WORKFLOW_WRITE, feature=FEATURE,
       body=CategoryReorder, returns=ResolutionCategoryList)  # fmt: skip
def reorder_categories(cur, payload):
    """Set the order of all resolution categories: `ids` names each exactly once (else 422)."""
    account_id = current_principal().account_id
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
    before = sql.resolution_categories.list_categories.all(cur, account_id=account_id)
    sql.resolution_categories.reorder_categories.run(cur, account_id=account_id, ids=payload["ids"])
    categories = sql.resolution_categories.list_categories.all(cur, account_id=account_id)
    before_ids, after_ids = [c["id"] for c in before], [c["id"] for c in categories]
    if before_ids != after_ids:
        audit_trail.record(
            cur, "resolution_category.reorder", "resolution_category", None,
            before_ids, after_ids,
        )  # fmt: skip
    return {"resolution_categories": categories}
