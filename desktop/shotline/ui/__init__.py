"""The window: everything that imports PySide6. A thin skin over services; nothing below imports it."""
