-- shape: category
-- A resolution category as the API shows it, from rc (its row) and c (its ticket count).
rc.id, rc.name, rc.description, rc.position, c.ticket_count,
rc.version, api_time(rc.created_at) AS created_at, api_time(rc.updated_at) AS updated_at

-- name: list_categories
-- Every resolution category of the account in position order, with exact ticket counts (counters plus unfolded changes, migration 0013).
SELECT {{category}}
FROM resolution_categories rc
JOIN category_ticket_counts_now(%(account_id)s) c ON c.category_id = rc.id
WHERE rc.account_id = %(account_id)s
ORDER BY rc.position

-- name: get_category
-- One resolution category with its exact ticket count.
SELECT {{category}}
FROM resolution_categories rc
JOIN category_ticket_counts_now(%(account_id)s) c ON c.category_id = rc.id
WHERE rc.account_id = %(account_id)s AND rc.id = %(id)s

-- name: create_category
-- Append a category after the last one unless the account already has %(limit)s (account locked).
WITH rc AS (
    INSERT INTO resolution_categories (account_id, name, description, position)
    SELECT %(account_id)s, %(name)s, %(description)s, coalesce(max(position), 0) + 1
    FROM resolution_categories
    WHERE account_id = %(account_id)s
    HAVING count(*) < %(limit)s::int
    RETURNING *
)
SELECT {{category}}
FROM rc, (SELECT 0::bigint AS ticket_count) c

-- name: lock_category
-- A category's editable state, locked against concurrent edits, new tickets using it and deletion.
SELECT id, name, description, position, version
FROM resolution_categories
WHERE account_id = %(account_id)s AND id = %(id)s
FOR UPDATE

-- name: update_category
-- Write a category's name and description and bump its version.
UPDATE resolution_categories
SET name = %(name)s, description = %(description)s, version = version + 1, updated_at = now()
WHERE account_id = %(account_id)s AND id = %(id)s

-- name: share_lock_category
-- Whether a category exists; locked so it cannot be deleted while tickets move to it.
SELECT id FROM resolution_categories
WHERE account_id = %(account_id)s AND id = %(id)s
FOR KEY SHARE

-- name: recategorise_tickets
-- Give all (limit null) or up to %(limit)s of a category's tickets another category, with set-based count changes; return how many.
-- As move_tickets in queues.sql: a whole category through its index, a chunk by the row
-- addresses just picked (a chunk skips a ticket changed meanwhile; the job takes it later).
WITH whole AS (
    UPDATE tickets t
    SET resolution_category_id = %(replace_with_id)s, updated_at = now()
    WHERE %(limit)s::bigint IS NULL
      AND t.account_id = %(account_id)s AND t.resolution_category_id = %(id)s
    RETURNING t.queue_id, t.status
), picked AS (
    SELECT ctid FROM tickets
    WHERE %(limit)s::bigint IS NOT NULL
      AND account_id = %(account_id)s AND resolution_category_id = %(id)s
    LIMIT %(limit)s::bigint
), chunk AS (
    UPDATE tickets t
    SET resolution_category_id = %(replace_with_id)s, updated_at = now()
    WHERE t.ctid = ANY(ARRAY(SELECT ctid FROM picked))
      AND t.account_id = %(account_id)s AND t.resolution_category_id = %(id)s
    RETURNING t.queue_id, t.status
), changed AS (
    SELECT * FROM whole UNION ALL SELECT * FROM chunk
), counted AS (
    INSERT INTO ticket_count_changes (account_id, queue_id, category_id, tickets, open_tickets)
    SELECT %(account_id)s, c.queue_id, side.category_id, side.sign * count(*),
           side.sign * count(*) FILTER (WHERE c.status NOT IN ('solved', 'closed'))
    FROM changed c
    CROSS JOIN (VALUES (%(id)s::bigint, -1), (%(replace_with_id)s::bigint, 1))
        AS side (category_id, sign)
    GROUP BY c.queue_id, side.category_id, side.sign
)
SELECT count(*) AS recategorised FROM changed

-- name: delete_category
-- Delete a category (no ticket may use it) and close the gap it leaves in the positions.
WITH deleted AS (
    DELETE FROM resolution_categories
    WHERE account_id = %(account_id)s AND id = %(id)s
    RETURNING position
)
UPDATE resolution_categories
SET position = position - 1, version = version + 1, updated_at = now()
WHERE account_id = %(account_id)s AND position > (SELECT position FROM deleted)

-- name: reorder_problems
-- How a proposed order differs from the account's categories: ids missing, unknown and repeated.
WITH given AS (
    SELECT unnest(%(ids)s::bigint[]) AS id
), existing AS (
    SELECT id FROM resolution_categories WHERE account_id = %(account_id)s
)
SELECT ARRAY(SELECT id FROM existing EXCEPT SELECT id FROM given ORDER BY 1) AS missing,
       ARRAY(SELECT id FROM given EXCEPT SELECT id FROM existing ORDER BY 1) AS unknown,
       ARRAY(SELECT id FROM given GROUP BY id HAVING count(*) > 1 ORDER BY 1) AS duplicates

-- name: reorder_categories
-- Give each category its 1-based index in the list as position; rows that move get a new version.
UPDATE resolution_categories rc
SET position = g.position, version = rc.version + 1, updated_at = now()
FROM unnest(%(ids)s::bigint[]) WITH ORDINALITY AS g (id, position)
WHERE rc.account_id = %(account_id)s AND rc.id = g.id AND rc.position <> g.position
