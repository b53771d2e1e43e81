"""Files of signed documents on disk, addressed by their SHA-256; written atomically."""

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype

from app.core.errors import AppError

CHUNK = 1024 * 1024
# What a signed document may be: a PDF or a scanned image.
ALLOWED_TYPES = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/tiff",
    "image/webp",
}


class TooLarge(AppError):
    status = 413
    type_slug = "document-too-large"
    title = "The document is too large"


class UnsupportedType(AppError):
    status = 415
    type_slug = "document-type-not-allowed"
    title = "This kind of file is not accepted"


@dataclass(frozen=True)
class StoredFile:
    """A file written to the store (or already there with the same content)."""

    path: Path
    sha256: str
    size_bytes: int
    content_type: str
    created: bool


@dataclass(frozen=True)
class DocumentStore:
    """A directory of documents, with the largest size accepted."""

    root: Path
    max_bytes: int

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, source: BinaryIO, declared_type: str | None) -> StoredFile:
        """Copy source into the store: size checked while reading, type checked from the bytes.

        Nothing is left behind when it is refused.
        """
        incoming = self.root / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        head = b""
        handle, temp_name = tempfile.mkstemp(dir=incoming)
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as out:
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise TooLarge(
                            f"The file is larger than {self.max_bytes // (1024 * 1024)} MB, "
                            "the most this registry accepts."
                        )
                    if len(head) < 8192:
                        head += chunk[: 8192 - len(head)]
                    digest.update(chunk)
                    out.write(chunk)
            content_type = self._checked_type(head, declared_type, size)
            sha256 = digest.hexdigest()
            final = self.path_of(sha256)
            final.parent.mkdir(parents=True, exist_ok=True)
            created = not final.exists()
            if created:
                os.replace(temp, final)
            return StoredFile(final, sha256, size, content_type, created)
        finally:
            temp.unlink(missing_ok=True)

    @staticmethod
    def _checked_type(head: bytes, declared_type: str | None, size: int) -> str:
        if size == 0:
            raise UnsupportedType("The file is empty.")
        kind = filetype.guess(head)
        sniffed = kind.mime if kind is not None else None
        if sniffed not in ALLOWED_TYPES:
            raise UnsupportedType(
                "A signed document must be a PDF or an image (PNG, JPEG, TIFF, WebP); the "
                f"content of this file is {sniffed or 'not recognised'}."
            )
        declared = (declared_type or "").split(";")[0].strip().lower()
        if declared and declared not in ("application/octet-stream", sniffed):
            raise UnsupportedType(f"The file was sent as {declared}, but its content is {sniffed}.")
        return sniffed

    def discard(self, stored: StoredFile) -> None:
        """Remove a file this upload created (its row could not be saved)."""
        if stored.created:
            stored.path.unlink(missing_ok=True)
