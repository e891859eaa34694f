-- One capture row per move, too.
--
-- A ticket that changed queue or category appended two rows (minus the old place, plus the
-- new one). Now it appends one: the new place as before, with the old place in from_queue_id,
-- from_category_id and from_open_tickets, to be subtracted by whoever adds the row up (the
-- fold and the two *_counts_now functions below). A row whose from_queue_id is null adds its
-- own place only, as before. A ticket moved to another account still appends two rows: the
-- accounts' counts are read apart.
ALTER TABLE ticket_count_changes
    ADD COLUMN from_queue_id bigint,
    ADD COLUMN from_category_id bigint,
    ADD COLUMN from_open_tickets integer;

CREATE OR REPLACE FUNCTION log_ticket_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO ticket_count_changes VALUES
            (NEW.account_id, NEW.queue_id, NEW.resolution_category_id, 1,
             (NEW.status NOT IN ('solved', 'closed'))::int,
             NEW.id, least(NEW.created_at, clock_timestamp()), NEW.status);
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO ticket_count_changes VALUES
            (OLD.account_id, OLD.queue_id, OLD.resolution_category_id, -1,
             -(OLD.status NOT IN ('solved', 'closed'))::int,
             OLD.id, clock_timestamp(), 'deleted');
    ELSIF (OLD.queue_id, OLD.resolution_category_id)
          IS NOT DISTINCT FROM (NEW.queue_id, NEW.resolution_category_id)
          AND OLD.account_id = NEW.account_id THEN
        -- Status or priority: one row, whose count change may be zero.
        INSERT INTO ticket_count_changes VALUES
            (NEW.account_id, NEW.queue_id, NEW.resolution_category_id, 0,
             (NEW.status NOT IN ('solved', 'closed'))::int
             - (OLD.status NOT IN ('solved', 'closed'))::int,
             NEW.id, clock_timestamp(), NEW.status);
    ELSIF OLD.account_id = NEW.account_id THEN
        -- A move: the new place, and the old one to subtract.
        INSERT INTO ticket_count_changes VALUES
            (NEW.account_id, NEW.queue_id, NEW.resolution_category_id, 1,
             (NEW.status NOT IN ('solved', 'closed'))::int,
             NEW.id, clock_timestamp(), NEW.status,
             OLD.queue_id, OLD.resolution_category_id,
             (OLD.status NOT IN ('solved', 'closed'))::int);
    ELSE
        INSERT INTO ticket_count_changes VALUES
            (OLD.account_id, OLD.queue_id, OLD.resolution_category_id, -1,
             -(OLD.status NOT IN ('solved', 'closed'))::int, NULL, NULL, NULL),
            (NEW.account_id, NEW.queue_id, NEW.resolution_category_id, 1,
             (NEW.status NOT IN ('solved', 'closed'))::int,
             NEW.id, clock_timestamp(), NEW.status);
    END IF;
    RETURN NULL;
END
$$;

-- Every count change a row stands for: its own place, and the old place of a move
-- (readers add them up with LATERAL (VALUES (own place), (old place)) ... WHERE queue_id IS
-- NOT NULL).
CREATE OR REPLACE FUNCTION queue_ticket_counts_now(account bigint)
RETURNS TABLE (queue_id bigint, ticket_count bigint, open_ticket_count bigint)
LANGUAGE sql STABLE AS $$
    SELECT c.queue_id,
           c.ticket_count + coalesce(d.tickets, 0),
           c.open_ticket_count + coalesce(d.open_tickets, 0)
    FROM queue_ticket_counts c
    LEFT JOIN (
        SELECT x.queue_id, sum(x.tickets) AS tickets, sum(x.open_tickets) AS open_tickets
        FROM ticket_count_changes t
        CROSS JOIN LATERAL (VALUES
            (t.queue_id, t.category_id, t.tickets, t.open_tickets),
            (t.from_queue_id, t.from_category_id, -1, -t.from_open_tickets)
        ) x (queue_id, category_id, tickets, open_tickets)
        WHERE t.account_id = account AND x.queue_id IS NOT NULL
        GROUP BY x.queue_id
    ) d ON d.queue_id = c.queue_id
    WHERE c.account_id = account
$$;

CREATE OR REPLACE FUNCTION category_ticket_counts_now(account bigint)
RETURNS TABLE (category_id bigint, ticket_count bigint)
LANGUAGE sql STABLE AS $$
    SELECT c.category_id, c.ticket_count + coalesce(d.tickets, 0)
    FROM resolution_category_ticket_counts c
    LEFT JOIN (
        SELECT x.category_id, sum(x.tickets) AS tickets
        FROM ticket_count_changes t
        CROSS JOIN LATERAL (VALUES
            (t.queue_id, t.category_id, t.tickets, t.open_tickets),
            (t.from_queue_id, t.from_category_id, -1, -t.from_open_tickets)
        ) x (queue_id, category_id, tickets, open_tickets)
        WHERE t.account_id = account AND x.queue_id IS NOT NULL AND x.category_id IS NOT NULL
        GROUP BY x.category_id
    ) d ON d.category_id = c.category_id
    WHERE c.account_id = account
$$;

CREATE OR REPLACE FUNCTION fold_ticket_count_changes(max_rows integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    folded integer;
    accounts bigint[];
BEGIN
    -- One fold at a time (workers fold between other work): two folds would take their rows
    -- safely apart, but could deadlock on the counters they both add to.
    IF NOT pg_try_advisory_xact_lock(hashtext('tickiti.fold_ticket_count_changes')) THEN
        RETURN 0;
    END IF;
    WITH gone AS (
        DELETE FROM ticket_count_changes
        WHERE ctid = ANY (ARRAY(SELECT ctid FROM ticket_count_changes LIMIT max_rows))
        RETURNING *
    ), deltas AS (
        SELECT g.account_id, x.*
        FROM gone g
        CROSS JOIN LATERAL (VALUES
            (g.queue_id, g.category_id, g.tickets, g.open_tickets),
            (g.from_queue_id, g.from_category_id, -1, -g.from_open_tickets)
        ) x (queue_id, category_id, tickets, open_tickets)
        WHERE x.queue_id IS NOT NULL
    ), queues AS (
        UPDATE queue_ticket_counts c
        SET ticket_count = c.ticket_count + d.tickets,
            open_ticket_count = c.open_ticket_count + d.open_tickets
        FROM (
            SELECT account_id, queue_id, sum(tickets) AS tickets,
                   sum(open_tickets) AS open_tickets
            FROM deltas GROUP BY account_id, queue_id
            HAVING sum(tickets) <> 0 OR sum(open_tickets) <> 0
        ) d
        WHERE c.account_id = d.account_id AND c.queue_id = d.queue_id
    ), categories AS (
        UPDATE resolution_category_ticket_counts c
        SET ticket_count = c.ticket_count + d.tickets
        FROM (
            SELECT account_id, category_id, sum(tickets) AS tickets
            FROM deltas WHERE category_id IS NOT NULL
            GROUP BY account_id, category_id
            HAVING sum(tickets) <> 0
        ) d
        WHERE c.account_id = d.account_id AND c.category_id = d.category_id
    ), clocks AS (
        INSERT INTO sla_ticket_changes (account_id, ticket_id, at, status)
        SELECT account_id, ticket_id, at, status FROM gone WHERE ticket_id IS NOT NULL
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

