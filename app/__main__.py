"""`python -m app`: the same command line as `registry`."""

import sys

from app.cli import main

sys.exit(main())
