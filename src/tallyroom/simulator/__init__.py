"""The polling-day simulator: plays a scenario's polling day over HTTP like real stations."""
