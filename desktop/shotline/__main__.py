"""`python -m shotline` runs the command line (the window arrives with the UI)."""

from shotline.cli.main import main

main()
