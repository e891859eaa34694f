-- What the ops console changed, by whom: the trail of `tickiti-workflow` commands that write
-- (accounts, users, tokens, plans, migrations). account_id is NULL for changes that span
-- accounts (a plan's features, a migration).
CREATE TABLE ops_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    command     text NOT NULL CHECK (command ~ '^[a-z][a-z-]*( [a-z][a-z-]*)?$'),
    account_id  bigint REFERENCES accounts (id),
    object_type text NOT NULL,
    object_id   text,
    before      jsonb,
    after       jsonb
);
CREATE INDEX ops_events_account_idx ON ops_events (account_id, id);

-- Ops commands address a token by id alone.
CREATE INDEX api_tokens_id_idx ON api_tokens (id);
