"""`Idempotency-Key` on writes: a retried request gets the first answer, not a second effect."""
