"""The `tallyroom` command line: thin commands over the service layer."""
