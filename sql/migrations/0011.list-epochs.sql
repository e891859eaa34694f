-- A per-account epoch that changes whenever anything a list endpoint renders changes, so a
-- worker may answer a list from a response it rendered before while the epoch is the same
-- (tickiti_workflow/list_cache.py). The authentication statement reads the epoch in the same
-- round trip, so a cached list costs one statement; a changed epoch renders the list afresh.
--
-- Every table a list reads carries two row triggers. An immediate one notes the row's account
-- in one transaction-local setting (no lock taken). A deferred one bumps, at commit, the
-- epochs of all the accounts the transaction noted, locking their rows in account order:
-- after every other lock of the transaction, and in one global order, so neither the counter
-- rows that concurrent ticket writers update nor two multi-account transactions can form a
-- lock cycle with it. A transaction that changes more than 256 accounts bumps every account
-- (still in order), which keeps the note short. Epochs come from a sequence seeded with the clock, so a
-- value never repeats, even across a rollback and re-apply of this migration. TRUNCATE bumps
-- every account at once. The triggers fire also under session_replication_role = replica
-- (ENABLE ALWAYS). Direct SQL from other services bumps exactly like this service's writes.
CREATE SEQUENCE account_list_epoch_seq;
SELECT setval('account_list_epoch_seq', (extract(epoch FROM clock_timestamp()) * 1000000)::bigint);

CREATE TABLE account_list_epochs (
    account_id bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    epoch      bigint NOT NULL DEFAULT nextval('account_list_epoch_seq')
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

-- The accounts a transaction changed, as ',1,5,' ('*' past 256 accounts).
CREATE FUNCTION note_list_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    noted text := coalesce(current_setting('tickiti.list_accounts', true), '');
    before text := noted;
    account bigint;
BEGIN
    IF noted = '*' THEN
        RETURN NULL;
    END IF;
    FOREACH account IN ARRAY CASE TG_OP
        WHEN 'INSERT' THEN ARRAY[NEW.account_id]
        WHEN 'DELETE' THEN ARRAY[OLD.account_id]
        ELSE ARRAY[OLD.account_id, NEW.account_id] END
    LOOP
        IF position(',' || account || ',' IN noted) = 0 THEN
            noted := CASE WHEN length(noted) - length(replace(noted, ',', '')) > 256 THEN '*'
                          ELSE coalesce(nullif(noted, ''), ',') || account || ',' END;
            EXIT WHEN noted = '*';
        END IF;
    END LOOP;
    IF noted <> before THEN
        PERFORM set_config('tickiti.list_accounts', noted, true);
    END IF;
    RETURN NULL;
END
$$;

-- Give the accounts a set of epochs, locking their rows in account order.
CREATE FUNCTION bump_list_epochs(noted text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    accounts bigint[] := CASE WHEN noted = '*' THEN NULL
                              ELSE string_to_array(trim(BOTH ',' FROM noted), ',')::bigint[] END;
BEGIN
    PERFORM 1 FROM account_list_epochs
    WHERE accounts IS NULL OR account_id = ANY (accounts)
    ORDER BY account_id
    FOR NO KEY UPDATE;
    UPDATE account_list_epochs SET epoch = nextval('account_list_epoch_seq')
    WHERE accounts IS NULL OR account_id = ANY (accounts);
END
$$;

-- At commit (the first deferred event does the work for the whole transaction).
CREATE FUNCTION bump_noted_list_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    noted text := coalesce(current_setting('tickiti.list_accounts', true), '');
BEGIN
    IF noted <> '' THEN
        PERFORM bump_list_epochs(noted);
        PERFORM set_config('tickiti.list_accounts', '', true);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION truncate_list_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bump_list_epochs('*');
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['queues', 'queue_ticket_counts', 'resolution_categories',
                             'resolution_category_ticket_counts', 'interventions',
                             'escalations', 'business_hours', 'audit_events']
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I'
                       ' FOR EACH ROW EXECUTE FUNCTION note_list_change()',
                       t || '_list_note', t);
        EXECUTE format('CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I'
                       ' DEFERRABLE INITIALLY DEFERRED'
                       ' FOR EACH ROW EXECUTE FUNCTION bump_noted_list_epochs()',
                       t || '_list_epoch', t);
        EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION truncate_list_epochs()',
                       t || '_list_truncate', t);
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER %I', t, t || '_list_note');
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER %I', t, t || '_list_epoch');
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER %I', t, t || '_list_truncate');
    END LOOP;
END
$$;
