"""``python -m runstate``: the same as the ``runstate`` command."""

import sys

from ._cli.app import main

sys.exit(main())
