"""Everything Shotline keeps on disk: the project bundle, its job journal, app settings and API keys (DESIGN §4).

Modules: `schema` (project.json shape and migrations), `bundle` (the project folder: lock, atomic save,
backups, recovery, media import), `journal` (SQLite job journal), `settings` (app settings), `secrets` (keys
in the OS keyring, env overrides, log redaction). Helpers: `atomic`, `backups`, `lock`.
"""
