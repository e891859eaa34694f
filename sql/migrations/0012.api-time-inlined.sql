-- api_time() declared STABLE, as its body is (to_char of a timestamp is STABLE in PostgreSQL):
-- a SQL function whose body is more volatile than it is declared is never inlined, so as
-- IMMUTABLE every call ran the function machinery (≈ 3 µs; a 200-queue list paid 1.2 ms of
-- database time for its 400 timestamps). Inlined it costs ≈ 0.7 µs. The output is unchanged.
ALTER FUNCTION api_time(timestamptz) STABLE;
