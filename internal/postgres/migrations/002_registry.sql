-- The registry of official accounts: filled in by the registry work.
SELECT 1;
