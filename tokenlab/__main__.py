"""``python -m tokenlab``: the same as the ``tokenlab`` command (the GUI without a subcommand)."""

from __future__ import annotations

import sys

from tokenlab.cli import main

if __name__ == "__main__":
    sys.exit(main())
