"""Election forensics adapter: import station-level CSVs, run the integrity tests, report."""
