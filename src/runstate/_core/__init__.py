"""The core: the canonical model and vocabulary, the transition graph and tracker, durations, errors."""
