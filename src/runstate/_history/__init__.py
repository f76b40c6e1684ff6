"""History over many runs: logical runs and task attempts, summaries, and polling one run."""
