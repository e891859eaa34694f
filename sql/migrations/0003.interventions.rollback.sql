DROP TABLE interventions;
