"""The package version, readable without importing the package (fast for the CLI)."""

__version__ = "0.1.0"
