"""Integrity statistics (election forensics) on station-level result arrays: pure numpy/scipy."""
