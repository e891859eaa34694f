-- name: lock_account
-- Serialise the limit checks of concurrent creates in one account.
SELECT id FROM accounts WHERE id = %(account_id)s FOR NO KEY UPDATE
