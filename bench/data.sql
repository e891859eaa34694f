-- Benchmark data, set-based (bench/run.py substitutes integers for the dollar placeholders).
-- Accounts: 'big' ($big_tickets tickets in 200 queues, one of them 'Bulk' with $bulk_tickets),
-- 'twin' (the same configuration with no tickets), and $small_accounts small accounts.
-- Every account is on 'pro' with one admin and $tokens_per_account API tokens named
-- tkt_bench_<account id>_<n>, padded with x to the 43 characters of a real token (the secret
-- is predictable: this is a benchmark database).

UPDATE plans SET rate_limit_per_minute = 100000000;

INSERT INTO accounts (name, plan_code) VALUES ('big', 'pro'), ('twin', 'pro');
INSERT INTO accounts (name, plan_code)
SELECT 'small ' || i, 'pro' FROM generate_series(1, $small_accounts) i;

INSERT INTO users (account_id, email, name, role)
SELECT id, 'admin@' || id || '.bench.test', 'Admin', 'admin' FROM accounts;

INSERT INTO api_tokens (account_id, user_id, name, token_hash, token_prefix, abilities)
SELECT u.account_id, u.id, 'bench ' || n,
       encode(sha256(convert_to(t.token, 'UTF8')), 'hex'), left(t.token, 8), '{workflow:write}'
FROM users u
CROSS JOIN generate_series(1, $tokens_per_account) n
CROSS JOIN LATERAL (SELECT 'tkt_' || rpad('bench_' || u.account_id || '_' || n, 43, 'x') AS token) t;

-- Queues: big and twin get 199 more (200 with the built-in Inbox), small accounts 2 more.
INSERT INTO queues (account_id, name, description)
SELECT a.id, CASE WHEN i = 1 THEN 'Bulk' ELSE 'Queue ' || lpad(i::text, 3, '0') END,
       'Benchmark queue ' || i
FROM accounts a CROSS JOIN generate_series(1, 199) i
WHERE a.name IN ('big', 'twin');
INSERT INTO queues (account_id, name)
SELECT a.id, 'Queue ' || i FROM accounts a CROSS JOIN generate_series(1, 2) i
WHERE a.name LIKE 'small %';

-- 50 resolution categories for big and twin, 3 for each small account.
INSERT INTO resolution_categories (account_id, name, description, position)
SELECT a.id, 'Category ' || lpad(i::text, 2, '0'), 'Resolved as kind ' || i, i
FROM accounts a CROSS JOIN generate_series(1, 50) i
WHERE a.name IN ('big', 'twin');
INSERT INTO resolution_categories (account_id, name, position)
SELECT a.id, 'Category ' || i, i FROM accounts a CROSS JOIN generate_series(1, 3) i
WHERE a.name LIKE 'small %';

-- 20 interventions with 6 fields each (two selects with options) for big and twin.
INSERT INTO interventions (account_id, name, description, remote_url, fields)
SELECT a.id, 'Intervention ' || lpad(i::text, 2, '0'), 'Runs remote action ' || i,
       'https://actions.example.com/tickiti/' || i,
       '[{"key": "order_id", "label": "Order number", "type": "text", "required": true, "options": [], "help_text": "The order on the invoice"},
         {"key": "reason", "label": "Reason", "type": "select", "required": true, "options": [{"value": "damaged", "label": "Arrived damaged"}, {"value": "late", "label": "Arrived late"}, {"value": "wrong", "label": "Wrong item"}], "help_text": ""},
         {"key": "amount", "label": "Amount", "type": "number", "required": false, "options": [], "help_text": "In the order currency"},
         {"key": "notes", "label": "Notes", "type": "textarea", "required": false, "options": [], "help_text": ""},
         {"key": "channels", "label": "Notify via", "type": "multiselect", "required": false, "options": [{"value": "email", "label": "E-mail"}, {"value": "sms", "label": "SMS"}], "help_text": ""},
         {"key": "urgent", "label": "Urgent", "type": "checkbox", "required": false, "options": [], "help_text": ""}]'::json
FROM accounts a CROSS JOIN generate_series(1, 20) i
WHERE a.name IN ('big', 'twin');

-- 50 escalations for big and twin: conditions on 3 queues, a move and a priority action.
WITH q AS (
    SELECT account_id, array_agg(id ORDER BY id) AS ids
    FROM queues WHERE account_id IN (SELECT id FROM accounts WHERE name IN ('big', 'twin'))
    GROUP BY account_id
)
INSERT INTO escalations (account_id, name, enabled, position, condition_queue_ids,
                         condition_priorities, target_metric, target_minutes,
                         target_business_hours, actions)
SELECT q.account_id, 'Escalation ' || lpad(i::text, 2, '0'), i % 7 <> 0, i,
       ARRAY[q.ids[2 + i], q.ids[60 + i], q.ids[120 + i]], '{high,urgent}',
       (ARRAY['first_response', 'next_response', 'resolution', 'idle'])[1 + i % 4],
       30 + 10 * i, i % 2 = 0,
       jsonb_build_array(jsonb_build_object('type', 'move_to_queue', 'queue_id', q.ids[1]),
                         jsonb_build_object('type', 'set_priority', 'priority', 'urgent'))
FROM q CROSS JOIN generate_series(1, 50) i;
INSERT INTO escalation_queue_refs (account_id, escalation_id, queue_id)
SELECT DISTINCT e.account_id, e.id, x.queue_id
FROM escalations e
CROSS JOIN LATERAL (
    SELECT unnest(e.condition_queue_ids) AS queue_id
    UNION SELECT (a->>'queue_id')::bigint FROM jsonb_array_elements(e.actions) a
    WHERE a->>'type' = 'move_to_queue'
) x;
