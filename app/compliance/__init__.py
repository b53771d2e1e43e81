"""Compliance outcomes: the results of the Ombudsman's yearly compliance assessment (penilaian
kepatuhan), per organization and year, beside the agreements meant to improve them."""
