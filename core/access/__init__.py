"""API access: personal tokens, per-token rate limits, idempotent POSTs and the per-call audit log."""
