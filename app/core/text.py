"""Text as staff type it: searches ignore case and accents, and match any part."""

import unicodedata
from typing import Any

from sqlalchemy import func


def fold(*texts: str | None) -> str:
    """Lower case, without accents, spaces collapsed: "Pemerintah  Kotawaringin Barát" ->
    "pemerintah kotawaringin barat". Several texts are joined by a space."""
    joined = " ".join(t for t in texts if t)
    decomposed = unicodedata.normalize("NFKD", joined)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def like_pattern(text: str) -> str:
    """A LIKE pattern that finds text anywhere, its own % and _ taken literally (escape '\\')."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains_folded(column: Any, text: str) -> Any:
    """column (lowered in SQL) holds the folded text. The pattern is a literal value, not an
    expression, so PostgreSQL's trigram indexes on lower(column) serve it."""
    return func.lower(column).like(like_pattern(fold(text)), escape="\\")
