-- Exact per-category ticket counts kept by statement-level triggers, so listing resolution
-- categories reads one row per category instead of counting an account's tickets. Same design
-- as queue_ticket_counts (0005): the triggers see every write to tickets, this service's and
-- other services' direct SQL alike, and add each statement's net change per category with one
-- upsert in key order; concurrent writers add commutative deltas under the counter row's lock.
-- Tickets without a category (resolution_category_id NULL) are not counted anywhere. A
-- category's counter row goes with it (ON DELETE CASCADE); a category still in use cannot be
-- deleted (tickets_resolution_category_fkey), so its counter is 0 by then.

CREATE TABLE resolution_category_ticket_counts (
    account_id  bigint NOT NULL,
    category_id bigint NOT NULL,
    -- No CHECK (>= 0): an upsert checks the proposed row, which carries a negative delta.
    ticket_count bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, category_id),
    FOREIGN KEY (account_id, category_id) REFERENCES resolution_categories (account_id, id)
        ON DELETE CASCADE
);

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

-- Every category has its counter row from the start; existing tickets are counted once here.
CREATE FUNCTION resolution_categories_create_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO resolution_category_ticket_counts (account_id, category_id)
    VALUES (NEW.account_id, NEW.id);
    RETURN NEW;
END
$$;
CREATE TRIGGER resolution_categories_create_counts AFTER INSERT ON resolution_categories
    FOR EACH ROW EXECUTE FUNCTION resolution_categories_create_counts();

INSERT INTO resolution_category_ticket_counts (account_id, category_id, ticket_count)
SELECT rc.account_id, rc.id, count(t.id)
FROM resolution_categories rc
LEFT JOIN tickets t ON t.account_id = rc.account_id AND t.resolution_category_id = rc.id
GROUP BY rc.account_id, rc.id;
