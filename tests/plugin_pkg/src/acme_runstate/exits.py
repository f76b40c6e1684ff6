"""A plugin module that ends the program while it is imported: the registry must contain it."""

import sys

sys.exit(7)
