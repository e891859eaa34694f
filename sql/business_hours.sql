-- name: get_business_hours
-- The account's business hours.
SELECT timezone, schedule, holidays, version, updated_at
FROM business_hours
WHERE account_id = %(account_id)s

-- name: lock_business_hours
-- The account's business hours, locked against concurrent changes.
SELECT timezone, schedule, holidays, version, updated_at
FROM business_hours
WHERE account_id = %(account_id)s
FOR UPDATE

-- name: update_business_hours
-- Write the account's business hours and bump their version.
UPDATE business_hours
SET timezone = %(timezone)s, schedule = %(schedule)s::jsonb, holidays = %(holidays)s::jsonb,
    version = version + 1, updated_at = now()
WHERE account_id = %(account_id)s
RETURNING timezone, schedule, holidays, version, updated_at
