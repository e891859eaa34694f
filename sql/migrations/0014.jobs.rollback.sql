DROP TABLE worker_schedule;
DROP TABLE jobs;
