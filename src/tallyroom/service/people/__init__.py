"""The service layer's people commands and queries."""
