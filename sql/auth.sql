-- name: authenticate
-- Resolve a token hash to token, owner, role, account, plan features, rate-limit window and the account's list state (epoch and unfolded ticket count changes) in one round trip; touch last_used_at at most once a minute.
WITH found AS (
    SELECT t.id AS token_id, t.abilities, u.account_id, u.id AS user_id, u.role, u.active,
           p.features, p.rate_limit_per_minute,
           -- Between two folds an account's count changes only grow in number, so the epoch
           -- and that number name one state of everything its lists show (migration 0013).
           -- Past 1,000 unfolded changes (a burst the worker has yet to fold) lists are not
           -- cached, which keeps this count cheap.
           le.epoch::text || '.' || nullif((
               SELECT count(*) FROM (
                   SELECT FROM ticket_count_changes c WHERE c.account_id = t.account_id
                   LIMIT 1001
               ) pending
           ), 1001) AS list_epoch,
           t.revoked_at IS NOT NULL AS revoked,
           t.expires_at IS NOT NULL AND t.expires_at <= now() AS expired
    FROM api_tokens t
    JOIN users u ON u.account_id = t.account_id AND u.id = t.user_id
    JOIN accounts a ON a.id = t.account_id
    JOIN plans p ON p.code = a.plan_code
    LEFT JOIN account_list_epochs le ON le.account_id = t.account_id
    WHERE t.token_hash = %(token_hash)s
), valid AS (
    SELECT token_id FROM found WHERE NOT revoked AND NOT expired AND active
), touched AS (
    UPDATE api_tokens SET last_used_at = now()
    WHERE token_hash = %(token_hash)s
      AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
      AND EXISTS (SELECT 1 FROM valid)
    RETURNING id
), counted AS (
    INSERT INTO rate_limit_windows AS w (token_id, window_start, request_count)
    SELECT token_id, date_trunc('minute', now()), 1 FROM valid
    ON CONFLICT (token_id) DO UPDATE
        SET request_count = CASE WHEN w.window_start = EXCLUDED.window_start
                                 THEN w.request_count + 1 ELSE 1 END,
            window_start = EXCLUDED.window_start
    RETURNING request_count, window_start
)
SELECT f.token_id, f.abilities, f.account_id, f.user_id, f.role, f.active, f.features,
       f.revoked, f.expired, f.rate_limit_per_minute, f.list_epoch,
       c.request_count,
       ceil(extract(epoch FROM c.window_start + interval '1 minute' - now()))::int AS window_reset
FROM found f
LEFT JOIN counted c ON true
