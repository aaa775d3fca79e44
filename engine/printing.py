"""Printouts (stub)."""


class PrintVerbs:
    """Mixed into ``Engine``."""
