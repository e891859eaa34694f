DROP TRIGGER tickets_truncate_clocks ON tickets;
DROP FUNCTION truncate_ticket_clocks();
DROP TRIGGER tickets_log_count_update ON tickets;
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
ALTER TABLE tickets ENABLE ALWAYS TRIGGER tickets_log_count_update;
CREATE OR REPLACE FUNCTION log_ticket_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
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
DROP TABLE escalation_settings;
DROP TRIGGER business_hours_keep_version ON business_hours;
DROP FUNCTION business_hours_keep_version();
DROP TABLE business_hours_versions;
DROP TABLE notification_outbox;
DROP TABLE escalation_firings;
DROP TABLE escalation_timers;
DROP TABLE sla_dirty_tickets;
DROP TABLE sla_status_history;
DROP TABLE sla_ticket_changes;
DROP TABLE ticket_activities;
DROP FUNCTION log_ticket_activities();
