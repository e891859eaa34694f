DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['queues', 'queue_ticket_counts', 'resolution_categories',
                             'resolution_category_ticket_counts', 'interventions',
                             'escalations', 'business_hours', 'audit_events']
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_list_truncate', t);
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_list_epoch', t);
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_list_note', t);
    END LOOP;
END
$$;
DROP FUNCTION truncate_list_epochs();
DROP FUNCTION bump_noted_list_epochs();
DROP FUNCTION bump_list_epochs(text);
DROP FUNCTION note_list_change();
DROP TRIGGER accounts_create_list_epoch ON accounts;
DROP FUNCTION accounts_create_list_epoch();
DROP TABLE account_list_epochs;
DROP SEQUENCE account_list_epoch_seq;
