-- Recompute an account's clocks when what they depend on changes: its escalations, business
-- hours or pause statuses. The change leaves (or renews) one request row per account; the worker
-- marks the account's tickets for a recompute in batches, oldest tickets first (ids in order),
-- counting its progress in the row, and decides them like any other changed ticket.
CREATE TABLE escalation_recomputes (
    account_id   bigint PRIMARY KEY REFERENCES accounts (id),
    requested_at timestamptz NOT NULL DEFAULT now(),
    after_ticket_id bigint NOT NULL DEFAULT 0,
    queued       bigint NOT NULL DEFAULT 0,
    finished_at  timestamptz
);

CREATE FUNCTION request_escalation_recompute() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO escalation_recomputes AS r (account_id)
    SELECT DISTINCT account_id FROM changed
    ON CONFLICT (account_id) DO UPDATE
    SET requested_at = now(), after_ticket_id = 0, queued = 0, finished_at = NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER escalations_recompute_insert AFTER INSERT ON escalations
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION request_escalation_recompute();
CREATE TRIGGER escalations_recompute_update AFTER UPDATE ON escalations
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION request_escalation_recompute();
CREATE TRIGGER escalations_recompute_delete AFTER DELETE ON escalations
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION request_escalation_recompute();
CREATE TRIGGER business_hours_recompute AFTER UPDATE ON business_hours
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION request_escalation_recompute();
CREATE TRIGGER escalation_settings_recompute_insert AFTER INSERT ON escalation_settings
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION request_escalation_recompute();
CREATE TRIGGER escalation_settings_recompute_update AFTER UPDATE ON escalation_settings
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION request_escalation_recompute();
