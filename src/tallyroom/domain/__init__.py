"""The election's concepts as plain typed values, and the arithmetic on them (no I/O)."""
