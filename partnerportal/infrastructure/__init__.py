"""Infrastructure every app may use and none of it knows about the apps: the outbox (`emails`), one-time tokens,
rate limiting, CSV export, keyset pagination, the request-context middleware and the embedded PostgreSQL."""
