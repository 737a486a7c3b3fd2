"""caselog: a case tracker for a district's tiered handling of enterprise and resident demands."""

__version__ = "0.1.0"
