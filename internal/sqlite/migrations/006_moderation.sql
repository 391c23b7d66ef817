-- Moderation: reason codes, queue, decisions, tracking forms, inquiries (MOD-1..7).
SELECT 1;
