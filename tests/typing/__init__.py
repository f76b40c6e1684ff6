"""Files mypy checks but pytest never runs: the public API's types, as a user's code sees them."""
