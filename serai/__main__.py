"""``python -m serai``."""

from serai._entry import main

main()
