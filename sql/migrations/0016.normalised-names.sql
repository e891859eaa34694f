-- Names are what they look like: NFC-normalised, without invisible characters (format,
-- private-use, line/paragraph separators, blank fillers), every kind of space a plain space,
-- trimmed (the API's rule for new names since this migration). Existing names are rewritten to
-- that form; a name left empty becomes 'Unnamed'. Where names of one kind in one account become
-- equal ignoring case, the oldest object (lowest id) keeps the name and every later one gets
-- ' (duplicate <id>)' appended (cut to fit 100 characters). Renamed objects get a new version.
-- The unique name indexes are rebuilt around the rewrite so it never trips over itself.

DO $migration$
DECLARE
    kind text;
BEGIN
    FOREACH kind IN ARRAY ARRAY['queues', 'resolution_categories', 'interventions', 'escalations']
    LOOP
        EXECUTE format('DROP INDEX %I', kind || '_account_name_key');
        EXECUTE format($sql$
            WITH cleaned AS (
                SELECT account_id, id,
                       coalesce(nullif(btrim(left(btrim(regexp_replace(regexp_replace(
                           normalize(name, NFC),
                           '[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u115f-\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\u2800\u3164\ue000-\uf8ff\ufeff\uffa0\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\U000f0000-\U000ffffd\U00100000-\U0010fffd]', '', 'g'),
                           '[\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000]', ' ', 'g')), 100)), ''), 'Unnamed') AS clean
                FROM %1$I
            ), ranked AS (
                SELECT account_id, id, clean,
                       row_number() OVER (PARTITION BY account_id, lower(clean) ORDER BY id) AS n
                FROM cleaned
            ), final AS (
                SELECT account_id, id,
                       CASE WHEN n = 1 THEN clean
                            ELSE btrim(left(clean, 100 - length(' (duplicate ' || id || ')')))
                                 || ' (duplicate ' || id || ')'
                       END AS name
                FROM ranked
            )
            UPDATE %1$I t
            SET name = f.name, version = t.version + 1, updated_at = now()
            FROM final f
            WHERE t.account_id = f.account_id AND t.id = f.id AND t.name <> f.name
        $sql$, kind);
        -- Deferred checks (category positions) must run before the table can be indexed.
        SET CONSTRAINTS ALL IMMEDIATE;
        EXECUTE format('CREATE UNIQUE INDEX %I ON %I (account_id, lower(name))',
                       kind || '_account_name_key', kind);
    END LOOP;
END
$migration$;
