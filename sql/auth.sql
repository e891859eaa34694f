-- name: authenticate
-- Resolve a token hash to token, owner, role, account and plan features in one round trip; touch last_used_at at most once a minute.
WITH found AS (
    SELECT t.id AS token_id, t.abilities, u.account_id, u.id AS user_id, u.role, u.active,
           p.features,
           t.revoked_at IS NOT NULL AS revoked,
           t.expires_at IS NOT NULL AND t.expires_at <= now() AS expired
    FROM api_tokens t
    JOIN users u ON u.account_id = t.account_id AND u.id = t.user_id
    JOIN accounts a ON a.id = t.account_id
    JOIN plans p ON p.code = a.plan_code
    WHERE t.token_hash = %(token_hash)s
), touched AS (
    UPDATE api_tokens SET last_used_at = now()
    WHERE token_hash = %(token_hash)s
      AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
      AND EXISTS (SELECT 1 FROM found WHERE NOT revoked AND NOT expired AND active)
    RETURNING id
)
SELECT token_id, abilities, account_id, user_id, role, active, features, revoked, expired
FROM found
