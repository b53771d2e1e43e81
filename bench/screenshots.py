"""The README's screenshots of the staff console, taken again: a server on a fresh seeded SQLite
database (as the browser tests start one), the bootstrap admin given a password as an operator
does (`registry set-password`), and Debian's Chromium through Playwright at 1000 px wide.

    .venv/bin/python bench/screenshots.py            # writes app/console/static/screenshots/*.png

Beranda, the Kalsel NK (053/NK-PEMOTDA/2021) and its coverage grid; each the first 1000 × 1250 px
of the page, saved as a 128-colour PNG (about 60 KiB instead of 200).
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.server import running_server  # noqa: E402
from tests.test_browser import CHROMIUM_FLAGS, chromium_path  # noqa: E402

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

OUT = ROOT / "app" / "console" / "static" / "screenshots"
EMAIL = "admin@registry.local"
PASSWORD = "tangkapan-layar-konsol"
KALSEL_NK = "053/NK-PEMOTDA/2021"
VIEWPORT: "ViewportSize" = {"width": 1000, "height": 1250}


def optimize(path: Path, colors: int = 128) -> None:
    """The screenshot as a palette PNG: a console page has few colours, so text stays sharp."""
    from PIL import Image

    with Image.open(path) as shot:
        image = shot.convert("RGB")
    image.quantize(colors=colors, dither=Image.Dither.NONE).save(path, "PNG", optimize=True)


def take(out: Path) -> list[Path]:
    """Start the server, sign in, and save the three pages; the files written."""
    from playwright.sync_api import expect, sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        with running_server(f"sqlite:///{tmp}/screenshots.db", tmp) as live:
            headers = {"X-API-Key": live.key}
            # The bootstrap admin is made on the first use of its key.
            httpx.get(f"{live.url}/api/v1/stats", headers=headers, timeout=60).raise_for_status()
            subprocess.run(
                [sys.executable, "-m", "app", "set-password", EMAIL],
                input=PASSWORD + "\n",
                cwd=ROOT,
                env=live.env,
                check=True,
                capture_output=True,
                text=True,
                timeout=60,
            )
            found = httpx.get(
                f"{live.url}/api/v1/agreements",
                params={"number": KALSEL_NK},
                headers=headers,
                timeout=60,
            )
            found.raise_for_status()
            nk = found.json()["items"][0]["id"]
            pages = [
                ("beranda.png", "/", "Beranda"),
                ("perjanjian-kalsel.png", f"/perjanjian/{nk}", None),
                ("cakupan-kalsel.png", f"/cakupan/{nk}", "Cakupan"),
            ]
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
                )
                context = browser.new_context(
                    base_url=live.url, viewport=VIEWPORT, locale="id-ID", device_scale_factor=1
                )
                context.set_default_timeout(60_000)
                page = context.new_page()
                page.goto("/")
                page.get_by_label("E-mail").fill(EMAIL)
                page.get_by_label("Kata sandi").fill(PASSWORD)
                page.get_by_role("button", name="Masuk").click()
                expect(page.get_by_role("heading", level=1)).to_have_text("Beranda")
                for name, path, heading in pages:
                    page.goto(path)
                    if heading:
                        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
                    page.screenshot(path=str(out / name))
                    optimize(out / name)
                    written.append(out / name)
                browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the PNG files")
    for path in take(parser.parse_args().out):
        print(
            f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
            f"{path.stat().st_size // 1024} KiB"
        )


if __name__ == "__main__":
    main()
