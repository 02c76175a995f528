"""The service layer's definition commands and queries."""
