"""Allow ``python -m regdev``."""

from regdev.cli import main

main()
