"""Implementation reports (realisasi kegiatan): what was done under an agreement, with evidence,
verified by another party."""
