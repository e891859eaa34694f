-- Ticket counts without a shared row in the ticket writers' path.
--
-- Until now every statement on tickets upserted the per-queue and per-category counter rows
-- (queue_ticket_counts, resolution_category_ticket_counts), and those upserts bumped the
-- account's list epoch at commit: every writer into one queue or one account waited for the
-- commit of the one before. Now a ticket write only appends rows to ticket_count_changes, an
-- insert-only log that no writer ever locks:
--
--   * a row trigger appends one row per ticket inserted or deleted, one per update that only
--     opens or closes a ticket, and two (minus the old place, plus the new one) per update that
--     changes a ticket's queue, category or account. Updates that change none of these (subject, priority, updated_at) do not run the
--     trigger at all (its WHEN clause is checked without calling a function).
--   * this service's own bulk statements count set-based instead: they set
--     tickiti.counting = 'statement' for their transaction, which turns the row trigger off,
--     and append one row per (queue, category) themselves (sql/queues.sql, move_tickets).
--
-- A count is exact at the moment it is read: the counter row plus the sum of the account's
-- change rows, in one statement (one snapshot). The worker folds change rows into the counter
-- rows (fold_ticket_count_changes below) every second, so the log stays short; folding deletes
-- the rows it adds in the same transaction, so no change is counted twice or lost, and a fold
-- that runs twice at once is still exact (the second one skips the rows the first deleted).
--
-- The list cache (migration 0011) knows a count changed without a per-account row: a fold
-- bumps the epochs of the accounts it folded, and between two folds an account's change rows
-- only ever grow, so (epoch, number of change rows) names one state of the account's counts.
CREATE TABLE ticket_count_changes (
    account_id   bigint NOT NULL,
    queue_id     bigint NOT NULL,
    category_id  bigint,
    tickets      integer NOT NULL,
    open_tickets integer NOT NULL
);
CREATE INDEX ticket_count_changes_account_idx ON ticket_count_changes (account_id);
-- The log is short-lived: vacuum it as soon as folds have deleted a fair share of it.
ALTER TABLE ticket_count_changes SET (
    autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 5000,
    autovacuum_vacuum_insert_scale_factor = 0.0, autovacuum_vacuum_insert_threshold = 5000
);

DROP TRIGGER tickets_count_insert ON tickets;
DROP TRIGGER tickets_count_update ON tickets;
DROP TRIGGER tickets_count_delete ON tickets;
DROP FUNCTION tickets_count_changes();
DROP FUNCTION queue_ticket_counts_add(jsonb);
DROP TRIGGER tickets_category_count_insert ON tickets;
DROP TRIGGER tickets_category_count_update ON tickets;
DROP TRIGGER tickets_category_count_delete ON tickets;
DROP FUNCTION tickets_category_count_changes();
DROP FUNCTION resolution_category_ticket_counts_add(jsonb);

-- No CHECK (>= 0) on the counters: the fold adds a batch's net change, and the rows of a batch
-- are applied together.
CREATE FUNCTION log_ticket_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO ticket_count_changes VALUES
            (NEW.account_id, NEW.queue_id, NEW.resolution_category_id, 1,
             (NEW.status NOT IN ('solved', 'closed'))::int);
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO ticket_count_changes VALUES
            (OLD.account_id, OLD.queue_id, OLD.resolution_category_id, -1,
             -(OLD.status NOT IN ('solved', 'closed'))::int);
    ELSIF (OLD.account_id, OLD.queue_id, OLD.resolution_category_id)
          IS NOT DISTINCT FROM (NEW.account_id, NEW.queue_id, NEW.resolution_category_id) THEN
        -- Only the openness changed (the most common update): one row.
        INSERT INTO ticket_count_changes VALUES
            (NEW.account_id, NEW.queue_id, NEW.resolution_category_id, 0,
             (NEW.status NOT IN ('solved', 'closed'))::int
             - (OLD.status NOT IN ('solved', 'closed'))::int);
    ELSE
        INSERT INTO ticket_count_changes VALUES
            (OLD.account_id, OLD.queue_id, OLD.resolution_category_id, -1,
             -(OLD.status NOT IN ('solved', 'closed'))::int),
            (NEW.account_id, NEW.queue_id, NEW.resolution_category_id, 1,
             (NEW.status NOT IN ('solved', 'closed'))::int);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER tickets_log_count_insert AFTER INSERT ON tickets
    FOR EACH ROW
    WHEN (current_setting('tickiti.counting', true) IS DISTINCT FROM 'statement')
    EXECUTE FUNCTION log_ticket_count_change();
CREATE TRIGGER tickets_log_count_update AFTER UPDATE OF
        account_id, queue_id, resolution_category_id, status ON tickets
    FOR EACH ROW
    WHEN ((OLD.account_id, OLD.queue_id, OLD.resolution_category_id,
           OLD.status IN ('solved', 'closed'))
          IS DISTINCT FROM
          (NEW.account_id, NEW.queue_id, NEW.resolution_category_id,
           NEW.status IN ('solved', 'closed'))
          AND current_setting('tickiti.counting', true) IS DISTINCT FROM 'statement')
    EXECUTE FUNCTION log_ticket_count_change();
CREATE TRIGGER tickets_log_count_delete AFTER DELETE ON tickets
    FOR EACH ROW
    WHEN (current_setting('tickiti.counting', true) IS DISTINCT FROM 'statement')
    EXECUTE FUNCTION log_ticket_count_change();
-- Counts must follow every write, including a logical replica's or a restore's.
ALTER TABLE tickets ENABLE ALWAYS TRIGGER tickets_log_count_insert;
ALTER TABLE tickets ENABLE ALWAYS TRIGGER tickets_log_count_update;
ALTER TABLE tickets ENABLE ALWAYS TRIGGER tickets_log_count_delete;

-- TRUNCATE tickets (an ops reset) empties every count at once.
CREATE FUNCTION truncate_ticket_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM ticket_count_changes;
    UPDATE queue_ticket_counts SET ticket_count = 0, open_ticket_count = 0
    WHERE ticket_count <> 0 OR open_ticket_count <> 0;
    UPDATE resolution_category_ticket_counts SET ticket_count = 0 WHERE ticket_count <> 0;
    PERFORM bump_list_epochs('*');
    RETURN NULL;
END
$$;
CREATE TRIGGER tickets_truncate_counts AFTER TRUNCATE ON tickets
    FOR EACH STATEMENT EXECUTE FUNCTION truncate_ticket_counts();

-- Fold at most max_rows change rows into the counters; return how many were folded. Rows of
-- queues or categories deleted since are dropped (their net change is zero by then: a queue or
-- category can only be deleted once no ticket uses it). Every account whose rows were folded
-- gets a new list epoch, even when its counts did not change: its number of change rows did.
CREATE FUNCTION fold_ticket_count_changes(max_rows integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    folded integer;
    accounts bigint[];
BEGIN
    WITH gone AS (
        DELETE FROM ticket_count_changes
        WHERE ctid = ANY (ARRAY(SELECT ctid FROM ticket_count_changes LIMIT max_rows))
        RETURNING *
    ), queues AS (
        UPDATE queue_ticket_counts c
        SET ticket_count = c.ticket_count + d.tickets,
            open_ticket_count = c.open_ticket_count + d.open_tickets
        FROM (
            SELECT account_id, queue_id, sum(tickets) AS tickets,
                   sum(open_tickets) AS open_tickets
            FROM gone GROUP BY account_id, queue_id
            HAVING sum(tickets) <> 0 OR sum(open_tickets) <> 0
        ) d
        WHERE c.account_id = d.account_id AND c.queue_id = d.queue_id
    ), categories AS (
        UPDATE resolution_category_ticket_counts c
        SET ticket_count = c.ticket_count + d.tickets
        FROM (
            SELECT account_id, category_id, sum(tickets) AS tickets
            FROM gone WHERE category_id IS NOT NULL
            GROUP BY account_id, category_id
            HAVING sum(tickets) <> 0
        ) d
        WHERE c.account_id = d.account_id AND c.category_id = d.category_id
    )
    SELECT count(*), array_agg(DISTINCT account_id ORDER BY account_id)
    INTO folded, accounts
    FROM gone;
    IF folded > 0 THEN
        PERFORM bump_list_epochs(CASE WHEN cardinality(accounts) > 256 THEN '*'
                                      ELSE ',' || array_to_string(accounts, ',') || ',' END);
    END IF;
    RETURN folded;
END
$$;

-- The exact counts of an account now: counter rows plus the change rows not folded yet. Plain
-- SQL functions, so PostgreSQL inlines them into the statement that reads them (one snapshot).
CREATE FUNCTION queue_ticket_counts_now(account bigint)
RETURNS TABLE (queue_id bigint, ticket_count bigint, open_ticket_count bigint)
LANGUAGE sql STABLE AS $$
    SELECT c.queue_id,
           c.ticket_count + coalesce(d.tickets, 0),
           c.open_ticket_count + coalesce(d.open_tickets, 0)
    FROM queue_ticket_counts c
    LEFT JOIN (
        SELECT queue_id, sum(tickets) AS tickets, sum(open_tickets) AS open_tickets
        FROM ticket_count_changes
        WHERE account_id = account
        GROUP BY queue_id
    ) d ON d.queue_id = c.queue_id
    WHERE c.account_id = account
$$;

CREATE FUNCTION category_ticket_counts_now(account bigint)
RETURNS TABLE (category_id bigint, ticket_count bigint)
LANGUAGE sql STABLE AS $$
    SELECT c.category_id, c.ticket_count + coalesce(d.tickets, 0)
    FROM resolution_category_ticket_counts c
    LEFT JOIN (
        SELECT category_id, sum(tickets) AS tickets
        FROM ticket_count_changes
        WHERE account_id = account AND category_id IS NOT NULL
        GROUP BY category_id
    ) d ON d.category_id = c.category_id
    WHERE c.account_id = account
$$;

-- Counters are now written by folds alone; they no longer need to note list changes row by
-- row (the fold bumps the epochs itself), which keeps a fold of many accounts cheap.
DROP TRIGGER queue_ticket_counts_list_note ON queue_ticket_counts;
DROP TRIGGER queue_ticket_counts_list_epoch ON queue_ticket_counts;
DROP TRIGGER resolution_category_ticket_counts_list_note ON resolution_category_ticket_counts;
DROP TRIGGER resolution_category_ticket_counts_list_epoch ON resolution_category_ticket_counts;
