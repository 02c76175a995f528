"""The service layer's results commands and queries."""
