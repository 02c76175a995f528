"""Definition folders: an election's `election.yaml` and CSV files, read and written."""
