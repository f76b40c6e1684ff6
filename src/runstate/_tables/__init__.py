"""Runs as rows and records from JSON streams: the tables-and-I/O layer under arrow, spark and the CLI."""
