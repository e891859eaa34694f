DROP FUNCTION business_time_reached(bigint, timestamptz[], bigint[], bigint[]);
DROP FUNCTION business_time_before(timestamptz, timestamptz[], bigint[], bigint[]);
DROP TABLE escalation_recompute_batches;
