"""ktui's version (one place; saved states record it)."""

__version__ = "0.1.0"
