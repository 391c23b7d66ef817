-- Capture: platform connections, cursors, flags (issue: capture). Filled in by the capture work.
SELECT 1;
