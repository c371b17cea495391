"""`python -m mteam`: the same as the `mteam` command."""

import sys

from mteam.cli import main

sys.exit(main())
