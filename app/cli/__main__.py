"""`python -m movements.app.cli`: the `movements` command."""

import sys

from movements.app.cli.main import main

sys.exit(main())
