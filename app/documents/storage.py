"""Files of signed documents on disk, addressed by their SHA-256; written atomically.

One file serves every row that holds the same bytes (an NK's scan attached to two agreements,
a photo given as evidence of two activities). So that a failed upload never removes a file
another upload has come to share before committing its row, each upload marks the file it
stores (or finds stored) with a modification time of its own, and a failed upload removes its
file only if no other upload has marked it since and no committed row refers to it: the file is
first moved aside, then checked again, and put back if either changed meanwhile (remove_unkept).
This holds across processes and hosts that share the directory on a file system with
sub-microsecond timestamps (ext4, XFS).
"""

import hashlib
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
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
    # The modification time this upload gave the file (see the module's docstring).
    mark: int


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
            mark = _new_mark()
            created = False
            try:
                os.utime(final, ns=(mark, mark))  # kept already: marked as wanted again
            except FileNotFoundError:
                os.utime(temp, ns=(mark, mark))
                os.replace(temp, final)
                created = True
            return StoredFile(final, sha256, size, content_type, created, mark)
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

    def remove_unkept(self, sha256: str, *, mark: int | None, kept: Callable[[], bool]) -> bool:
        """Remove a file unless `kept()` (a row refers to it) or, with `mark`, another upload
        marked it since; True if removed. Moved aside first, so an upload that marks it in the
        meantime either finds it gone (and stores it anew) or is seen, and the file put back."""
        final = self.path_of(sha256)
        try:
            seen = final.stat().st_mtime_ns
        except FileNotFoundError:
            return False
        if (mark is not None and seen != mark) or kept():
            return False
        aside = self.root / "incoming" / f"{sha256}.{secrets.token_hex(8)}.removing"
        aside.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(final, aside)
        except FileNotFoundError:
            return False
        try:
            wanted = aside.stat().st_mtime_ns != seen or kept()
        except BaseException:
            os.replace(aside, final)  # unknown: kept
            raise
        if wanted:
            os.replace(aside, final)  # wanted again meanwhile (the same bytes if stored anew)
            return False
        aside.unlink()
        return True

    def kept_files(self) -> Iterator[tuple[str, int]]:
        """Every kept file: its SHA-256 and its modification time (nanoseconds)."""
        if not self.root.exists():
            return
        for folder in sorted(self.root.iterdir()):
            if len(folder.name) != 2 or not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                try:
                    yield path.name, path.stat().st_mtime_ns
                except FileNotFoundError:
                    continue

    def leftovers(self, before_ns: int) -> list[Path]:
        """Temporary files of uploads that never finished (a crash), older than before_ns."""
        incoming = self.root / "incoming"
        if not incoming.exists():
            return []
        found = []
        for path in incoming.iterdir():
            try:
                if path.stat().st_mtime_ns < before_ns:
                    found.append(path)
            except FileNotFoundError:
                continue
        return found


def _new_mark() -> int:
    """A modification time, in nanoseconds, that no other upload gives a file (the current
    microsecond, with random nanoseconds)."""
    return time.time_ns() // 1000 * 1000 + secrets.randbelow(1000)
