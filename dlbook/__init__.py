"""dlbook."""
