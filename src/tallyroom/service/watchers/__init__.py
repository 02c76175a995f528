"""The service layer's watchers commands and queries."""
