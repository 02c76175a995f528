"""Commands and queries: the use cases, each in the caller's transaction, audited."""
