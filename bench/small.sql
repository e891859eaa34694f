-- Small accounts: 10 tickets each over their queues, a few with a category; audit history for
-- the big account (a page of the audit list reads it newest first).
INSERT INTO tickets (account_id, queue_id, resolution_category_id, status, subject)
SELECT q.account_id, q.id,
       CASE WHEN i % 3 = 0 THEN (SELECT min(id) FROM resolution_categories rc
                                 WHERE rc.account_id = q.account_id) END,
       CASE WHEN i % 3 = 0 THEN 'solved' ELSE 'open' END, 'Small ticket ' || i
FROM queues q CROSS JOIN generate_series(1, 4) i
WHERE q.account_id IN (SELECT id FROM accounts WHERE name LIKE 'small %');

INSERT INTO audit_events (account_id, occurred_at, actor_user_id, token_id, request_id, action,
                          object_type, object_id, before, after)
SELECT u.account_id, now() - i * interval '1 minute', u.id, NULL, md5(i::text), 'queue.update',
       'queue', i % 200,
       jsonb_build_object('id', i % 200, 'name', 'Queue ' || i, 'version', 1),
       jsonb_build_object('id', i % 200, 'name', 'Queue ' || i || ' renamed', 'version', 2)
FROM users u CROSS JOIN generate_series(1, $audit_events) i
WHERE u.account_id = (SELECT id FROM accounts WHERE name = 'big');
