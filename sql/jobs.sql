-- name: create_job
-- Queue a job; the unique index on unfinished jobs per source refuses a second one.
INSERT INTO jobs (account_id, kind, source_id, target_id, actor_user_id, token_id,
                  request_id, total)
VALUES (%(account_id)s, %(kind)s, %(source_id)s, %(target_id)s, %(actor_user_id)s,
        %(token_id)s, %(request_id)s, %(total)s)
ON CONFLICT (account_id, object_type, source_id) WHERE status IN ('queued', 'running')
DO NOTHING
RETURNING id

-- name: active_jobs_for
-- Unfinished jobs that move tickets out of or into any of the given queues or categories, oldest first.
SELECT id, kind, source_id, target_id
FROM jobs
WHERE account_id = %(account_id)s AND status IN ('queued', 'running')
  AND object_type = %(object_type)s
  AND (source_id = ANY(%(ids)s::bigint[]) OR target_id = ANY(%(ids)s::bigint[]))
ORDER BY id

-- shape: job
-- A job as the API shows it.
id, kind, status, source_id, target_id, total, done, error,
api_time(created_at) AS created_at, api_time(started_at) AS started_at,
api_time(updated_at) AS updated_at, api_time(finished_at) AS finished_at

-- name: get_job
-- One job as the API shows it.
SELECT {{job}}
FROM jobs
WHERE account_id = %(account_id)s AND id = %(job_id)s

-- name: list_jobs
-- A page of the account's jobs, newest first, after a cursor and optionally of one status.
SELECT {{job}}
FROM jobs
WHERE account_id = %(account_id)s
  AND (%(before_id)s::bigint IS NULL OR id < %(before_id)s::bigint)
  AND (%(status)s::text IS NULL OR status = %(status)s::text)
ORDER BY id DESC
LIMIT %(limit)s::int
