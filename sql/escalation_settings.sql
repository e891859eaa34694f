-- name: get_settings
-- The account's clock settings (the defaults, version 1 as of the account's creation, when it never changed them) and its latest background recompute of the clocks (nulls when none).
SELECT coalesce(s.pause_statuses, '{pending,on_hold}') AS pause_statuses,
       coalesce(s.version, 1) AS version,
       coalesce(s.updated_at, a.created_at) AS updated_at,
       r.requested_at AS recompute_requested_at,
       r.queued AS recompute_queued,
       r.finished_at AS recompute_finished_at
FROM accounts a
LEFT JOIN escalation_settings s ON s.account_id = a.id
LEFT JOIN escalation_recomputes r ON r.account_id = a.id
WHERE a.id = %(account_id)s

-- name: save_settings
-- Write the account's clock settings and bump their version (the first save makes version 2: the defaults were version 1); the trigger of migration 0019 requests the recompute.
INSERT INTO escalation_settings AS s (account_id, pause_statuses, version, updated_at)
VALUES (%(account_id)s, %(pause_statuses)s::text[], 2, now())
ON CONFLICT (account_id) DO UPDATE
SET pause_statuses = EXCLUDED.pause_statuses, version = s.version + 1, updated_at = now()
