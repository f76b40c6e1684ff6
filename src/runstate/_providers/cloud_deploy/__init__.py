"""Google Cloud Deploy: job runs (JobRun)."""
