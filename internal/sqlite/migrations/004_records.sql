-- Records requests and verifiable exports: filled in by the records work.
SELECT 1;
