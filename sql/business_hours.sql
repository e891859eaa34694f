-- shape: business_hours
-- The account's business hours as stored (the API orders the weekdays and keys in Python).
timezone, schedule, holidays, version, api_time(updated_at) AS updated_at

-- name: get_business_hours
-- The account's business hours.
SELECT {{business_hours}}
FROM business_hours
WHERE account_id = %(account_id)s

-- name: lock_business_hours
-- The account's business hours, locked against concurrent changes.
SELECT {{business_hours}}
FROM business_hours
WHERE account_id = %(account_id)s
FOR UPDATE

-- name: update_business_hours
-- Write the account's business hours and bump their version.
UPDATE business_hours
SET timezone = %(timezone)s, schedule = %(schedule)s::jsonb, holidays = %(holidays)s::jsonb,
    version = version + 1, updated_at = now()
WHERE account_id = %(account_id)s
RETURNING {{business_hours}}
