-- shape: queue
-- A queue as the API shows it, from q (its row) and c (its ticket counts).
q.id, q.name, q.description, q.is_builtin, c.ticket_count, c.open_ticket_count,
q.version, api_time(q.created_at) AS created_at, api_time(q.updated_at) AS updated_at

-- name: list_queues
-- Every queue of the account with its exact ticket counts, the built-in one first, then by name.
SELECT {{queue}}
FROM queues q
JOIN queue_ticket_counts_now(%(account_id)s) c ON c.queue_id = q.id
WHERE q.account_id = %(account_id)s
ORDER BY q.is_builtin DESC, lower(q.name), q.id

-- name: get_queue
-- One queue with its exact ticket counts.
SELECT {{queue}}
FROM queues q
JOIN queue_ticket_counts_now(%(account_id)s) c ON c.queue_id = q.id
WHERE q.account_id = %(account_id)s AND q.id = %(queue_id)s

-- name: create_queue
-- Insert a queue unless the account already has %(limit)s of them.
WITH q AS (
    INSERT INTO queues (account_id, name, description)
    SELECT %(account_id)s, %(name)s, %(description)s
    WHERE (SELECT count(*) FROM queues WHERE account_id = %(account_id)s) < %(limit)s::int
    RETURNING *
)
SELECT {{queue}}
FROM q, (SELECT 0::bigint AS ticket_count, 0::bigint AS open_ticket_count) c

-- name: lock_queue
-- A queue's editable state, locked against concurrent changes, moves into it and deletion.
SELECT id, name, description, is_builtin, version
FROM queues
WHERE account_id = %(account_id)s AND id = %(queue_id)s
FOR UPDATE

-- name: update_queue
-- Write a queue's name and description and bump its version.
UPDATE queues
SET name = %(name)s, description = %(description)s, version = version + 1, updated_at = now()
WHERE account_id = %(account_id)s AND id = %(queue_id)s

-- name: share_lock_queues
-- Which of the given queues exist; locked so none can be deleted while tickets move.
SELECT id FROM queues
WHERE account_id = %(account_id)s AND id = ANY(%(queue_ids)s::bigint[])
ORDER BY id
FOR KEY SHARE

-- name: count_queue_tickets
-- How many tickets a queue holds (exact without a scan; stable while the queue row is locked).
SELECT ticket_count
FROM queue_ticket_counts_now(%(account_id)s)
WHERE queue_id = %(queue_id)s

-- name: count_set_based
-- Make this transaction's ticket statements count their own changes (the row trigger stands down).
SELECT set_config('tickiti.counting', 'statement', true)

-- name: move_tickets
-- Move the listed tickets of a queue, all of them (limit null), or up to %(limit)s of them, writing one history row per ticket and set-based count changes; report listed ids that did not move.
-- Three UPDATEs, one of which runs (the others are gated off by the parameters), so that each
-- keeps a plan that does not depend on statistics: listed ids by primary key; a whole queue
-- through its index; a chunk of a queue by the row addresses just picked from that index. A
-- chunk skips a ticket another transaction changed meanwhile (the job takes it in a later
-- chunk); the other two re-check such a ticket and move it if it is still in the queue.
WITH listed AS (
    UPDATE tickets t
    SET queue_id = %(to_queue_id)s, updated_at = now()
    WHERE %(ticket_ids)s::bigint[] IS NOT NULL
      AND t.account_id = %(account_id)s AND t.id = ANY(%(ticket_ids)s::bigint[])
      AND t.queue_id = %(from_queue_id)s
    RETURNING t.id, t.resolution_category_id, t.status
), whole AS (
    UPDATE tickets t
    SET queue_id = %(to_queue_id)s, updated_at = now()
    WHERE %(ticket_ids)s::bigint[] IS NULL AND %(limit)s::bigint IS NULL
      AND t.account_id = %(account_id)s AND t.queue_id = %(from_queue_id)s
    RETURNING t.id, t.resolution_category_id, t.status
), picked AS (
    SELECT ctid FROM tickets
    WHERE %(ticket_ids)s::bigint[] IS NULL AND %(limit)s::bigint IS NOT NULL
      AND account_id = %(account_id)s AND queue_id = %(from_queue_id)s
    LIMIT %(limit)s::bigint
), chunk AS (
    UPDATE tickets t
    SET queue_id = %(to_queue_id)s, updated_at = now()
    WHERE t.ctid = ANY(ARRAY(SELECT ctid FROM picked))
      AND t.account_id = %(account_id)s AND t.queue_id = %(from_queue_id)s
    RETURNING t.id, t.resolution_category_id, t.status
), moved AS (
    SELECT * FROM listed UNION ALL SELECT * FROM whole UNION ALL SELECT * FROM chunk
), history AS (
    INSERT INTO ticket_events (account_id, ticket_id, from_queue_id, to_queue_id, actor_user_id)
    SELECT %(account_id)s, id, %(from_queue_id)s, %(to_queue_id)s, %(actor_user_id)s
    FROM moved
), counted AS (
    INSERT INTO ticket_count_changes (account_id, queue_id, category_id, tickets, open_tickets)
    SELECT %(account_id)s, side.queue_id, m.resolution_category_id, side.sign * count(*),
           side.sign * count(*) FILTER (WHERE m.status NOT IN ('solved', 'closed'))
    FROM moved m
    CROSS JOIN (VALUES (%(from_queue_id)s::bigint, -1), (%(to_queue_id)s::bigint, 1))
        AS side (queue_id, sign)
    GROUP BY side.queue_id, side.sign, m.resolution_category_id
), clocks AS (
    -- The row trigger stands down here: tell the escalation clocks the queue changed.
    INSERT INTO sla_ticket_changes (account_id, ticket_id, at, status)
    SELECT %(account_id)s, id, clock_timestamp(), status FROM moved
)
SELECT (SELECT count(*) FROM moved) AS moved,
       CASE WHEN %(ticket_ids)s::bigint[] IS NULL THEN '{}'::bigint[]
            ELSE ARRAY(SELECT unnest(%(ticket_ids)s::bigint[]) EXCEPT SELECT id FROM moved
                       ORDER BY 1)
       END AS not_moved

-- name: delete_queue
-- Delete a queue (its tickets must have moved first).
DELETE FROM queues WHERE account_id = %(account_id)s AND id = %(queue_id)s
