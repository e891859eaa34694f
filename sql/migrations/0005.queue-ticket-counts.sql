-- Exact per-queue ticket counts kept by statement-level triggers, so listing queues reads one
-- row per queue instead of scanning an account's tickets. The triggers see every write to
-- tickets (this service's moves and other services' direct SQL alike) and add the statement's
-- net change per queue with one upsert; concurrent writers add commutative deltas under the
-- counter row's lock, so the counts stay exact. Rows are upserted in key order so two
-- statements touching the same queues lock their counters in the same order.

CREATE TABLE queue_ticket_counts (
    account_id        bigint NOT NULL,
    queue_id          bigint NOT NULL,
    -- No CHECK (>= 0): an upsert checks the proposed row, which carries a negative delta.
    ticket_count      bigint NOT NULL DEFAULT 0,
    open_ticket_count bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, queue_id),
    FOREIGN KEY (account_id, queue_id) REFERENCES queues (account_id, id) ON DELETE CASCADE
);

CREATE FUNCTION queue_ticket_counts_add(deltas jsonb) RETURNS void LANGUAGE sql AS $$
    INSERT INTO queue_ticket_counts AS c (account_id, queue_id, ticket_count, open_ticket_count)
    SELECT (d->>'account_id')::bigint, (d->>'queue_id')::bigint,
           (d->>'total')::bigint, (d->>'open')::bigint
    FROM jsonb_array_elements(deltas) d
    ORDER BY 1, 2
    ON CONFLICT (account_id, queue_id) DO UPDATE
        SET ticket_count = c.ticket_count + EXCLUDED.ticket_count,
            open_ticket_count = c.open_ticket_count + EXCLUDED.open_ticket_count
$$;

CREATE FUNCTION tickets_count_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    deltas jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(x) INTO deltas FROM (
            SELECT account_id, queue_id, count(*) AS total,
                   count(*) FILTER (WHERE status NOT IN ('solved', 'closed')) AS open
            FROM new_rows GROUP BY account_id, queue_id
        ) x;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_agg(x) INTO deltas FROM (
            SELECT account_id, queue_id, -count(*) AS total,
                   -count(*) FILTER (WHERE status NOT IN ('solved', 'closed')) AS open
            FROM old_rows GROUP BY account_id, queue_id
        ) x;
    ELSE
        SELECT jsonb_agg(x) INTO deltas FROM (
            SELECT account_id, queue_id, sum(total) AS total, sum(open) AS open
            FROM (
                SELECT account_id, queue_id, 1 AS total,
                       (status NOT IN ('solved', 'closed'))::int AS open
                FROM new_rows
                UNION ALL
                SELECT account_id, queue_id, -1,
                       -(status NOT IN ('solved', 'closed'))::int
                FROM old_rows
            ) changes
            GROUP BY account_id, queue_id
            HAVING sum(total) <> 0 OR sum(open) <> 0
        ) x;
    END IF;
    IF deltas IS NOT NULL THEN
        PERFORM queue_ticket_counts_add(deltas);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER tickets_count_insert AFTER INSERT ON tickets
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_count_changes();
CREATE TRIGGER tickets_count_update AFTER UPDATE ON tickets
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_count_changes();
CREATE TRIGGER tickets_count_delete AFTER DELETE ON tickets
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_count_changes();

-- Every queue has its counter row from the start; existing tickets are counted once here.
CREATE FUNCTION queues_create_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO queue_ticket_counts (account_id, queue_id) VALUES (NEW.account_id, NEW.id);
    RETURN NEW;
END
$$;
CREATE TRIGGER queues_create_counts AFTER INSERT ON queues
    FOR EACH ROW EXECUTE FUNCTION queues_create_counts();

INSERT INTO queue_ticket_counts (account_id, queue_id, ticket_count, open_ticket_count)
SELECT q.account_id, q.id, count(t.id),
       count(t.id) FILTER (WHERE t.status NOT IN ('solved', 'closed'))
FROM queues q
LEFT JOIN tickets t ON t.account_id = q.account_id AND t.queue_id = q.id
GROUP BY q.account_id, q.id;
