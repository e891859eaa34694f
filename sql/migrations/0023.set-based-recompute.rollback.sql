DROP FUNCTION business_time_walk(timestamptz, bigint, timestamptz[], bigint[], bigint[]);
DROP TABLE escalation_recompute_batches;
