DROP TRIGGER tickets_delete_events ON tickets;
DROP FUNCTION tickets_delete_events();
DELETE FROM ticket_events e
WHERE NOT EXISTS (SELECT 1 FROM tickets t WHERE t.account_id = e.account_id AND t.id = e.ticket_id);
ALTER TABLE ticket_events
    ADD CONSTRAINT ticket_events_account_id_ticket_id_fkey
        FOREIGN KEY (account_id, ticket_id) REFERENCES tickets (account_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT ticket_events_account_id_actor_user_id_fkey
        FOREIGN KEY (account_id, actor_user_id) REFERENCES users (account_id, id);
