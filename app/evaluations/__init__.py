"""Monitoring and evaluation (monev) of agreements: one evaluation per agreement and period."""
