"""Shotline: a desktop prompt-to-clip editor."""

__version__ = "0.1.0"
