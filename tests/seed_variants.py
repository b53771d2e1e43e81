"""Variants of the seeds for tests that play a moment of the real cases: a copy of seeds/ with a
few facts of the case taken back, never a second copy of its data kept in the repository."""

import json
import shutil
from pathlib import Path

from app.core.config import settings


def kalsel_awaiting_signatures(directory: Path) -> Path:
    """seeds/ copied into `directory`, the 21 Kalsel PKS finalised (27 June 2022) and not yet
    signed: the registry as it stood before the morning of 4 July 2022. Their seeded
    obligations, which follow the signing, are left out. Returns the copy's folder (for
    load_seeds(directory=...) or SEEDS_DIR)."""
    seeds = directory / "seeds"
    shutil.copytree(settings.SEEDS_DIR, seeds)
    agreements = json.loads((seeds / "agreements.json").read_text(encoding="utf-8"))
    for batch in agreements["pks_batches"]:
        batch["awaiting_signatures"] = True
    (seeds / "agreements.json").write_text(json.dumps(agreements), encoding="utf-8")
    (seeds / "obligations.json").unlink()
    return seeds
