-- shape: intervention
-- An intervention as the API shows it; token state only as a flag and hint, never the hash.
id, name, description, enabled, remote_url, fields,
remote_token_hash IS NOT NULL AS has_remote_token, remote_token_hint,
api_time(remote_token_created_at) AS remote_token_created_at,
api_time(remote_token_last_used_at) AS remote_token_last_used_at,
version, api_time(created_at) AS created_at, api_time(updated_at) AS updated_at

-- name: list_interventions
-- Every intervention of the account by name; token state only as flags and hint, never the hash.
SELECT {{intervention}}
FROM interventions
WHERE account_id = %(account_id)s
ORDER BY lower(name), id

-- name: get_intervention
-- One intervention; token state only as flags and hint, never the hash.
SELECT {{intervention}}
FROM interventions
WHERE account_id = %(account_id)s AND id = %(intervention_id)s

-- name: create_intervention
-- Insert an intervention unless the account already has %(limit)s of them (account locked).
INSERT INTO interventions (account_id, name, description, enabled, remote_url, fields)
SELECT %(account_id)s, %(name)s, %(description)s, %(enabled)s, %(remote_url)s, %(fields)s
WHERE (SELECT count(*) FROM interventions WHERE account_id = %(account_id)s) < %(limit)s::int
RETURNING {{intervention}}

-- name: lock_intervention
-- An intervention's editable state, locked against concurrent changes.
SELECT id, name, description, enabled, remote_url, fields, version
FROM interventions
WHERE account_id = %(account_id)s AND id = %(intervention_id)s
FOR UPDATE

-- name: update_intervention
-- Write an intervention's editable state (fields replaced as a whole) and bump its version.
UPDATE interventions
SET name = %(name)s, description = %(description)s, enabled = %(enabled)s,
    remote_url = %(remote_url)s, fields = %(fields)s,
    version = version + 1, updated_at = now()
WHERE account_id = %(account_id)s AND id = %(intervention_id)s

-- name: delete_intervention
-- Delete an intervention; its remote tokens go with it.
DELETE FROM interventions
WHERE account_id = %(account_id)s AND id = %(intervention_id)s
RETURNING id

-- name: replace_remote_token
-- Store a new token hash; the old one stays valid %(grace_minutes)s minutes (none if 0).
UPDATE interventions
SET previous_remote_token_hash =
        CASE WHEN %(grace_minutes)s::int > 0 THEN remote_token_hash END,
    previous_remote_token_valid_until =
        CASE WHEN %(grace_minutes)s::int > 0 AND remote_token_hash IS NOT NULL
             THEN now() + make_interval(mins => %(grace_minutes)s::int) END,
    remote_token_hash = %(token_hash)s,
    remote_token_hint = %(token_hint)s,
    remote_token_created_at = now(),
    remote_token_last_used_at = NULL,
    version = version + 1,
    updated_at = now()
WHERE account_id = %(account_id)s AND id = %(intervention_id)s
RETURNING id AS intervention_id, remote_token_created_at AS created_at

-- name: verify_remote_token
-- The enabled intervention a presented token hash belongs to (current, or previous within its grace period) on a plan with interventions; records the use. Not tenant-scoped: the token names the account.
UPDATE interventions i
SET remote_token_last_used_at = now()
FROM accounts a
JOIN plans p ON p.code = a.plan_code
WHERE a.id = i.account_id
  AND 'interventions' = ANY (p.features)
  AND i.enabled
  AND (i.remote_token_hash = %(token_hash)s
       OR (i.previous_remote_token_hash = %(token_hash)s
           AND i.previous_remote_token_valid_until > now()))
RETURNING i.account_id, i.id AS intervention_id
