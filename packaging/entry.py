"""The frozen app's entry script: PyInstaller starts here and hands over to the same launcher as `shotline`."""

from shotline.launcher import main

if __name__ == "__main__":
    main()
