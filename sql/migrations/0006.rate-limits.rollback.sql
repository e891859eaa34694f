DROP TABLE rate_limit_windows;
ALTER TABLE plans DROP COLUMN rate_limit_per_minute;
