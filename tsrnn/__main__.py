"""``python -m tsrnn``: the same as the ``tsrnn`` console script."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
