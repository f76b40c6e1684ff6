"""AWS Glue: job runs (GetJobRun/GetJobRuns) and their EventBridge state-change events."""
