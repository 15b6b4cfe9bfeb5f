"""Outputs of runs: results folders, figures and written reports."""
