"""Databricks Jobs: Jobs API runs and the lakeflow system tables."""
