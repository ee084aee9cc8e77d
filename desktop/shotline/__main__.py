"""`python -m shotline`: the window with no arguments (or `open PATH`), the command line otherwise."""

from shotline.launcher import main

main()
