"""The service layer's register commands and queries."""
