DROP TRIGGER queues_create_counts ON queues;
DROP FUNCTION queues_create_counts();
DROP TRIGGER tickets_count_delete ON tickets;
DROP TRIGGER tickets_count_update ON tickets;
DROP TRIGGER tickets_count_insert ON tickets;
DROP FUNCTION tickets_count_changes();
DROP FUNCTION queue_ticket_counts_add(jsonb);
DROP TABLE queue_ticket_counts;
