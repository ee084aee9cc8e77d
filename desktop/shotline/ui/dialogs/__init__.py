"""The window's dialogs: new project, crash recovery, preferences, API keys and export."""
