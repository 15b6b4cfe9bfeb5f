"""Validation of the model against published stylised facts, and calibration to them."""
