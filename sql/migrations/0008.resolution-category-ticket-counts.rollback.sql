DROP TRIGGER resolution_categories_create_counts ON resolution_categories;
DROP FUNCTION resolution_categories_create_counts();
DROP TRIGGER tickets_category_count_delete ON tickets;
DROP TRIGGER tickets_category_count_update ON tickets;
DROP TRIGGER tickets_category_count_insert ON tickets;
DROP FUNCTION tickets_category_count_changes();
DROP FUNCTION resolution_category_ticket_counts_add(jsonb);
DROP TABLE resolution_category_ticket_counts;
