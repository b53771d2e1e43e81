"""Importing legacy registers (XLSX, CSV) of NK, PKS and organizations."""
