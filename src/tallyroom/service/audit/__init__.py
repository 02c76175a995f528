"""The service layer's audit commands and queries."""
