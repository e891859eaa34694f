-- name: record_event
-- Append one event to the ops console's trail, in the transaction of the change it describes.
INSERT INTO ops_events (actor, command, account_id, object_type, object_id, before, after)
VALUES (%(actor)s, %(command)s, %(account_id)s, %(object_type)s, %(object_id)s,
        %(before)s::jsonb, %(after)s::jsonb)

-- name: list_events
-- The latest events of the ops console's trail, newest first, optionally of one account.
SELECT id, occurred_at, actor, command, account_id, object_type, object_id, before, after
FROM ops_events
WHERE (%(account_id)s::bigint IS NULL OR account_id = %(account_id)s::bigint)
ORDER BY id DESC
LIMIT %(limit)s::int

-- name: list_accounts
-- A page of accounts in id order, after a cursor, with their plan and active users.
SELECT a.id, a.name, a.plan_code AS plan, a.created_at,
       (SELECT count(*) FROM users u WHERE u.account_id = a.id AND u.active) AS active_users
FROM accounts a
WHERE a.id > %(after_id)s::bigint
ORDER BY a.id
LIMIT %(limit)s::int

-- name: lock_account
-- An account's id, name and plan, locked for a plan change.
SELECT id, name, plan_code AS plan FROM accounts WHERE id = %(account_id)s FOR UPDATE

-- name: set_account_plan
-- Move an account to another plan.
UPDATE accounts SET plan_code = %(plan)s
WHERE id = %(account_id)s
RETURNING id, name, plan_code AS plan

-- name: lock_plan
-- A plan and its features, locked for a change.
SELECT code, name, features FROM plans WHERE code = %(plan)s FOR UPDATE

-- name: set_plan_features
-- Replace a plan's features (validated against the service's known set by the caller).
UPDATE plans SET features = %(features)s::text[]
WHERE code = %(plan)s
RETURNING code, name, features

-- name: list_plans
-- Every plan with its features.
SELECT code, name, features FROM plans ORDER BY code

-- name: lock_user
-- A user found by id alone (ops address users so), locked for a change.
SELECT account_id, id, email, name, role, active FROM users WHERE id = %(user_id)s FOR UPDATE

-- name: deactivate_user
-- Deactivate a user: none of the user's tokens passes a gate any more.
UPDATE users SET active = false
WHERE account_id = %(account_id)s AND id = %(user_id)s
RETURNING account_id, id, email, name, role, active

-- name: list_tokens
-- An account's API tokens (never their secrets nor hashes), optionally of one user, by id.
SELECT id, user_id, name, token_prefix AS prefix, abilities, created_at, last_used_at,
       expires_at, revoked_at
FROM api_tokens
WHERE account_id = %(account_id)s
  AND (%(user_id)s::bigint IS NULL OR user_id = %(user_id)s::bigint)
ORDER BY id

-- name: lock_token
-- A token found by id alone (ops address tokens so), locked for a change; no hash.
SELECT account_id, id, user_id, name, token_prefix AS prefix, abilities, expires_at,
       revoked_at, ceil(extract(epoch FROM expires_at - now()) / 86400)::int AS days_left
FROM api_tokens WHERE id = %(token_id)s FOR UPDATE

-- name: revoke_token
-- Revoke a token at once (a revoked token never passes a gate again).
UPDATE api_tokens SET revoked_at = now()
WHERE account_id = %(account_id)s AND id = %(token_id)s AND revoked_at IS NULL
RETURNING id, revoked_at
