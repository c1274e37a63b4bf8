"""tokenlab: a desktop token inspector and playground for Ably-style token authentication."""

__version__ = "0.1.0"
