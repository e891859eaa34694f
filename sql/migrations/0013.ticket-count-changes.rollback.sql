-- Back to counter rows upserted by every ticket statement: fold what the log still holds first.
SELECT fold_ticket_count_changes(2147483647);
DROP TRIGGER tickets_truncate_counts ON tickets;
DROP FUNCTION truncate_ticket_counts();
DROP TRIGGER tickets_log_count_insert ON tickets;
DROP TRIGGER tickets_log_count_update ON tickets;
DROP TRIGGER tickets_log_count_delete ON tickets;
DROP FUNCTION log_ticket_count_change();
DROP FUNCTION fold_ticket_count_changes(integer);
DROP FUNCTION queue_ticket_counts_now(bigint);
DROP FUNCTION category_ticket_counts_now(bigint);
DROP TABLE ticket_count_changes;

CREATE TRIGGER queue_ticket_counts_list_note AFTER INSERT OR UPDATE OR DELETE ON queue_ticket_counts
    FOR EACH ROW EXECUTE FUNCTION note_list_change();
CREATE CONSTRAINT TRIGGER queue_ticket_counts_list_epoch
    AFTER INSERT OR UPDATE OR DELETE ON queue_ticket_counts DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION bump_noted_list_epochs();
CREATE TRIGGER resolution_category_ticket_counts_list_note
    AFTER INSERT OR UPDATE OR DELETE ON resolution_category_ticket_counts
    FOR EACH ROW EXECUTE FUNCTION note_list_change();
CREATE CONSTRAINT TRIGGER resolution_category_ticket_counts_list_epoch
    AFTER INSERT OR UPDATE OR DELETE ON resolution_category_ticket_counts
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION bump_noted_list_epochs();
ALTER TABLE queue_ticket_counts ENABLE ALWAYS TRIGGER queue_ticket_counts_list_note;
ALTER TABLE queue_ticket_counts ENABLE ALWAYS TRIGGER queue_ticket_counts_list_epoch;
ALTER TABLE resolution_category_ticket_counts
    ENABLE ALWAYS TRIGGER resolution_category_ticket_counts_list_note;
ALTER TABLE resolution_category_ticket_counts
    ENABLE ALWAYS TRIGGER resolution_category_ticket_counts_list_epoch;

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

CREATE FUNCTION resolution_category_ticket_counts_add(deltas jsonb) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO resolution_category_ticket_counts AS c (account_id, category_id, ticket_count)
    SELECT (d->>'account_id')::bigint, (d->>'category_id')::bigint, (d->>'total')::bigint
    FROM jsonb_array_elements(deltas) d
    ORDER BY 1, 2
    ON CONFLICT (account_id, category_id) DO UPDATE
        SET ticket_count = c.ticket_count + EXCLUDED.ticket_count
$$;

CREATE FUNCTION tickets_category_count_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    deltas jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(x) INTO deltas FROM (
            SELECT account_id, resolution_category_id AS category_id, count(*) AS total
            FROM new_rows WHERE resolution_category_id IS NOT NULL
            GROUP BY account_id, resolution_category_id
        ) x;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_agg(x) INTO deltas FROM (
            SELECT account_id, resolution_category_id AS category_id, -count(*) AS total
            FROM old_rows WHERE resolution_category_id IS NOT NULL
            GROUP BY account_id, resolution_category_id
        ) x;
    ELSE
        SELECT jsonb_agg(x) INTO deltas FROM (
            SELECT account_id, category_id, sum(total) AS total
            FROM (
                SELECT account_id, resolution_category_id AS category_id, 1 AS total
                FROM new_rows WHERE resolution_category_id IS NOT NULL
                UNION ALL
                SELECT account_id, resolution_category_id, -1
                FROM old_rows WHERE resolution_category_id IS NOT NULL
            ) changes
            GROUP BY account_id, category_id
            HAVING sum(total) <> 0
        ) x;
    END IF;
    IF deltas IS NOT NULL THEN
        PERFORM resolution_category_ticket_counts_add(deltas);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER tickets_category_count_insert AFTER INSERT ON tickets
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_category_count_changes();
CREATE TRIGGER tickets_category_count_update AFTER UPDATE ON tickets
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_category_count_changes();
CREATE TRIGGER tickets_category_count_delete AFTER DELETE ON tickets
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_category_count_changes();
