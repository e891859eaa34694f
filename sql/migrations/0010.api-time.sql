-- Timestamps as the API writes them (ISO 8601, UTC, microseconds, "Z"), rendered by PostgreSQL.
-- List queries use it so a page of objects reaches Python as strings and the JSON encoder never
-- calls back into Python once per timestamp (that was most of the time of a 200-queue list).
-- IMMUTABLE is true here: the zone is fixed and the format has no locale-dependent fields.
CREATE FUNCTION api_time(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
