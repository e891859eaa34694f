-- An account's armed clocks of one metric, earliest due first: an escalation's create or update
-- decides the first of them again to say how many tickets it would fire at once
-- (sql/escalation_api.sql, immediate_candidates), one index range whatever the account's size.
CREATE INDEX escalation_timers_metric_due_idx ON escalation_timers (account_id, metric, due_at);
