"""Figures for the front page, from every domain."""
