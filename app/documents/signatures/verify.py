"""Reading and judging the signatures a PDF embeds, with pyHanko; no database, no network.

pyHanko (and aiohttp, which it brings) is imported when a PDF is first verified, not with the
module: it is a good part of the application's start (the server's, each command's), and most
processes never verify a signature (see _import_pyhanko).

Trust comes only from the roots the operator configures (ESIGN_TRUST_ROOTS_DIR: PEM files, e.g.
Root CA Indonesia and the BSrE chain); none are shipped or fetched, and the operating system's
list is never used. Revocation is checked only against what the PDF embeds (its DSS): nothing
is fetched, and every verdict says so.
"""

import importlib
import io
import logging
import multiprocessing
import resource
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from asn1crypto import pem, x509

if TYPE_CHECKING:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
    from pyhanko.sign.validation.status import PdfSignatureStatus
    from pyhanko_certvalidator import ValidationContext

logger = logging.getLogger("app.documents.signatures")

REVOCATION_LIMIT = (
    "Revocation is checked only against the data the PDF embeds (no network): a certificate "
    "revoked later, or whose revocation data the PDF does not carry, is not seen as revoked."
)


class CheckOutcome(StrEnum):
    """What verifying a document's electronic signatures gave."""

    verified = "verified"  # its signatures were read and judged (each has its own verdict)
    no_signatures = "no_signatures"  # a readable PDF without electronic signatures
    cannot_verify = "cannot_verify"  # unreadable, encrypted or otherwise unjudgeable; see reason


class Integrity(StrEnum):
    """Whether the signed bytes are those the signer signed (utuh / diubah)."""

    intact = "intact"
    modified = "modified"


class Trust(StrEnum):
    """Whether the signer's certificate chains to a configured trust root (tepercaya)."""

    trusted = "trusted"
    untrusted = "untrusted"
    revoked = "revoked"  # revoked, by revocation data the PDF embeds


class Coverage(StrEnum):
    """What part of the file the signature covers."""

    entire_file = "entire_file"  # nothing was added after it
    entire_revision = "entire_revision"  # later revisions were added (another signature, or more)
    partial = "partial"  # not even its own revision: not a sound signature


class LaterChanges(StrEnum):
    """What the revisions added after a signature change (pyHanko's difference analysis)."""

    none = "none"
    signature_upkeep = "signature_upkeep"  # validation data and document timestamps only
    form_filling = "form_filling"  # further signatures and form fields
    annotations = "annotations"  # comments and other annotations
    other = "other"  # changes to the content: the document was modified after signing
    unknown = "unknown"


@dataclass(frozen=True)
class SignatureVerdict:
    """The verdict on one embedded signature."""

    position: int
    field_name: str
    signer_name: str | None
    signer_organization: str | None
    certificate_serial: str | None
    issuer_name: str | None
    signed_at: datetime | None
    timestamped: bool  # a trusted, intact timestamp token vouches for signed_at
    integrity: Integrity
    trust: Trust
    trust_problem: str | None
    coverage: Coverage
    later_changes: LaterChanges

    @property
    def modified_after_signing(self) -> bool:
        return (
            self.integrity is Integrity.modified
            or self.coverage is Coverage.partial
            or self.later_changes
            in (LaterChanges.annotations, LaterChanges.other, LaterChanges.unknown)
        )

    @property
    def accepted(self) -> bool:
        """Intact, trusted, and nothing but signatures added after it."""
        return self.trust is Trust.trusted and not self.modified_after_signing


@dataclass(frozen=True)
class DocumentCheck:
    """What verifying one document gave: an outcome, a reason when it could not, verdicts."""

    outcome: CheckOutcome
    reason: str | None = None
    signatures: list[SignatureVerdict] = field(default_factory=list)


def load_trust_roots(directory: Path | None) -> list[x509.Certificate]:
    """The certificates of every PEM (or DER) file in the directory; none without one."""
    if directory is None:
        return []
    roots: list[x509.Certificate] = []
    for path in sorted(directory.iterdir()):
        if not path.is_file() or path.suffix.lower() not in (".pem", ".crt", ".cer"):
            continue
        data = path.read_bytes()
        try:
            if pem.detect(data):
                roots.extend(
                    x509.Certificate.load(der)
                    for kind, _, der in pem.unarmor(data, multiple=True)
                    if kind == "CERTIFICATE"
                )
            else:
                roots.append(x509.Certificate.load(data))
        except ValueError:
            logger.warning("trust root file %s is not a certificate; ignored", path)
    return roots


def _name_part(name: x509.Name, key: str) -> str | None:
    value = name.native.get(key)
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return str(value)[:300] if value else None


PYHANKO_MODULES = (
    "pyhanko.pdf_utils.reader",
    "pyhanko.sign.diff_analysis",
    "pyhanko.sign.validation",
    "pyhanko.sign.validation.dss",
    "pyhanko.sign.validation.status",
    "pyhanko_certvalidator",
)


def _import_pyhanko() -> None:
    """pyHanko's modules that verifying uses, imported once per process (then at hand)."""
    for name in PYHANKO_MODULES:
        importlib.import_module(name)


def _later_changes(level: "ModificationLevel") -> LaterChanges:
    from pyhanko.sign.diff_analysis import ModificationLevel

    changes = {
        ModificationLevel.NONE: LaterChanges.none,
        ModificationLevel.LTA_UPDATES: LaterChanges.signature_upkeep,
        ModificationLevel.FORM_FILLING: LaterChanges.form_filling,
        ModificationLevel.ANNOTATIONS: LaterChanges.annotations,
        ModificationLevel.OTHER: LaterChanges.other,
    }
    return changes.get(level, LaterChanges.unknown)


def _verdict(
    position: int, embedded: "EmbeddedPdfSignature", status: "PdfSignatureStatus"
) -> SignatureVerdict:
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    cert = status.signing_cert
    tst = status.timestamp_validity
    timestamped = tst is not None and tst.intact and tst.valid and tst.trusted
    signed_at = tst.timestamp if tst is not None and timestamped else status.signer_reported_dt
    if signed_at is not None and signed_at.tzinfo is None:
        signed_at = signed_at.replace(tzinfo=UTC)
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        coverage = Coverage.entire_file
    elif status.coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        coverage = Coverage.entire_revision
    else:
        coverage = Coverage.partial
    if coverage is Coverage.entire_file:
        changes = LaterChanges.none
    else:
        level = status.modification_level
        changes = _later_changes(level) if level else LaterChanges.unknown
    if status.revoked:
        trust = Trust.revoked
    else:
        trust = Trust.trusted if status.trusted else Trust.untrusted
    problem = status.trust_problem_indic
    return SignatureVerdict(
        position=position,
        field_name=str(embedded.field_name)[:200],
        signer_name=_name_part(cert.subject, "common_name"),
        signer_organization=_name_part(cert.subject, "organization_name"),
        certificate_serial=format(cert.serial_number, "X"),
        issuer_name=_name_part(cert.issuer, "common_name"),
        signed_at=signed_at,
        timestamped=timestamped,
        integrity=Integrity.intact if status.intact and status.valid else Integrity.modified,
        trust=trust,
        trust_problem=(
            str(getattr(problem, "name", problem))[:100]
            if problem is not None and trust is not Trust.trusted
            else None
        ),
        coverage=coverage,
        later_changes=changes,
    )


def check_pdf(
    data: bytes, *, trust_roots: list[x509.Certificate], max_signatures: int
) -> DocumentCheck:
    """Verify every signature a PDF embeds; never raises for what a file contains."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypt_dict is not None:
            return DocumentCheck(
                CheckOutcome.cannot_verify,
                "The PDF is encrypted: its signatures cannot be read without its password.",
            )
        embedded = list(reader.embedded_regular_signatures)
    except Exception as error:  # noqa: BLE001  (any unreadable file is a verdict, not a 500)
        return DocumentCheck(
            CheckOutcome.cannot_verify, f"The PDF cannot be read ({_said(error)})."
        )
    if not embedded:
        return DocumentCheck(CheckOutcome.no_signatures)
    if len(embedded) > max_signatures:
        return DocumentCheck(
            CheckOutcome.cannot_verify,
            f"The PDF carries {len(embedded)} signatures; at most {max_signatures} are verified "
            "(ESIGN_MAX_SIGNATURES).",
        )
    try:
        context = _validation_context(reader, trust_roots)
        verdicts = [
            _verdict(position, sig, validate_pdf_signature(sig, context))
            for position, sig in enumerate(embedded, start=1)
        ]
    except Exception as error:  # noqa: BLE001
        logger.info("signatures not verified: %s", error)
        return DocumentCheck(
            CheckOutcome.cannot_verify, f"The signatures cannot be verified ({_said(error)})."
        )
    return DocumentCheck(CheckOutcome.verified, None, verdicts)


def _validation_context(
    reader: "PdfFileReader", trust_roots: list[x509.Certificate]
) -> "ValidationContext":
    """Only the configured roots; certificates, CRLs and OCSP answers only from the PDF's DSS."""
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko_certvalidator import ValidationContext

    if "/DSS" not in reader.root:
        return ValidationContext(trust_roots=list(trust_roots), allow_fetching=False)
    dss = DocumentSecurityStore.read_dss(reader)
    return dss.as_validation_context({"trust_roots": list(trust_roots), "allow_fetching": False})


def _said(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return text[:200]


# A hostile PDF (a compression bomb, thousands of revisions) must not hold a request or the
# process: verification runs in a child process of its own, with a memory ceiling, killed when
# it overruns its time. Forked (a few milliseconds; pyHanko is imported in the parent first, once
# per process: _import_pyhanko): "spawn" and "forkserver" children would import the server's
# __main__ again, seconds per upload. The child touches nothing it inherits but the PDF's bytes,
# and leaves with os._exit (no cleanup of the parent's connections).
_CONTEXT = multiprocessing.get_context("fork")


def _verify_in_child(
    answer: Connection, data: bytes, roots: list[bytes], max_signatures: int, memory_mb: int
) -> None:
    """The child's work: a memory ceiling (`memory_mb` beyond what the fork holds already),
    then check_pdf; its answer sent back."""
    pages = int(Path("/proc/self/statm").read_text().split()[0])
    limit = pages * resource.getpagesize() + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # pyHanko logs every untrusted chain with a traceback; the verdict says it once, stored.
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    trust_roots = [x509.Certificate.load(der) for der in roots]
    try:
        answer.send(check_pdf(data, trust_roots=trust_roots, max_signatures=max_signatures))
    except MemoryError:
        answer.send(
            DocumentCheck(
                CheckOutcome.cannot_verify,
                f"Verifying the PDF needs more than {memory_mb} MB (ESIGN_VERIFY_MEMORY_MB).",
            )
        )
    finally:
        answer.close()


def check_pdf_bounded(
    data: bytes,
    *,
    trust_roots: list[x509.Certificate],
    max_signatures: int,
    seconds: float,
    memory_mb: int,
) -> DocumentCheck:
    """check_pdf in a child process, within `seconds` and `memory_mb`; a child that overruns
    is killed and the document recorded as "cannot verify" with the limit it passed."""
    _import_pyhanko()  # in this process, once: not in every child
    receiving, sending = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(
        target=_verify_in_child,
        args=(sending, data, [c.dump() for c in trust_roots], max_signatures, memory_mb),
        daemon=True,
    )
    child.start()
    sending.close()
    try:
        if receiving.poll(seconds):
            try:
                answer: DocumentCheck = receiving.recv()
                return answer
            except EOFError:
                pass  # the child died without an answer (killed for its memory)
            return DocumentCheck(
                CheckOutcome.cannot_verify,
                "The verifier stopped on this PDF (its memory ceiling, ESIGN_VERIFY_MEMORY_MB).",
            )
        return DocumentCheck(
            CheckOutcome.cannot_verify,
            f"Verifying the PDF took longer than {seconds:g} s (ESIGN_VERIFY_SECONDS).",
        )
    finally:
        receiving.close()
        if child.is_alive():
            child.kill()
        child.join()
