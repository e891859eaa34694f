-- name: create_account
-- Create an account on a plan (its Inbox queue comes from a trigger).
INSERT INTO accounts (name, plan_code)
VALUES (%(name)s, %(plan)s)
RETURNING id, name, plan_code AS plan

-- name: plan_codes
-- Every plan code, for clear errors in the ops commands.
SELECT code FROM plans ORDER BY code

-- name: create_user
-- Create a user in an account.
INSERT INTO users (account_id, email, name, role)
VALUES (%(account_id)s, %(email)s, %(name)s, %(role)s)
RETURNING id

-- name: account_exists
-- Whether an account exists.
SELECT id FROM accounts WHERE id = %(account_id)s

-- name: find_user
-- A user's account, found by the user's id alone.
SELECT account_id, id FROM users WHERE id = %(user_id)s

-- name: create_token
-- Store a new API token's hash (the secret itself is never stored).
INSERT INTO api_tokens (account_id, user_id, name, token_hash, token_prefix, abilities, expires_at)
VALUES (%(account_id)s, %(user_id)s, %(name)s, %(token_hash)s, %(token_prefix)s,
        %(abilities)s::text[],
        CASE WHEN %(expires_in_days)s::int IS NULL THEN NULL
             ELSE now() + make_interval(days => %(expires_in_days)s::int) END)
RETURNING id
