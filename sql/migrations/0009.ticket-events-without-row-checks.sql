-- Moving 100,000 tickets wrote 100,000 history rows, and each row ran two foreign-key checks
-- (its ticket, its actor): 200,000 single-row lookups, over half the time of the whole move.
-- History rows are written only by the move statement, from tickets it has just updated, so
-- those checks can never fail; what the ticket foreign key still did was delete a ticket's
-- history with the ticket. A statement-level trigger now does that set-based. The actor stays
-- a plain user id: the trail keeps naming who moved a ticket even if that user is deleted.
ALTER TABLE ticket_events
    DROP CONSTRAINT ticket_events_account_id_ticket_id_fkey,
    DROP CONSTRAINT ticket_events_account_id_actor_user_id_fkey;

CREATE FUNCTION tickets_delete_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM ticket_events e
    USING old_rows o
    WHERE e.account_id = o.account_id AND e.ticket_id = o.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER tickets_delete_events AFTER DELETE ON tickets
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_delete_events();
