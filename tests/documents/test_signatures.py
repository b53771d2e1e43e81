"""Electronic signatures (tanda tangan elektronik) of uploaded PDFs, verified with pyHanko
against trust roots the test configures: PDFs signed here under a CA generated here."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import x509
from fastapi.testclient import TestClient

from app.core.config import settings
from app.core.deps import get_today
from app.documents.router import get_document_store
from app.documents.signatures.records import configured_trust_roots
from app.documents.signatures.verify import REVOCATION_LIMIT, load_trust_roots
from app.documents.storage import DocumentStore
from app.main import app
from tests.documents import esign
from tests.helpers import assert_problem, create_agreement, finalize
from tests.world import Kalsel, pks_body

BASE = "/api/v1/agreements"


@pytest.fixture
def store(tmp_path: Path, client: TestClient) -> DocumentStore:
    document_store = DocumentStore(root=tmp_path / "documents", max_bytes=256 * 1024)
    app.dependency_overrides[get_document_store] = lambda: document_store
    return document_store


@pytest.fixture
def roots(tmp_path: Path, client: TestClient) -> Iterator[list[x509.Certificate]]:
    """The test root configured as the operator would: a directory of PEM files."""
    configured = load_trust_roots(esign.authority().write_to(tmp_path / "roots"))
    app.dependency_overrides[configured_trust_roots] = lambda: configured
    yield configured


@pytest.fixture
def pks(client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]) -> dict[str, Any]:
    """The Diskominfo PKS, finalised and awaiting signatures."""
    found = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
    finalize(client, found["id"])
    return found


def upload(client: TestClient, agreement_id: int, content: bytes, name: str = "pks.pdf") -> Any:
    response = client.post(
        f"{BASE}/{agreement_id}/documents", files={"file": (name, content, "application/pdf")}
    )
    assert response.status_code in (200, 201), response.text
    return response.json()


class TestVerdicts:
    def test_a_pdf_signed_under_the_configured_root_shows_its_signer_intact_and_trusted(
        self, client: TestClient, store: DocumentStore, roots: list[x509.Certificate], pks: Any
    ) -> None:
        document = upload(client, pks["id"], esign.signed_pdf())
        assert document["signature_check"]["outcome"] == "verified"
        assert document["signature_check"]["trust_roots"] == 1
        assert document["signature_check"]["revocation"] == REVOCATION_LIMIT
        [verdict] = document["signatures"]
        assert verdict["signer_name"] == "Hadi Rahman"
        assert verdict["signer_organization"] == "Ombudsman Republik Indonesia"
        assert verdict["certificate_serial"] == format(
            esign.signer().certificate.serial_number, "X"
        )
        assert verdict["issuer_name"] == "Test Root CA Indonesia - BSrE test"
        assert verdict["integrity"] == "intact"
        assert verdict["trust"] == "trusted"
        assert verdict["coverage"] == "entire_file"
        assert verdict["timestamped"] is False  # the signer's own clock, no timestamp token
        assert verdict["signed_at"] is not None
        assert verdict["modified_after_signing"] is False
        assert verdict["accepted"] is True
        # Stored: the list, the document's and the agreement's reads give the same verdicts.
        listed = client.get(f"{BASE}/{pks['id']}/documents").json()
        assert listed[0]["signatures"] == document["signatures"]
        one = client.get(f"{BASE}/{pks['id']}/documents/{document['id']}/signatures").json()
        assert one["signatures"] == document["signatures"]
        everything = client.get(f"{BASE}/{pks['id']}/electronic-signatures").json()
        assert [d["document_id"] for d in everything] == [document["id"]]

    def test_one_byte_changed_after_signing_shows_modified(
        self, client: TestClient, store: DocumentStore, roots: list[x509.Certificate], pks: Any
    ) -> None:
        document = upload(client, pks["id"], esign.tampered(esign.signed_pdf()))
        [verdict] = document["signatures"]
        assert verdict["integrity"] == "modified"
        assert verdict["modified_after_signing"] is True
        assert verdict["accepted"] is False

    def test_a_signer_outside_the_trust_roots_is_untrusted(
        self, client: TestClient, store: DocumentStore, roots: list[x509.Certificate], pks: Any
    ) -> None:
        stranger = esign.signer("Hadi Rahman", root="Some Other CA")
        [verdict] = upload(client, pks["id"], esign.signed_pdf(stranger))["signatures"]
        assert verdict["integrity"] == "intact"
        assert verdict["trust"] == "untrusted"
        assert verdict["trust_problem"] == "NO_CERTIFICATE_CHAIN_FOUND"
        assert verdict["accepted"] is False

    def test_an_update_after_signing_is_not_the_entire_file_and_is_flagged(
        self, client: TestClient, store: DocumentStore, roots: list[x509.Certificate], pks: Any
    ) -> None:
        later = esign.updated_after_signing(esign.signed_pdf())
        [verdict] = upload(client, pks["id"], later)["signatures"]
        assert verdict["integrity"] == "intact"
        assert verdict["coverage"] == "entire_revision"
        assert verdict["later_changes"] == "other"
        assert verdict["modified_after_signing"] is True

    def test_a_second_signature_is_not_a_modification_of_the_first(
        self, client: TestClient, store: DocumentStore, roots: list[x509.Certificate], pks: Any
    ) -> None:
        both = esign.sign(
            esign.signed_pdf(), esign.signer("Muhamad Muslim", "Pemprov Kalsel"), "Signature2"
        )
        first, second = upload(client, pks["id"], both)["signatures"]
        assert (first["coverage"], first["later_changes"]) == ("entire_revision", "form_filling")
        assert first["accepted"] and second["accepted"]
        assert second["signer_name"] == "Muhamad Muslim"

    def test_without_trust_roots_every_signature_is_untrusted_and_says_so(
        self, client: TestClient, store: DocumentStore, pks: Any
    ) -> None:
        assert configured_trust_roots() == []  # ESIGN_TRUST_ROOTS_DIR unset in the tests
        document = upload(client, pks["id"], esign.signed_pdf())
        assert document["signature_check"]["trust_roots"] == 0
        assert document["signatures"][0]["trust"] == "untrusted"

    def test_verify_again_after_the_roots_are_configured(
        self, client: TestClient, store: DocumentStore, pks: Any, tmp_path: Path
    ) -> None:
        document = upload(client, pks["id"], esign.signed_pdf())
        assert document["signatures"][0]["trust"] == "untrusted"
        configured = load_trust_roots(esign.authority().write_to(tmp_path / "later"))
        app.dependency_overrides[configured_trust_roots] = lambda: configured
        again = client.post(f"{BASE}/{pks['id']}/documents/{document['id']}/signatures/verify")
        assert again.status_code == 200, again.text
        assert again.json()["signatures"][0]["trust"] == "trusted"
        assert again.json()["signatures"][0]["id"] == document["signatures"][0]["id"]
        history = client.get(f"{BASE}/{pks['id']}/history").json()["items"]
        assert history[0]["action"] == "signatures_verified"


class TestUnverifiable:
    """Malformed, encrypted or over-signed files are kept with a "cannot verify" verdict."""

    def test_a_malformed_pdf_is_kept_as_cannot_verify(
        self, client: TestClient, store: DocumentStore, pks: Any
    ) -> None:
        junk = b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"
        document = upload(client, pks["id"], junk)
        assert document["signature_check"]["outcome"] == "cannot_verify"
        assert "cannot be read" in document["signature_check"]["reason"]
        assert document["signatures"] == []

    def test_a_pdf_cut_short_after_signing_is_not_a_500(
        self, client: TestClient, store: DocumentStore, pks: Any
    ) -> None:
        signed = esign.signed_pdf()
        document = upload(client, pks["id"], signed[: len(signed) - 300])
        assert document["signature_check"]["outcome"] in ("cannot_verify", "verified")

    def test_an_encrypted_pdf_cannot_be_verified(
        self, client: TestClient, store: DocumentStore, pks: Any
    ) -> None:
        document = upload(client, pks["id"], esign.encrypted_pdf())
        assert document["signature_check"]["outcome"] == "cannot_verify"
        assert "encrypted" in document["signature_check"]["reason"]

    def test_a_pdf_with_more_signatures_than_allowed_cannot_be_verified(
        self, client: TestClient, store: DocumentStore, pks: Any, monkeypatch: Any
    ) -> None:
        monkeypatch.setattr(settings, "ESIGN_MAX_SIGNATURES", 1)
        both = esign.sign(esign.signed_pdf(), esign.signer("Muhamad Muslim"), "Signature2")
        check = upload(client, pks["id"], both)["signature_check"]
        assert check["outcome"] == "cannot_verify"
        assert "ESIGN_MAX_SIGNATURES" in check["reason"]

    def test_a_verification_that_overruns_its_time_is_stopped_and_recorded(
        self, client: TestClient, store: DocumentStore, pks: Any, monkeypatch: Any
    ) -> None:
        # No verifier answers within a microsecond: the child is killed, the upload kept.
        monkeypatch.setattr(settings, "ESIGN_VERIFY_SECONDS", 1e-6)
        document = upload(client, pks["id"], esign.signed_pdf())
        check = document["signature_check"]
        assert check["outcome"] == "cannot_verify"
        assert "ESIGN_VERIFY_SECONDS" in check["reason"]
        assert client.get(f"{BASE}/{pks['id']}/documents").json()[0]["id"] == document["id"]

    def test_a_scan_without_signatures_and_an_image(
        self, client: TestClient, store: DocumentStore, pks: Any
    ) -> None:
        assert upload(client, pks["id"], esign.blank_pdf())["signature_check"]["outcome"] == (
            "no_signatures"
        )
        png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
        image = client.post(
            f"{BASE}/{pks['id']}/documents", files={"file": ("scan.png", png, "image/png")}
        ).json()
        assert image["signature_check"] is None and image["signatures"] == []
        assert_problem(
            client.post(f"{BASE}/{pks['id']}/documents/{image['id']}/signatures/verify"),
            422,
            "esign-not-a-pdf",
        )


class TestConfirmParty:
    """Konfirmasi dari tanda tangan elektronik: a party signed from a verified signature."""

    @pytest.fixture(autouse=True)
    def today_is_today(self, client: TestClient) -> None:
        # The PDFs are signed now; the tests' fixed TODAY lies before that.
        app.dependency_overrides[get_today] = settings.today

    def confirm(self, client: TestClient, pks: Any, document: Any, organization_id: int) -> Any:
        signature = document["signatures"][0]["id"]
        return client.post(
            f"{BASE}/{pks['id']}/documents/{document['id']}/signatures/{signature}/confirm",
            json={"organization_id": organization_id},
        )

    def test_a_trusted_intact_signature_signs_the_party_with_its_day_and_signer(
        self,
        client: TestClient,
        store: DocumentStore,
        roots: list[x509.Certificate],
        kalsel: Kalsel,
        pks: Any,
    ) -> None:
        document = upload(client, pks["id"], esign.signed_pdf())
        response = self.confirm(client, pks, document, kalsel.office)
        assert response.status_code == 200, response.text
        party = next(p for p in response.json()["parties"] if p["organization_id"] == kalsel.office)
        assert party["signed"] is True
        assert party["signed_on"] == settings.today().isoformat()
        assert party["signatory_name"] == "Hadi Rahman"
        again = client.get(f"{BASE}/{pks['id']}/documents/{document['id']}/signatures").json()
        assert again["signatures"][0]["confirmed_organization_id"] == kalsel.office
        actions = [e["action"] for e in client.get(f"{BASE}/{pks['id']}/history").json()["items"]]
        assert "signature_confirmed_electronically" in actions
        # One signature confirms one party.
        assert_problem(
            self.confirm(client, pks, document, kalsel.diskominfo), 409, "esign-signature-used"
        )

    def test_a_modified_document_is_never_accepted_as_signed(
        self,
        client: TestClient,
        store: DocumentStore,
        roots: list[x509.Certificate],
        kalsel: Kalsel,
        pks: Any,
    ) -> None:
        for changed in (
            esign.tampered(esign.signed_pdf()),
            esign.updated_after_signing(esign.signed_pdf()),
        ):
            document = upload(client, pks["id"], changed, f"{len(changed)}.pdf")
            body = assert_problem(
                self.confirm(client, pks, document, kalsel.office),
                422,
                "esign-modified-after-signing",
            )
            assert "never accepted as signed" in body["detail"]
        parties = client.get(f"{BASE}/{pks['id']}").json()["parties"]
        assert not any(p["signed"] for p in parties)

    def test_an_untrusted_signature_or_another_signer_is_refused(
        self,
        client: TestClient,
        store: DocumentStore,
        kalsel: Kalsel,
        pks: Any,
    ) -> None:
        untrusted = upload(client, pks["id"], esign.signed_pdf())
        assert_problem(
            self.confirm(client, pks, untrusted, kalsel.office), 422, "esign-signature-untrusted"
        )
        configured = [esign.asn1(esign.authority().certificate)]
        app.dependency_overrides[configured_trust_roots] = lambda: configured
        other = upload(client, pks["id"], esign.signed_pdf(esign.signer("Budi Santoso")), "b.pdf")
        body = assert_problem(
            self.confirm(client, pks, other, kalsel.diskominfo), 422, "esign-signer-mismatch"
        )
        assert "Muhamad Muslim" in body["detail"]

    def test_an_unknown_signature_is_404(
        self, client: TestClient, store: DocumentStore, kalsel: Kalsel, pks: Any
    ) -> None:
        document = upload(client, pks["id"], esign.signed_pdf())
        response = client.post(
            f"{BASE}/{pks['id']}/documents/{document['id']}/signatures/99999/confirm",
            json={"organization_id": kalsel.office},
        )
        assert_problem(response, 404, "esign-signature-not-found")


def test_names_match_ignores_titles_case_and_accents() -> None:
    from app.documents.signatures.service import names_match

    assert names_match("HADI RAHMAN", "Hadi Rahman, S.H., M.H.")
    assert names_match("Sahbirin Noor", "H. Sahbirin Noor, S.Sos., M.H.")
    assert not names_match("Budi Santoso", "Muhamad Muslim")
    assert not names_match("", "Muhamad Muslim")
