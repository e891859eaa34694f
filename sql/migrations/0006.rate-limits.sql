-- Per-token request limits, per plan, counted in PostgreSQL so every worker and every dyno
-- shares them. The counter is bumped by the authentication statement itself (no extra round
-- trip). The table is UNLOGGED: a counter write produces no WAL to flush at commit, and losing
-- the current minute's counts in a crash is harmless.

ALTER TABLE plans ADD COLUMN rate_limit_per_minute integer NOT NULL DEFAULT 600
    CHECK (rate_limit_per_minute > 0);
UPDATE plans SET rate_limit_per_minute = 300 WHERE code = 'starter';
UPDATE plans SET rate_limit_per_minute = 600 WHERE code = 'growth';
UPDATE plans SET rate_limit_per_minute = 1200 WHERE code = 'pro';

-- One row per token: the current fixed one-minute window and the requests counted in it.
CREATE UNLOGGED TABLE rate_limit_windows (
    token_id      bigint PRIMARY KEY,
    window_start  timestamptz NOT NULL,
    request_count integer NOT NULL
);
