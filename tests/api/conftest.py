"""The station client lives in tests/station_client.py; re-exported for older imports."""

from tests.station_client import Api, good_figures, protocol

__all__ = ["Api", "good_figures", "protocol"]
