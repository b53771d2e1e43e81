"""Electronic signatures (tanda tangan elektronik, PAdES) embedded in uploaded PDFs, verified."""
