-- A per-account epoch that changes whenever anything a list endpoint renders changes, so a
-- worker may answer a list from a response it rendered before while the epoch is the same
-- (tickiti_workflow/list_cache.py). The authentication statement reads the epoch in the same
-- round trip, so a cached list costs one statement; a changed epoch renders the list afresh.
--
-- Every table a list reads carries a deferred row trigger: the bump runs at commit, after all
-- of the transaction's other locks, so it never sits inside a lock cycle with the counter rows
-- that concurrent ticket writers update; a transaction bumps each account at most once (a
-- transaction-local marker), and a rolled-back change bumps nothing. Direct SQL from other
-- services (tickets, which change the counter tables) bumps exactly like this service's writes.
CREATE TABLE account_list_epochs (
    account_id bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    epoch      bigint NOT NULL DEFAULT 0
);

INSERT INTO account_list_epochs (account_id) SELECT id FROM accounts;

-- Every new account gets its epoch row (an account without one is simply never cached).
CREATE FUNCTION accounts_create_list_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_list_epochs (account_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER accounts_create_list_epoch AFTER INSERT ON accounts
    FOR EACH ROW EXECUTE FUNCTION accounts_create_list_epoch();

CREATE FUNCTION bump_list_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    account bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.account_id ELSE NEW.account_id END;
    marker text := 'tickiti.list_epoch_' || account;
BEGIN
    IF current_setting(marker, true) = 'bumped' THEN
        RETURN NULL;
    END IF;
    UPDATE account_list_epochs SET epoch = epoch + 1 WHERE account_id = account;
    PERFORM set_config(marker, 'bumped', true);
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER queues_list_epoch
    AFTER INSERT OR UPDATE OR DELETE ON queues
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_epoch();
CREATE CONSTRAINT TRIGGER queue_ticket_counts_list_epoch
    AFTER INSERT OR UPDATE OR DELETE ON queue_ticket_counts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_epoch();
CREATE CONSTRAINT TRIGGER resolution_categories_list_epoch
    AFTER INSERT OR UPDATE OR DELETE ON resolution_categories
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_epoch();
CREATE CONSTRAINT TRIGGER resolution_category_ticket_counts_list_epoch
    AFTER INSERT OR UPDATE OR DELETE ON resolution_category_ticket_counts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_epoch();
CREATE CONSTRAINT TRIGGER interventions_list_epoch
    AFTER INSERT OR UPDATE OR DELETE ON interventions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_epoch();
CREATE CONSTRAINT TRIGGER escalations_list_epoch
    AFTER INSERT OR UPDATE OR DELETE ON escalations
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_epoch();
CREATE CONSTRAINT TRIGGER business_hours_list_epoch
    AFTER INSERT OR UPDATE OR DELETE ON business_hours
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_epoch();
CREATE CONSTRAINT TRIGGER audit_events_list_epoch
    AFTER INSERT OR UPDATE OR DELETE ON audit_events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_epoch();
