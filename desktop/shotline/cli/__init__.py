"""The headless command line: the same services the window uses, no Qt."""
