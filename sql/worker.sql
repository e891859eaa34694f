-- name: claim_job
-- Take the oldest unfinished job whose lease is free or expired (any account), under a new lease.
UPDATE jobs j
SET status = 'running', lease_owner = %(owner)s,
    lease_expires_at = now() + make_interval(secs => %(lease_seconds)s),
    started_at = coalesce(j.started_at, now()), attempts = j.attempts + 1, updated_at = now()
FROM (
    SELECT account_id, id FROM jobs
    WHERE status IN ('queued', 'running')
      AND (lease_expires_at IS NULL OR lease_expires_at < now())
    ORDER BY created_at, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
) free
WHERE j.account_id = free.account_id AND j.id = free.id
RETURNING j.account_id, j.id, j.kind, j.source_id, j.target_id, j.actor_user_id,
          j.token_id, j.request_id, j.total, j.done, j.attempts

-- name: hold_job
-- Lock a job this worker leases and extend the lease; no row if the lease was lost.
UPDATE jobs
SET lease_expires_at = now() + make_interval(secs => %(lease_seconds)s), updated_at = now()
WHERE account_id = %(account_id)s AND id = %(job_id)s AND lease_owner = %(owner)s
  AND status = 'running'
RETURNING done

-- name: add_progress
-- Count tickets a chunk moved; the total grows when tickets arrived in the source queue meanwhile.
UPDATE jobs
SET done = done + %(moved)s, total = greatest(total, done + %(moved)s), updated_at = now()
WHERE account_id = %(account_id)s AND id = %(job_id)s

-- name: finish_job
-- Mark a job succeeded or failed and free its lease.
UPDATE jobs
SET status = %(status)s, error = %(error)s::jsonb, finished_at = now(), updated_at = now(),
    lease_owner = NULL, lease_expires_at = NULL
WHERE account_id = %(account_id)s AND id = %(job_id)s AND lease_owner = %(owner)s

-- name: release_job
-- Give a job's lease back (the worker is stopping) so another worker resumes it at once.
UPDATE jobs
SET lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
WHERE account_id = %(account_id)s AND id = %(job_id)s AND lease_owner = %(owner)s
  AND status = 'running'

-- name: claim_task
-- Take a scheduled task's current run if it is due and no other worker took it (all accounts).
UPDATE worker_schedule
SET next_run_at = now() + every, last_started_at = now()
WHERE task = %(task)s AND next_run_at <= now()
RETURNING task

-- name: finish_task
-- Record how a scheduled task's run ended.
UPDATE worker_schedule
SET last_finished_at = now(), last_error = %(error)s
WHERE task = %(task)s

-- name: fold_ticket_counts
-- Fold up to %(max_rows)s ticket count changes into the counters (every account).
SELECT fold_ticket_count_changes(%(max_rows)s) AS folded
