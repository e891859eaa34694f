DROP INDEX api_tokens_id_idx;
DROP TABLE ops_events;
