DROP TRIGGER accounts_create_business_hours ON accounts;
DROP FUNCTION accounts_create_business_hours();
DROP TABLE business_hours;
DROP TABLE escalation_queue_refs;
DROP TABLE escalations;
