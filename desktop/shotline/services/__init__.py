"""Use cases: the only layer that changes a Project. Qt-free, so the CLI and the window share every rule."""
