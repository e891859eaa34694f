-- Names rewritten to their normalised form cannot be told apart from names typed that way:
-- nothing to undo (the rule is the API's; the schema did not change).
SELECT 1;
