-- shape: escalation
-- An escalation as the API shows it, from e (its row).
e.id, e.name, e.enabled, e.position,
json_build_object('queue_ids', e.condition_queue_ids,
                  'priorities', e.condition_priorities) AS conditions,
json_build_object('metric', e.target_metric, 'minutes', e.target_minutes,
                  'business_hours', e.target_business_hours) AS target,
e.actions, e.version, api_time(e.created_at) AS created_at, api_time(e.updated_at) AS updated_at

-- name: list_escalations_with_hours
-- Every escalation in position order with the account's business hours on the first row, in one statement (one row with null escalation columns when there are none).
SELECT {{escalation}},
       h.timezone AS hours_timezone,
       CASE WHEN row_number() OVER w = 1 THEN h.schedule END AS hours_schedule,
       CASE WHEN row_number() OVER w = 1 THEN h.holidays END AS hours_holidays,
       h.version AS hours_version, api_time(h.updated_at) AS hours_updated_at
FROM business_hours h
LEFT JOIN escalations e ON e.account_id = h.account_id
WHERE h.account_id = %(account_id)s
WINDOW w AS (ORDER BY e.position)
ORDER BY e.position

-- name: get_escalation
-- One escalation in its API shape.
SELECT {{escalation}}
FROM escalations e
WHERE account_id = %(account_id)s AND id = %(escalation_id)s

-- name: lock_escalation
-- An escalation in its API shape, locked against concurrent changes.
SELECT {{escalation}}
FROM escalations e
WHERE account_id = %(account_id)s AND id = %(escalation_id)s
FOR UPDATE

-- name: count_escalations
-- How many escalations the account has (the highest position).
SELECT count(*) AS escalation_count FROM escalations WHERE account_id = %(account_id)s

-- name: existing_queues
-- Which of the given queues exist in the account; key-share locked so none is deleted meanwhile.
SELECT id FROM queues
WHERE account_id = %(account_id)s AND id = ANY(%(queue_ids)s::bigint[])
ORDER BY id
FOR KEY SHARE

-- name: active_users
-- Which of the given users exist in the account and are active.
SELECT id FROM users
WHERE account_id = %(account_id)s AND id = ANY(%(user_ids)s::bigint[]) AND active

-- name: create_escalation
-- Append an escalation at the last position unless the account already has %(limit)s.
INSERT INTO escalations (account_id, name, enabled, position, condition_queue_ids,
                         condition_priorities, target_metric, target_minutes,
                         target_business_hours, actions)
SELECT %(account_id)s, %(name)s, %(enabled)s,
       (SELECT coalesce(max(position), 0) + 1 FROM escalations WHERE account_id = %(account_id)s),
       %(queue_ids)s::bigint[], %(priorities)s::text[], %(metric)s, %(minutes)s::int,
       %(business_hours)s::boolean, %(actions)s::jsonb
WHERE (SELECT count(*) FROM escalations WHERE account_id = %(account_id)s) < %(limit)s::int
RETURNING id

-- name: update_escalation
-- Write an escalation's editable fields and bump its version.
UPDATE escalations
SET name = %(name)s, enabled = %(enabled)s, condition_queue_ids = %(queue_ids)s::bigint[],
    condition_priorities = %(priorities)s::text[], target_metric = %(metric)s,
    target_minutes = %(minutes)s::int, target_business_hours = %(business_hours)s::boolean,
    actions = %(actions)s::jsonb, version = version + 1, updated_at = now()
WHERE account_id = %(account_id)s AND id = %(escalation_id)s

-- name: move_escalation
-- Put an escalation at %(position)s, shifting the ones in between by one (positions stay 1..n).
UPDATE escalations
SET position = CASE WHEN id = %(escalation_id)s THEN %(position)s::int
                    WHEN %(position)s::int < %(old_position)s::int THEN position + 1
                    ELSE position - 1 END
WHERE account_id = %(account_id)s
  AND position BETWEEN least(%(position)s::int, %(old_position)s::int)
                   AND greatest(%(position)s::int, %(old_position)s::int)

-- name: write_queue_refs
-- Make the escalation's queue references exactly %(queue_ids)s (conditions and actions).
WITH removed AS (
    DELETE FROM escalation_queue_refs
    WHERE account_id = %(account_id)s AND escalation_id = %(escalation_id)s
      AND NOT (queue_id = ANY(%(queue_ids)s::bigint[]))
)
INSERT INTO escalation_queue_refs (account_id, escalation_id, queue_id)
SELECT DISTINCT %(account_id)s, %(escalation_id)s::bigint, q
FROM unnest(%(queue_ids)s::bigint[]) AS q
ON CONFLICT DO NOTHING

-- name: delete_escalation
-- Delete an escalation (its queue references go with it).
DELETE FROM escalations
WHERE account_id = %(account_id)s AND id = %(escalation_id)s

-- name: close_position_gap
-- Move the escalations after a deleted one up by one, so positions stay 1..n.
UPDATE escalations
SET position = position - 1
WHERE account_id = %(account_id)s AND position > %(position)s::int

-- name: queue_escalation_ids
-- The escalations that name a queue in their conditions or actions.
SELECT escalation_id
FROM escalation_queue_refs
WHERE account_id = %(account_id)s AND queue_id = %(queue_id)s
ORDER BY escalation_id
