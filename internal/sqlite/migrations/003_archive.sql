-- The archive: filled in by the archive work.
SELECT 1;
