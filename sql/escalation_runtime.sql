-- name: ingest_changes
-- Move up to %(max_rows)s captured ticket changes (all accounts) into the status history and mark their tickets for a recompute where the account has enabled escalations.
WITH gone AS (
    DELETE FROM sla_ticket_changes
    WHERE ctid = ANY (ARRAY(SELECT ctid FROM sla_ticket_changes
                            LIMIT %(max_rows)s FOR UPDATE SKIP LOCKED))
    RETURNING *
), history AS (
    INSERT INTO sla_status_history (account_id, ticket_id, at, status)
    SELECT account_id, ticket_id, at, status FROM gone
    WHERE status IS NOT NULL AND status <> 'deleted'
), dirty AS (
    INSERT INTO sla_dirty_tickets (account_id, ticket_id, since)
    SELECT g.account_id, g.ticket_id, min(g.at) FROM gone g
    WHERE EXISTS (SELECT 1 FROM escalations e WHERE e.account_id = g.account_id AND e.enabled)
       OR EXISTS (SELECT 1 FROM escalation_timers t
                  WHERE t.account_id = g.account_id AND t.ticket_id = g.ticket_id)
    GROUP BY g.account_id, g.ticket_id
    ON CONFLICT (account_id, ticket_id) DO NOTHING
)
SELECT count(*) AS ingested FROM gone

-- name: candidates
-- Tickets to decide now (all accounts): those with a timer due, earliest first, then those marked for a recompute, oldest mark first (marks another worker has taken are skipped, so workers share a recompute instead of racing for the same tickets).
WITH due AS (
    SELECT account_id, ticket_id FROM escalation_timers
    WHERE due_at <= now() ORDER BY due_at LIMIT %(limit)s
), dirty AS (
    SELECT account_id, ticket_id FROM sla_dirty_tickets ORDER BY since LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
SELECT account_id, ticket_id FROM due
UNION
SELECT account_id, ticket_id FROM dirty

-- name: lock_tickets
-- Lock the listed tickets that no other transaction holds (all accounts), with their plan's escalations feature.
SELECT t.account_id, t.id, t.status, t.queue_id, t.priority, t.created_at,
       'escalations' = ANY (p.features) AS feature
FROM tickets t
JOIN accounts a ON a.id = t.account_id
JOIN plans p ON p.code = a.plan_code
WHERE (t.account_id, t.id) IN (SELECT * FROM unnest(%(account_ids)s::bigint[], %(ticket_ids)s::bigint[]))
ORDER BY t.account_id, t.id
FOR NO KEY UPDATE OF t SKIP LOCKED

-- name: existing_tickets
-- Which of the listed tickets exist (all accounts), locked or not.
SELECT account_id, id FROM tickets
WHERE (account_id, id) IN (SELECT * FROM unnest(%(account_ids)s::bigint[], %(ticket_ids)s::bigint[]))

-- name: forget_tickets
-- Drop the clocks of deleted tickets (all accounts; their firings stay as history).
WITH t AS (SELECT * FROM unnest(%(account_ids)s::bigint[], %(ticket_ids)s::bigint[]) AS t (a, i)),
timers AS (
    DELETE FROM escalation_timers x USING t WHERE x.account_id = t.a AND x.ticket_id = t.i
), history AS (
    DELETE FROM sla_status_history x USING t WHERE x.account_id = t.a AND x.ticket_id = t.i
)
DELETE FROM sla_dirty_tickets x USING t WHERE x.account_id = t.a AND x.ticket_id = t.i

-- name: pull_changes
-- Take the listed (locked) tickets' captured changes not ingested yet into their history, from the clock log and from capture rows not folded yet (their counts stay for the fold) (all accounts).
WITH keys AS (
    SELECT * FROM unnest(%(account_ids)s::bigint[], %(ticket_ids)s::bigint[]) AS k (a, i)
), gone AS (
    DELETE FROM sla_ticket_changes x USING keys
    WHERE x.account_id = keys.a AND x.ticket_id = keys.i
    RETURNING x.account_id, x.ticket_id, x.at, x.status
), unfolded AS (
    SELECT c.ctid AS row_id, c.account_id, c.ticket_id, c.at, c.status
    FROM ticket_count_changes c JOIN keys ON c.account_id = keys.a AND c.ticket_id = keys.i
    FOR UPDATE OF c
), taken AS (
    UPDATE ticket_count_changes c SET ticket_id = NULL, at = NULL, status = NULL
    FROM unfolded u WHERE c.ctid = u.row_id
)
INSERT INTO sla_status_history (account_id, ticket_id, at, status)
SELECT account_id, ticket_id, at, status
FROM (SELECT account_id, ticket_id, at, status FROM gone
      UNION ALL
      SELECT account_id, ticket_id, at, status FROM unfolded) changes
WHERE status IS NOT NULL AND status <> 'deleted'

-- name: status_history
-- The listed tickets' status changes in time order (all accounts).
SELECT account_id, ticket_id, at, status FROM sla_status_history
WHERE (account_id, ticket_id) IN (SELECT * FROM unnest(%(account_ids)s::bigint[], %(ticket_ids)s::bigint[]))
ORDER BY account_id, ticket_id, at

-- name: public_activities
-- The listed tickets' public messages in time order (all accounts; notes never count).
SELECT account_id, ticket_id, occurred_at AS at, kind FROM ticket_activities
WHERE (account_id, ticket_id) IN (SELECT * FROM unnest(%(account_ids)s::bigint[], %(ticket_ids)s::bigint[]))
  AND kind <> 'agent_note'
ORDER BY account_id, ticket_id, occurred_at

-- name: ticket_firings
-- The listed tickets' firings (all accounts).
SELECT account_id, ticket_id, escalation_id, metric, cycle FROM escalation_firings
WHERE (account_id, ticket_id) IN (SELECT * FROM unnest(%(account_ids)s::bigint[], %(ticket_ids)s::bigint[]))

-- name: account_rules
-- The accounts' escalations, business-hours versions and pause statuses, one row per account.
SELECT a.id AS account_id,
       coalesce((SELECT json_agg(json_build_object(
                    'id', e.id, 'enabled', e.enabled, 'position', e.position,
                    'version', e.version, 'queue_ids', e.condition_queue_ids,
                    'priorities', e.condition_priorities, 'metric', e.target_metric,
                    'minutes', e.target_minutes, 'business_hours', e.target_business_hours,
                    'actions', e.actions) ORDER BY e.position)
                 FROM escalations e WHERE e.account_id = a.id), '[]') AS escalations,
       coalesce((SELECT json_agg(json_build_object(
                    'effective_from', v.effective_from, 'timezone', v.timezone,
                    'schedule', v.schedule, 'holidays', v.holidays) ORDER BY v.version)
                 FROM business_hours_versions v WHERE v.account_id = a.id), '[]') AS hours,
       coalesce((SELECT s.pause_statuses FROM escalation_settings s WHERE s.account_id = a.id),
                '{pending,on_hold}') AS pause_statuses
FROM accounts a
WHERE a.id = ANY (%(account_ids)s::bigint[])

-- name: insert_firings
-- Record firings (all accounts in the batch); a (ticket, escalation, metric, cycle) that fired before is skipped and not returned.
INSERT INTO escalation_firings (account_id, ticket_id, escalation_id, escalation_version, metric,
                                cycle, due_at, actions)
SELECT * FROM unnest(%(account_ids)s::bigint[], %(ticket_ids)s::bigint[],
                     %(escalation_ids)s::bigint[], %(versions)s::int[], %(metrics)s::text[],
                     %(cycles)s::int[], %(due_ats)s::timestamptz[], %(actions)s::jsonb[])
ON CONFLICT ON CONSTRAINT escalation_firings_once DO NOTHING
RETURNING account_id, id, ticket_id, escalation_id, metric, cycle, due_at, fired_at

-- name: apply_ticket_changes
-- Set the queue and priority escalation actions chose for the listed locked tickets (all accounts).
UPDATE tickets t
SET queue_id = c.queue_id, priority = c.priority, updated_at = now()
FROM unnest(%(account_ids)s::bigint[], %(ticket_ids)s::bigint[], %(queue_ids)s::bigint[],
            %(priorities)s::text[]) AS c (account_id, ticket_id, queue_id, priority)
WHERE t.account_id = c.account_id AND t.id = c.ticket_id

-- name: insert_moves
-- Queue history rows for tickets escalation actions moved (all accounts; no actor).
INSERT INTO ticket_events (account_id, ticket_id, from_queue_id, to_queue_id)
SELECT * FROM unnest(%(account_ids)s::bigint[], %(ticket_ids)s::bigint[],
                     %(from_queue_ids)s::bigint[], %(to_queue_ids)s::bigint[])

-- name: insert_notifications
-- Outbox rows for notify_users actions (all accounts); a dedupe key seen before is skipped.
INSERT INTO notification_outbox (account_id, dedupe_key, kind, user_id, payload)
SELECT a, k, 'escalation.fired', u, p
FROM unnest(%(account_ids)s::bigint[], %(keys)s::text[], %(user_ids)s::bigint[],
            %(payloads)s::jsonb[]) AS n (a, k, u, p)
ON CONFLICT (dedupe_key) DO NOTHING

-- name: delete_timers
-- Drop the listed tickets' timers before they are armed again (all accounts).
DELETE FROM escalation_timers x
USING unnest(%(account_ids)s::bigint[], %(ticket_ids)s::bigint[]) AS t (a, i)
WHERE x.account_id = t.a AND x.ticket_id = t.i

-- name: arm_timers
-- Arm timers (all accounts in the batch).
INSERT INTO escalation_timers (account_id, ticket_id, escalation_id, metric, cycle, due_at)
SELECT * FROM unnest(%(account_ids)s::bigint[], %(ticket_ids)s::bigint[],
                     %(escalation_ids)s::bigint[], %(metrics)s::text[], %(cycles)s::int[],
                     %(due_ats)s::timestamptz[])
ON CONFLICT (account_id, ticket_id, escalation_id, metric, cycle) DO UPDATE
SET due_at = EXCLUDED.due_at, armed_at = now()

-- name: clear_dirty
-- The listed tickets' clocks are worked out: unmark them (all accounts), except marks another transaction holds: a recompute renewing the mark (it stays, and the ticket is decided again) or another worker's candidates (waiting for those could deadlock two workers).
DELETE FROM sla_dirty_tickets x
WHERE x.ctid = ANY (ARRAY(
    SELECT d.ctid FROM sla_dirty_tickets d
    JOIN unnest(%(account_ids)s::bigint[], %(ticket_ids)s::bigint[]) AS t (a, i)
      ON d.account_id = t.a AND d.ticket_id = t.i
    FOR UPDATE OF d SKIP LOCKED))

-- name: oldest_overdue
-- How late the oldest due timer not fired yet is, in seconds (all accounts; null when none).
SELECT extract(epoch FROM now() - min(due_at))::float8 AS seconds
FROM escalation_timers WHERE due_at <= now()

-- name: pending_changes
-- The listed tickets' captured status changes not ingested yet, from the clock log and from capture rows not folded yet (all accounts; read only).
SELECT account_id, ticket_id, at, status
FROM (SELECT account_id, ticket_id, at, status FROM sla_ticket_changes
      UNION ALL
      SELECT account_id, ticket_id, at, status FROM ticket_count_changes
      WHERE ticket_id IS NOT NULL) changes
WHERE (account_id, ticket_id) IN (SELECT * FROM unnest(%(account_ids)s::bigint[], %(ticket_ids)s::bigint[]))
  AND status IS NOT NULL AND status <> 'deleted'
ORDER BY at

-- name: recompute_claim
-- Cut the next batch off one pending recompute request (all accounts: the oldest request with no batch waiting, else the oldest; a request another worker is cutting is skipped): up to %(batch)s of the account's tickets (not closed) after its cursor, in id order (the oldest first, whose clocks fall due first), counted in `queued`. A request with no ticket left and no batch waiting is finished.
WITH request AS (
    SELECT r.account_id, r.after_ticket_id, r.requested_at FROM escalation_recomputes r
    WHERE r.finished_at IS NULL
    ORDER BY EXISTS (SELECT 1 FROM escalation_recompute_batches b
                     WHERE b.account_id = r.account_id),
             r.requested_at
    LIMIT 1
    FOR UPDATE OF r SKIP LOCKED
), picked AS (
    SELECT t.id, t.created_at FROM request r
    JOIN tickets t ON t.account_id = r.account_id AND t.id > r.after_ticket_id
    WHERE t.status <> 'closed'
    ORDER BY t.id
    LIMIT %(batch)s
), span AS (
    SELECT r.account_id, r.after_ticket_id, count(p.id) AS picked, max(p.id) AS last_id,
           min(p.created_at) AS first_created, max(p.created_at) AS last_created
    FROM request r LEFT JOIN picked p ON true
    GROUP BY r.account_id, r.after_ticket_id
), batch AS (
    INSERT INTO escalation_recompute_batches (account_id, after_ticket_id, last_ticket_id,
                                              tickets, first_created, last_created)
    SELECT account_id, after_ticket_id, last_id, picked, first_created, last_created
    FROM span WHERE picked > 0
)
UPDATE escalation_recomputes r
SET after_ticket_id = coalesce(span.last_id, r.after_ticket_id),
    queued = r.queued + span.picked,
    finished_at = CASE WHEN span.picked = 0 AND NOT EXISTS (
                           SELECT 1 FROM escalation_recompute_batches b
                           WHERE b.account_id = r.account_id)
                       THEN now() END
FROM span
WHERE r.account_id = span.account_id
RETURNING r.account_id, span.picked, r.finished_at IS NOT NULL AS finished

-- name: recompute_take
-- Take a batch of a recompute that no other transaction holds (all accounts; one its worker never finished is taken again), the oldest first.
SELECT account_id, id, after_ticket_id, last_ticket_id, first_created, last_created
FROM escalation_recompute_batches
ORDER BY claimed_at
LIMIT 1
FOR UPDATE SKIP LOCKED

-- name: recompute_arm
-- Decide the taken batch %(batch_id)s of an account's tickets, ids after %(after_id)s up to %(last_id)s, and delete it. A ticket whose clocks are plain (no message, no status change, no firing; or solved) is decided here, set-based: its due times are its creation plus each matching escalation's target, in calendar time or walked through the business ranges given (built for creation times from %(first_created)s to %(last_created)s), and its timers are armed. Every other ticket, one due now, or one another transaction holds, is marked for the worker's full decision.
WITH inrange AS (
    SELECT id, created_at FROM tickets
    WHERE account_id = %(account_id)s AND id > %(after_id)s AND id <= %(last_id)s
      AND status <> 'closed'
), locked AS (
    SELECT id, status, queue_id, priority, created_at FROM tickets
    WHERE account_id = %(account_id)s AND id > %(after_id)s AND id <= %(last_id)s
      AND status <> 'closed'
    FOR NO KEY UPDATE SKIP LOCKED
), account AS (
    SELECT coalesce((SELECT s.pause_statuses FROM escalation_settings s
                     WHERE s.account_id = a.id), '{pending,on_hold}') AS pause_statuses,
           'escalations' = ANY (p.features) AS feature
    FROM accounts a JOIN plans p ON p.code = a.plan_code
    WHERE a.id = %(account_id)s
), rules AS (
    SELECT e.id, e.target_metric AS metric, e.target_minutes AS minutes,
           e.target_business_hours AS business, e.condition_queue_ids AS queue_ids,
           e.condition_priorities AS priorities
    FROM escalations e CROSS JOIN account
    WHERE e.account_id = %(account_id)s AND e.enabled AND account.feature
      -- A plain ticket has no next_response cycle: no customer message awaits an answer.
      AND e.target_metric <> 'next_response'
), captured AS (
    -- Status changes captured but not taken into the history yet.
    SELECT ticket_id, status FROM sla_ticket_changes
    WHERE account_id = %(account_id)s AND ticket_id > %(after_id)s
      AND ticket_id <= %(last_id)s AND status IS NOT NULL
    UNION ALL
    SELECT ticket_id, status FROM ticket_count_changes
    WHERE account_id = %(account_id)s AND ticket_id > %(after_id)s AND ticket_id <= %(last_id)s
), plain AS (
    SELECT l.* FROM locked l
    WHERE l.status IN ('solved', 'closed') OR (
        NOT EXISTS (SELECT 1 FROM escalation_firings f
                    WHERE f.account_id = %(account_id)s AND f.ticket_id = l.id)
        AND NOT EXISTS (SELECT 1 FROM ticket_activities a
                        WHERE a.account_id = %(account_id)s AND a.ticket_id = l.id
                          AND a.kind <> 'agent_note')
        AND NOT EXISTS (SELECT 1 FROM sla_status_history h
                        WHERE h.account_id = %(account_id)s AND h.ticket_id = l.id
                          AND h.status <> l.status)
        AND NOT EXISTS (SELECT 1 FROM captured c
                        WHERE c.ticket_id = l.id AND c.status IS DISTINCT FROM l.status))
), dues AS (
    -- One running range from creation: each matching escalation's due time (null: not known
    -- here). A pause status stops every clock but idle; solved stops them all.
    SELECT p.id AS ticket_id, r.id AS escalation_id, r.metric,
           CASE WHEN NOT r.business THEN p.created_at + make_interval(mins => r.minutes)
                WHEN p.created_at BETWEEN %(first_created)s AND %(last_created)s
                THEN business_time_walk(p.created_at, r.minutes * 60000000::bigint,
                                        %(starts)s::timestamptz[], %(befores)s::bigint[],
                                        %(afters)s::bigint[])
           END AS due_at
    FROM plain p CROSS JOIN account JOIN rules r
      ON (r.metric = 'idle' OR p.status <> ALL (account.pause_statuses))
     AND (cardinality(r.queue_ids) = 0 OR p.queue_id = ANY (r.queue_ids))
     AND (cardinality(r.priorities) = 0 OR p.priority = ANY (r.priorities))
    WHERE p.status NOT IN ('solved', 'closed')
), decided AS (
    SELECT p.id FROM plain p
    WHERE NOT EXISTS (SELECT 1 FROM dues d
                      WHERE d.ticket_id = p.id AND (d.due_at IS NULL OR d.due_at <= now()))
), cleared AS (
    DELETE FROM escalation_timers x
    WHERE x.account_id = %(account_id)s AND x.ticket_id > %(after_id)s
      AND x.ticket_id <= %(last_id)s
      AND x.ticket_id IN (SELECT id FROM decided)
      AND NOT EXISTS (SELECT 1 FROM dues d
                      WHERE d.ticket_id = x.ticket_id AND d.escalation_id = x.escalation_id
                        AND d.metric = x.metric AND x.cycle = 1)
), armed AS (
    INSERT INTO escalation_timers (account_id, ticket_id, escalation_id, metric, cycle, due_at)
    SELECT %(account_id)s, d.ticket_id, d.escalation_id, d.metric, 1, d.due_at
    FROM dues d JOIN decided c ON c.id = d.ticket_id
    ON CONFLICT (account_id, ticket_id, escalation_id, metric, cycle) DO UPDATE
    SET due_at = EXCLUDED.due_at, armed_at = now()
    WHERE escalation_timers.due_at <> EXCLUDED.due_at
), handed_on AS (
    INSERT INTO sla_dirty_tickets (account_id, ticket_id, since)
    SELECT %(account_id)s, i.id, i.created_at FROM inrange i
    WHERE i.id NOT IN (SELECT id FROM decided)
    ON CONFLICT (account_id, ticket_id) DO UPDATE
    SET since = least(sla_dirty_tickets.since, EXCLUDED.since)
    RETURNING 1
), done AS (
    DELETE FROM escalation_recompute_batches
    WHERE account_id = %(account_id)s AND id = %(batch_id)s
)
SELECT (SELECT count(*) FROM decided) AS decided, (SELECT count(*) FROM handed_on) AS handed_on
