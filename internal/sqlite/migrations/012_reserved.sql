-- Reserved for a migration on another branch; this placeholder is dropped when the branches are merged.
SELECT 1;
