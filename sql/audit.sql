-- name: record_event
-- Append one audit event in the transaction of the change it describes.
INSERT INTO audit_events (account_id, actor_user_id, token_id, request_id, action, object_type,
                          object_id, before, after)
VALUES (%(account_id)s, %(actor_user_id)s, %(token_id)s, %(request_id)s, %(action)s,
        %(object_type)s, %(object_id)s, %(before)s::jsonb, %(after)s::jsonb)

-- name: list_events
-- A page of the account's audit events, newest first, after a cursor and within filters.
SELECT id, api_time(occurred_at) AS occurred_at, actor_user_id, token_id, request_id, action,
       object_type, object_id, before, after
FROM audit_events
WHERE account_id = %(account_id)s
  AND (%(before_id)s::bigint IS NULL OR id < %(before_id)s::bigint)
  AND (%(object_type)s::text IS NULL OR object_type = %(object_type)s::text)
  AND (%(object_id)s::bigint IS NULL OR object_id = %(object_id)s::bigint)
  AND (%(since)s::timestamptz IS NULL OR occurred_at >= %(since)s::timestamptz)
  AND (%(until)s::timestamptz IS NULL OR occurred_at < %(until)s::timestamptz)
ORDER BY id DESC
LIMIT %(limit)s::int
