"""Files of signed documents on disk, addressed by their SHA-256; written atomically.

One file serves every row that holds the same bytes (an NK's scan attached to two agreements,
a photo given as evidence of two activities). So that a failed upload never removes a file
another upload has just come to share, every upload holds the store's lock shared from the
moment its file is written until its row is committed (or rolled back), and a file is removed
only under the lock held exclusively, once the database shows no row refers to it: no upload is
then between writing a file and committing its row, in this process or another on this host.
"""

import contextlib
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
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

    @contextmanager
    def _locked(self, mode: int) -> Iterator[None]:
        # The lock is taken on the store's directory itself (no lock file among the documents).
        self.root.mkdir(parents=True, exist_ok=True)
        handle = os.open(self.root, os.O_RDONLY)
        try:
            fcntl.flock(handle, mode)
            yield
        finally:
            os.close(handle)  # lets go of the lock

    def uploading(self) -> contextlib.AbstractContextManager[None]:
        """Held by an upload from writing its file until its row is committed or rolled back."""
        return self._locked(fcntl.LOCK_SH)

    def removing(self) -> contextlib.AbstractContextManager[None]:
        """Held while deciding whether a file is referred to and removing it: no upload is then
        between writing a file and committing its row."""
        return self._locked(fcntl.LOCK_EX)

    def remove(self, sha256: str) -> None:
        """Remove a file (call under removing(), once no row refers to it)."""
        self.path_of(sha256).unlink(missing_ok=True)
