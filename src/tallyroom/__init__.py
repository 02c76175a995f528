"""tallyroom: the results system of a national election commission."""

__version__ = "0.1.0"
