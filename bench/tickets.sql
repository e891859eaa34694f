-- Tickets for the big account, rows [$lo, $hi): the first $bulk_tickets go to queue 'Bulk',
-- the rest spread over 198 others (the Inbox stays empty, a target for the 100k move). Solved
-- and closed tickets have a category.
WITH a AS (SELECT id FROM accounts WHERE name = 'big'),
q AS (
    SELECT array_agg(id ORDER BY id) FILTER (WHERE name <> 'Bulk' AND NOT is_builtin) AS others,
           max(id) FILTER (WHERE name = 'Bulk') AS bulk
    FROM queues WHERE account_id = (SELECT id FROM a)
),
c AS (
    SELECT array_agg(id ORDER BY position) AS ids
    FROM resolution_categories WHERE account_id = (SELECT id FROM a)
)
INSERT INTO tickets (account_id, queue_id, resolution_category_id, status, priority, subject,
                     created_at, updated_at)
SELECT (SELECT id FROM a),
       CASE WHEN i < $bulk_tickets THEN q.bulk ELSE q.others[1 + i % 198] END,
       CASE WHEN s.status IN ('solved', 'closed') THEN c.ids[1 + i % 50] END,
       s.status,
       (ARRAY['low', 'normal', 'normal', 'high', 'urgent'])[1 + i % 5],
       'Ticket ' || i || ': my order has not arrived yet',
       now() - (i % 100000) * interval '5 minutes', now() - (i % 1000) * interval '1 minute'
FROM generate_series($lo, $hi - 1) i
CROSS JOIN q CROSS JOIN c
CROSS JOIN LATERAL (
    SELECT (ARRAY['new', 'open', 'open', 'pending', 'on_hold', 'solved', 'solved', 'closed',
                  'closed', 'closed'])[1 + (i * 7) % 10] AS status
) s;
