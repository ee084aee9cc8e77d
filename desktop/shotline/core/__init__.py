"""The domain: the project model, exact time, pure edits, commands and undo history.

Standard library only. Nothing here touches the disk, the network, a subprocess or Qt.
"""
