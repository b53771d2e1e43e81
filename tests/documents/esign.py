"""Signed PDFs for the tests, made with pyHanko under a CA generated here (no files in git).

Each signer is the same generated key (EC P-256, fast) under a root of its own or the
shared one; nothing is fetched and nothing is cached on disk."""

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

NOW = datetime.now(UTC)


@dataclass(frozen=True)
class Authority:
    """A root CA (e.g. a test stand-in for Root CA Indonesia) and its key."""

    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def write_to(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "root.pem").write_bytes(self.pem())
        return directory


@dataclass(frozen=True)
class Signer:
    """A person's signing certificate, its key and the chain up to the root."""

    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    chain: tuple[x509.Certificate, ...]


def _name(common: str, organization: str | None = None) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COMMON_NAME, common)]
    if organization:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    parts.append(x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"))
    return x509.Name(parts)


def _certificate(
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    serial: int,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(NOW - timedelta(days=30))
        .not_valid_after(NOW + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    return builder.sign(issuer_key, hashes.SHA256())


ROOT = "Test Root CA Indonesia"


def authority(name: str = ROOT) -> Authority:
    """The test root of this name (one per name and test session)."""
    return _authority(name)


@cache
def _authority(name: str) -> Authority:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(name, "Registry tests")
    return Authority(_certificate(subject, key, subject, key, ca=True, serial=1), key)


def signer(
    common_name: str = "Hadi Rahman",
    organization: str = "Ombudsman Republik Indonesia",
    root: str = ROOT,
) -> Signer:
    """A signer under an intermediate (a test stand-in for BSrE) under the root named."""
    return _signer(common_name, organization, root)


@cache
def _intermediate(root: str) -> Signer:
    """The intermediate CA under a root (a test stand-in for BSrE under Root CA Indonesia)."""
    top = authority(root)
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(f"{root} - BSrE test", "Balai Sertifikasi Elektronik (test)")
    cert = _certificate(name, key, top.certificate.subject, top.key, ca=True, serial=2)
    return Signer(cert, key, (top.certificate,))


@cache
def _signer(common_name: str, organization: str, root: str) -> Signer:
    middle = _intermediate(root)
    key = ec.generate_private_key(ec.SECP256R1())
    serial = 0x5EA1 + len(common_name)
    cert = _certificate(
        _name(common_name, organization),
        key,
        middle.certificate.subject,
        middle.key,
        ca=False,
        serial=serial,
    )
    return Signer(cert, key, (middle.certificate, *middle.chain))


def _one_page() -> PdfFileWriter:
    writer = PdfFileWriter()
    page = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Page"),
            generic.NameObject("/MediaBox"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (0, 0, 595, 842)]
            ),
        }
    )
    writer.insert_page(page)
    return writer


def _written(writer: PdfFileWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@cache
def blank_pdf() -> bytes:
    """A one-page PDF, as a scan exported to PDF would be before signing."""
    return _written(_one_page())


def asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def sign(pdf: bytes, by: Signer, field_name: str = "Signature1") -> bytes:
    """The PDF signed (PAdES baseline, an incremental update) by the signer."""
    key_der = by.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    simple = signers.SimpleSigner(
        signing_cert=asn1(by.certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([asn1(c) for c in by.chain]),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    fields.append_signature_field(writer, fields.SigFieldSpec(sig_field_name=field_name))
    out = signers.sign_pdf(
        writer,
        signers.PdfSignatureMetadata(
            field_name=field_name, subfilter=fields.SigSeedSubFilter.PADES
        ),
        signer=simple,
    )
    return out.getvalue()


def signed_pdf(by: Signer | None = None) -> bytes:
    return sign(blank_pdf(), by or signer())


def tampered(pdf: bytes) -> bytes:
    """One byte of the signed range changed (inside the first page's MediaBox)."""
    at = pdf.index(b"/MediaBox")
    digit = next(i for i in range(at, at + 40) if pdf[i : i + 1] == b"8")
    return pdf[:digit] + b"9" + pdf[digit + 1 :]


def updated_after_signing(pdf: bytes) -> bytes:
    """An incremental update appended after the signature (the title of the document info)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    root = writer.root
    root[generic.NameObject("/Lang")] = generic.TextStringObject("id-ID")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    """A one-page PDF encrypted with a password (the standard security handler)."""
    writer = _one_page()
    writer.encrypt("rahasia", "rahasia")
    return _written(writer)
