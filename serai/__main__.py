"""``python -m serai``."""

from serai.cli import main

main()
