-- name: get_ticket
-- One ticket's state as the escalation clocks see it, with its plan's escalations feature.
SELECT t.account_id, t.id, t.status, t.queue_id, t.priority, t.created_at,
       'escalations' = ANY (p.features) AS feature
FROM tickets t
JOIN accounts a ON a.id = t.account_id
JOIN plans p ON p.code = a.plan_code
WHERE t.account_id = %(account_id)s AND t.id = %(ticket_id)s

-- name: ticket_firings
-- One ticket's firings, oldest first.
SELECT id, escalation_id, escalation_version, metric, cycle, due_at, fired_at, actions
FROM escalation_firings
WHERE account_id = %(account_id)s AND ticket_id = %(ticket_id)s
ORDER BY id

-- name: ticket_timers
-- One ticket's armed timers.
SELECT escalation_id, metric, cycle, due_at FROM escalation_timers
WHERE account_id = %(account_id)s AND ticket_id = %(ticket_id)s

-- name: list_firings
-- A page of the account's firings, newest first, after the cursor id, optionally for one escalation or ticket.
SELECT id, ticket_id, escalation_id, escalation_version, metric, cycle, due_at, fired_at,
       actions, extract(epoch FROM fired_at - due_at)::float8 AS lag_seconds
FROM escalation_firings
WHERE account_id = %(account_id)s
  AND (%(escalation_id)s::bigint IS NULL OR escalation_id = %(escalation_id)s::bigint)
  AND (%(ticket_id)s::bigint IS NULL OR ticket_id = %(ticket_id)s::bigint)
  AND (%(before_id)s::bigint IS NULL OR id < %(before_id)s::bigint)
ORDER BY id DESC
LIMIT %(limit)s::int

-- name: immediate_candidates
-- The account's tickets among its first %(max_rows)s armed timers of a metric, earliest due first (an index range: never more rows than that), how many timer rows were read, and the transaction's instant to decide them at.
WITH first AS (
    SELECT ticket_id FROM escalation_timers
    WHERE account_id = %(account_id)s AND metric = %(metric)s
    ORDER BY due_at
    LIMIT %(max_rows)s
)
SELECT (SELECT count(*) FROM first) AS timer_rows,
       ARRAY(SELECT DISTINCT ticket_id FROM first ORDER BY ticket_id) AS ticket_ids,
       now() AS now

-- name: tickets_now
-- The listed tickets of the account as the escalation clocks see them (read only, not locked).
SELECT account_id, id, status, queue_id, priority, created_at
FROM tickets
WHERE account_id = %(account_id)s AND id = ANY (%(ticket_ids)s::bigint[])
