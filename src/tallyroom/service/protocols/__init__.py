"""The service layer's protocols commands and queries."""
