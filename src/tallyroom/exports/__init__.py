"""Results in published formats: open-data files and the NIST SP 1500-100 v2 election report."""
