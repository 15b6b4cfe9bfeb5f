"""Batches of runs: replicated comparisons of policies on common random numbers."""
