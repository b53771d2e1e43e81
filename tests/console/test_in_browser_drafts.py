"""Drafts and the public list in Debian's Chromium on a 360 px phone: Daftar publik without
signing in (an opted-in signed agreement, none of its private fields), Templat draf (an upload by
keyboard, a refused file named at its field, accessibly) and the agreement page's draft links and
"Tampilkan di daftar publik" toggle; axe-core clean, within the CSP, without horizontal scroll."""

import io
from collections.abc import Callable

import httpx
from docx import Document

from tests.console.browser import (
    PHONE,
    Visit,
    assert_accessible,
    assert_clean,
    assert_fits,
    expect,
    sign_in,
    tab_to,
)
from tests.console.conftest import LiveConsole

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KALSEL_NK_NUMBER = "053/NK-PEMOTDA/2021"


def _kalsel_nk(live: LiveConsole) -> dict[str, object]:
    found = httpx.get(
        f"{live.url}/api/v1/agreements",
        params={"number": KALSEL_NK_NUMBER},
        headers={"X-API-Key": live.key},
        timeout=30,
    ).json()["items"]
    return dict(found[0])


def _template() -> bytes:
    document = Document()
    for paragraph in ("ADENDUM {{ title }}", "Berlaku {{ validity }}."):
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_the_agreement_page_lists_its_drafts_and_the_public_toggle_at_360_px(
    open_page: Callable[..., Visit], live_console: LiveConsole
) -> None:
    nk = _kalsel_nk(live_console)
    private = str(nk["description"])
    assert private  # the seeded NK has a description, which the public list never shows
    visit = open_page(viewport=PHONE)
    page = visit.page
    sign_in(page, live_console.email, live_console.password)
    page.goto(f"/perjanjian/{nk['id']}")
    section = page.locator("section[aria-labelledby=draf]")
    expect(section.get_by_role("heading", name="Draf dan naskah final")).to_be_visible()
    draft = section.get_by_role("link", name="Unduh draf (DOCX)")
    expect(draft).to_have_attribute("href", f"/perjanjian/{nk['id']}/draf.docx")
    expect(section.get_by_role("link", name="Unduh semua draf PKS (ZIP)")).to_be_visible()
    # Seeded: finalised outside the registry, so no final text is kept.
    expect(section.get_by_role("link", name="Unduh naskah final (DOCX)")).to_have_count(0)
    expect(section).to_contain_text("Daftar publik: tidak ditampilkan")
    assert_accessible(page)
    assert_fits(page)
    with page.expect_download() as download:
        draft.click()
    assert download.value.suggested_filename.endswith(".docx")

    # Opt in from the keyboard.
    tab_to(page, "#daftar-publik-listed-1", most=80)
    page.keyboard.press("Space")
    expect(page.get_by_label("Tampilkan di daftar publik")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("ditampilkan di daftar publik")
    expect(page.locator("section[aria-labelledby=draf]")).to_contain_text(
        "Daftar publik: ditampilkan"
    )
    assert_accessible(page)
    assert_fits(page)

    # Daftar publik, in a fresh context without signing in.
    reader = open_page(viewport=PHONE)
    reader.page.goto("/publik")
    expect(reader.page.get_by_role("heading", level=1)).to_have_text(
        "Daftar publik perjanjian kerja sama"
    )
    row = reader.page.locator("tbody tr", has_text=KALSEL_NK_NUMBER)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(str(nk["title"]))
    expect(reader.page.locator("main")).not_to_contain_text(private)
    assert_accessible(reader.page)
    assert_fits(reader.page)
    assert_clean(reader)

    # Opt out again: the public list no longer shows it.
    page.get_by_label("Tampilkan di daftar publik").uncheck()
    page.get_by_role("button", name="Simpan pilihan daftar publik").click()
    expect(page.locator(".flash")).to_contain_text("tidak ditampilkan di daftar publik")
    reader.page.reload()
    expect(reader.page.locator("tbody tr", has_text=KALSEL_NK_NUMBER)).to_have_count(0)
    assert_clean(visit)


def test_templat_draf_upload_by_keyboard_and_a_refused_file_at_360_px(
    open_page: Callable[..., Visit], live_console: LiveConsole
) -> None:
    visit = open_page(viewport=PHONE)
    page = visit.page
    # Playwright turns on the interception of file dialogs by a message it does not wait for
    # (fire and forget) when the first "filechooser" listener is added: added only inside
    # `expect_file_chooser`, the key press could reach Chromium first and open a dialog nobody
    # sees. A listener for the whole visit turns it on now, long before the first key press.
    page.on("filechooser", lambda _chooser: None)
    sign_in(page, live_console.email, live_console.password)
    page.get_by_role("link", name="Templat draf").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Templat draf")
    assert_accessible(page)
    assert_fits(page)

    def choose(name: str, mime: str, content: bytes) -> None:
        page.locator("h1").focus()
        tab_to(page, "#unggah-amendment-file", most=80)
        with page.expect_file_chooser() as chooser:
            page.keyboard.press("Space")
        chooser.value.set_files({"name": name, "mimeType": mime, "buffer": content})
        tab_to(page, "#formulir-unggah_amendment button[type=submit]", most=5)
        page.keyboard.press("Enter")

    # Not a DOCX: refused at its field, and the page stays accessible with the error shown.
    choose("templat.docx", DOCX, b"bukan dokumen Word")
    error = page.locator("#unggah-amendment-file-galat-1")
    expect(error).to_be_visible()
    expect(page.locator("#unggah-amendment-file")).to_have_attribute("aria-invalid", "true")
    assert "unggah-amendment-file-galat-1" in (
        page.locator("#unggah-amendment-file").get_attribute("aria-describedby") or ""
    )
    assert_accessible(page)
    assert_fits(page)

    # A good template, by keyboard: the section names it.
    choose("adendum.docx", DOCX, _template())
    expect(page.locator(".flash")).to_be_visible()
    amendment = page.locator("section[aria-labelledby=templat-amendment]")
    expect(amendment).to_contain_text("adendum.docx")
    assert_accessible(page)
    assert_fits(page)

    # Back to the default, leaving the server as it was.
    amendment.get_by_role("button", name="Kembali ke templat bawaan").click()
    expect(page.locator(".flash")).to_contain_text("kembali ke templat bawaan")
    expect(page.locator("section[aria-labelledby=templat-amendment]")).to_contain_text(
        "Dipakai: templat bawaan."
    )
    assert_clean(visit)
