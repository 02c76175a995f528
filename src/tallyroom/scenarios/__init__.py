"""Built-in election scenarios: synthetic but realistic definitions and polling-day plans."""
