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
-- Take a batch of a recompute that no other transaction holds (all accounts; one its worker never finished is taken again), the oldest first, with the transaction's instant.
SELECT account_id, id, after_ticket_id, last_ticket_id, first_created, last_created,
       now() AS now
FROM escalation_recompute_batches
ORDER BY claimed_at
LIMIT 1
FOR UPDATE SKIP LOCKED

-- name: recompute_arm
-- Decide the taken batch %(batch_id)s of an account's tickets, ids after %(after_id)s up to %(last_id)s, and delete it (every table is read by that id range, so the statement runs with nested loops off: hash joins whatever the estimates). Set-based, as tickiti_workflow/sla.py decides one ticket: status segments, cycles, running ranges, and each due time walked through them in calendar time or through the business ranges given (%(starts)s…, which hold every due time of a running clock of a ticket created from %(first_created)s to %(last_created)s). A ticket with a next_response cycle, two status changes at one instant, a status change not taken into the history yet, a creation outside that span, a business-hours clock when the ranges could not be built (%(business_known)s false), one due now, or one held by another transaction is marked for the worker's full decision instead.
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
), enabled AS (
    SELECT e.id, e.target_metric AS metric, e.target_minutes::bigint * 60000000 AS amount,
           e.target_business_hours AS business, e.condition_queue_ids AS queue_ids,
           e.condition_priorities AS priorities
    FROM escalations e CROSS JOIN account
    WHERE e.account_id = %(account_id)s AND e.enabled AND account.feature
), history AS (
    -- Status changes, each no earlier than the ticket's creation.
    SELECT h.ticket_id, greatest(h.at, l.created_at) AS at, h.status
    FROM sla_status_history h JOIN locked l ON l.id = h.ticket_id
    WHERE h.account_id = %(account_id)s AND h.ticket_id > %(after_id)s
      AND h.ticket_id <= %(last_id)s
), statuses AS (
    SELECT ticket_id, count(*) <> count(DISTINCT at) AS tied,
           (array_agg(status ORDER BY at DESC))[1] AS last_status
    FROM history GROUP BY ticket_id
), captured AS (
    -- Tickets with a status change captured but not taken into the history yet (its place
    -- among the changes already taken is unknown: the full decision pulls it in first).
    SELECT ticket_id FROM sla_ticket_changes
    WHERE account_id = %(account_id)s AND ticket_id > %(after_id)s
      AND ticket_id <= %(last_id)s AND status IS NOT NULL
    UNION
    SELECT ticket_id FROM ticket_count_changes
    WHERE account_id = %(account_id)s AND ticket_id > %(after_id)s
      AND ticket_id <= %(last_id)s AND status IS NOT NULL
), messages AS (
    -- Public messages (notes never count), each no earlier than the ticket's creation.
    SELECT a.ticket_id, greatest(a.occurred_at, l.created_at) AS at, a.kind,
           l.created_at
    FROM ticket_activities a JOIN locked l ON l.id = a.ticket_id
    WHERE a.account_id = %(account_id)s AND a.ticket_id > %(after_id)s
      AND a.ticket_id <= %(last_id)s AND a.kind <> 'agent_note'
), fired AS (
    SELECT ticket_id, escalation_id, metric, cycle FROM escalation_firings
    WHERE account_id = %(account_id)s AND ticket_id > %(after_id)s
      AND ticket_id <= %(last_id)s
), replies AS (
    -- The first reply ends first_response; idle runs in cycles from every public message.
    SELECT ticket_id, min(at) FILTER (WHERE kind = 'agent_reply') AS first_reply,
           max(at) AS last_message,
           count(DISTINCT at) FILTER (WHERE at > created_at) AS idle_restarts
    FROM messages GROUP BY ticket_id
), awaiting AS (
    -- Tickets with a next_response cycle (a customer message after the first reply).
    SELECT DISTINCT m.ticket_id FROM messages m JOIN replies r USING (ticket_id)
    WHERE m.kind = 'customer_message' AND m.at > r.first_reply
), measures AS (
    SELECT bool_or(metric = 'next_response') IS TRUE AS next_response,
           bool_or(business) IS TRUE AS business
    FROM enabled
), decidable AS (
    -- Left to the full decision: a next_response cycle an escalation measures, two status
    -- changes at one instant, a change not taken into the history yet, a creation outside
    -- the batch's span (a ticket reopened since the batch was cut) and, when the business
    -- ranges could not be built (business hours with no business time), any running clock.
    SELECT l.*, r.first_reply,
           1 + coalesce(r.idle_restarts, 0) AS idle_cycle,
           greatest(l.created_at, r.last_message) AS idle_start
    FROM locked l
    CROSS JOIN measures m
    LEFT JOIN statuses s ON s.ticket_id = l.id
    LEFT JOIN replies r ON r.ticket_id = l.id
    LEFT JOIN captured c ON c.ticket_id = l.id
    LEFT JOIN awaiting w ON w.ticket_id = l.id
    WHERE l.status IN ('solved', 'closed')  -- no clock runs, nothing is armed
       OR ((s.ticket_id IS NULL OR (NOT s.tied AND s.last_status = l.status))
           AND c.ticket_id IS NULL
           AND (w.ticket_id IS NULL OR NOT m.next_response)
           AND l.created_at BETWEEN %(first_created)s AND %(last_created)s
           AND (%(business_known)s OR NOT m.business))
), segments AS (
    -- (from, until, status); the first from the ticket's creation, the last open-ended.
    SELECT h.ticket_id,
           CASE WHEN row_number() OVER w = 1 THEN d.created_at ELSE h.at END AS seg_from,
           lead(h.at) OVER w AS seg_until, h.status
    FROM history h JOIN decidable d ON d.id = h.ticket_id
    WINDOW w AS (PARTITION BY h.ticket_id ORDER BY h.at)
    UNION ALL
    SELECT d.id, d.created_at, NULL, d.status
    FROM decidable d LEFT JOIN statuses s ON s.ticket_id = d.id
    WHERE s.ticket_id IS NULL
), clocks AS (
    -- Each matching escalation's open cycle that has not fired: the ones to arm.
    SELECT d.id AS ticket_id, d.created_at, e.id AS escalation_id, e.metric, e.amount,
           e.business, CASE e.metric WHEN 'idle' THEN d.idle_cycle ELSE 1 END AS cycle,
           CASE e.metric WHEN 'idle' THEN d.idle_start ELSE d.created_at END AS cycle_start
    FROM decidable d JOIN enabled e
      ON (cardinality(e.queue_ids) = 0 OR d.queue_id = ANY (e.queue_ids))
     AND (cardinality(e.priorities) = 0 OR d.priority = ANY (e.priorities))
    WHERE d.status NOT IN ('solved', 'closed')
      AND e.metric <> 'next_response'
      AND (e.metric <> 'first_response' OR d.first_reply IS NULL)
), unfired AS (
    SELECT c.* FROM clocks c
    WHERE NOT EXISTS (SELECT 1 FROM fired f
                      WHERE f.ticket_id = c.ticket_id AND f.escalation_id = c.escalation_id
                        AND f.metric = c.metric AND f.cycle = c.cycle)
), running AS (
    -- The cycle's running ranges: its span within the statuses its clock runs in (every
    -- status but solved and closed; idle also in the pause statuses), with the time each
    -- consumes (null: open-ended) and the time the ranges before it consumed.
    SELECT u.ticket_id, u.created_at, u.escalation_id, u.metric, u.cycle, u.amount,
           u.business, x.a,
           x.used, coalesce(sum(x.used) OVER (
               PARTITION BY u.ticket_id, u.escalation_id ORDER BY x.a
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)::bigint AS prior
    FROM unfired u
    JOIN segments s ON s.ticket_id = u.ticket_id
    CROSS JOIN account
    CROSS JOIN LATERAL (
        SELECT greatest(s.seg_from, u.cycle_start) AS a,
               CASE WHEN s.seg_until IS NULL THEN NULL
                    WHEN NOT u.business THEN (extract(epoch FROM s.seg_until
                        - greatest(s.seg_from, u.cycle_start)) * 1000000)::bigint
                    ELSE business_time_before(s.seg_until, %(starts)s::timestamptz[],
                                              %(befores)s::bigint[], %(afters)s::bigint[])
                       - business_time_before(greatest(s.seg_from, u.cycle_start),
                                              %(starts)s::timestamptz[],
                                              %(befores)s::bigint[], %(afters)s::bigint[])
               END AS used
    ) x
    WHERE (s.seg_until IS NULL OR s.seg_until > u.cycle_start)
      AND s.status NOT IN ('solved', 'closed')
      AND (u.metric = 'idle' OR s.status <> ALL (account.pause_statuses))
), dues AS (
    -- The range in which the target is reached, and the instant. A clock whose ranges all
    -- ended short of it is paused: nothing to arm.
    SELECT DISTINCT ON (r.ticket_id, r.escalation_id)
           r.ticket_id, r.escalation_id, r.metric, r.cycle,
           CASE WHEN NOT r.business THEN r.a + (r.amount - r.prior) * interval '1 microsecond'
                ELSE business_time_reached(
                    business_time_before(r.a, %(starts)s::timestamptz[], %(befores)s::bigint[],
                                         %(afters)s::bigint[]) + r.amount - r.prior,
                    %(starts)s::timestamptz[], %(befores)s::bigint[], %(afters)s::bigint[])
           END AS due_at
    FROM running r
    WHERE r.used IS NULL OR r.prior + r.used >= r.amount
    ORDER BY r.ticket_id, r.escalation_id, r.a
), decided AS (
    SELECT d.id FROM decidable d
    WHERE NOT EXISTS (SELECT 1 FROM dues u
                      WHERE u.ticket_id = d.id AND (u.due_at IS NULL OR u.due_at <= now()))
), cleared AS (
    DELETE FROM escalation_timers x
    WHERE x.account_id = %(account_id)s AND x.ticket_id > %(after_id)s
      AND x.ticket_id <= %(last_id)s
      AND x.ticket_id IN (SELECT id FROM decided)
      AND NOT EXISTS (SELECT 1 FROM dues u
                      WHERE u.ticket_id = x.ticket_id AND u.escalation_id = x.escalation_id
                        AND u.metric = x.metric AND u.cycle = x.cycle)
), armed AS (
    INSERT INTO escalation_timers (account_id, ticket_id, escalation_id, metric, cycle, due_at)
    SELECT %(account_id)s, u.ticket_id, u.escalation_id, u.metric, u.cycle, u.due_at
    FROM dues u JOIN decided c ON c.id = u.ticket_id
    ON CONFLICT (account_id, ticket_id, escalation_id, metric, cycle) DO UPDATE
    SET due_at = EXCLUDED.due_at, armed_at = now()
    WHERE escalation_timers.due_at <> EXCLUDED.due_at
), handed_on AS (
    INSERT INTO sla_dirty_tickets (account_id, ticket_id, since)
    SELECT %(account_id)s, i.id, i.created_at FROM inrange i
    LEFT JOIN decided d ON d.id = i.id
    WHERE d.id IS NULL
    ON CONFLICT (account_id, ticket_id) DO UPDATE
    SET since = least(sla_dirty_tickets.since, EXCLUDED.since)
    RETURNING 1
), done AS (
    DELETE FROM escalation_recompute_batches
    WHERE account_id = %(account_id)s AND id = %(batch_id)s
)
SELECT (SELECT count(*) FROM decided) AS decided, (SELECT count(*) FROM handed_on) AS handed_on
