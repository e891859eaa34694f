-- name: wait_for_key
-- Let the claim wait as long as a statement may run: a concurrent retry waits for the first attempt instead of timing out on its lock.
SELECT set_config('lock_timeout', %(wait_ms)s::text, true)

-- name: claim_key
-- Claim an Idempotency-Key for this request (or reclaim one older than 24 hours); no row means it is taken.
INSERT INTO idempotency_keys (account_id, user_id, key, request_hash)
VALUES (%(account_id)s, %(user_id)s, %(key)s, %(request_hash)s)
ON CONFLICT (account_id, user_id, key) DO UPDATE
    SET request_hash = EXCLUDED.request_hash, status_code = NULL, response_body = NULL,
        created_at = now()
    WHERE idempotency_keys.created_at < now() - interval '24 hours'
RETURNING key

-- name: get_key
-- The stored request hash and response of a live Idempotency-Key.
SELECT request_hash, status_code, response_body
FROM idempotency_keys
WHERE account_id = %(account_id)s AND user_id = %(user_id)s AND key = %(key)s

-- name: store_response
-- Keep the response of the write that claimed the key, in the same transaction as the write.
UPDATE idempotency_keys
SET status_code = %(status_code)s, response_body = %(response_body)s
WHERE account_id = %(account_id)s AND user_id = %(user_id)s AND key = %(key)s

-- name: purge_expired
-- Forget keys older than 24 hours.
DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'
