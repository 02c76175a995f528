"""The public results site: server-rendered pages, their JSON and CSV, charts and live updates."""
