"""The console in a real browser: a live server on a seeded database, Debian's Chromium through
Playwright, and the checks every page must pass.

- `assert_accessible(page)`: axe-core (shipped by the axe-playwright-python package, never
  downloaded at run time) finds no serious or critical violation.
- `Visit.offsite`: every request the page made to anything but the server, refused and
  recorded (`assert_stays_on_host`): no CDN, no font service, nothing.
- `Visit.refused_by_csp`: what the console's Content-Security-Policy refused (an inline script
  or style would be here).
- `assert_fits(page)`: no horizontal scroll at 360 px wide.
- `tab_to(page, selector)`: the keyboard alone reaches an element (Tab, at most 40 times).

Waits are on conditions (`expect(...).to_have_text`), never on sleeps.
"""

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page, Request, Route, ViewportSize, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

PHONE: ViewportSize = {"width": 360, "height": 740}
SERIOUS = ("serious", "critical")


@dataclass
class Visit:
    """A page of a fresh browser context, and what it did that it must not."""

    page: Page
    offsite: list[str] = field(default_factory=list)
    refused_by_csp: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def watch(page: Page, host: str = "127.0.0.1") -> Visit:
    """Refuse and record every request off `host`; record CSP refusals and script errors."""
    visit = Visit(page)

    def only_the_server(route: Route, request: Request) -> None:
        if urlsplit(request.url).hostname == host or request.url.startswith("data:"):
            route.continue_()
        else:
            visit.offsite.append(request.url)
            route.abort("internetdisconnected")

    page.context.route("**/*", only_the_server)

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            visit.refused_by_csp.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: visit.errors.append(str(error)))
    return visit


def assert_clean(visit: Visit) -> None:
    """Nothing left the host, the CSP refused nothing, no script failed."""
    assert visit.offsite == [], f"the page reached beyond the server: {visit.offsite}"
    assert visit.refused_by_csp == [], f"the CSP refused: {visit.refused_by_csp}"
    assert visit.errors == [], f"script errors: {visit.errors}"


def assert_accessible(page: Page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now. (axe runs as a
    script: on a page opened with `java_script=False` it would wait forever, so check pages
    without JavaScript for what they show, and run axe on a page with it.)"""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
    ]
    assert found == [], f"axe-core on {page.url}:\n" + "\n".join(found)


def assert_fits(page: Page, viewport: ViewportSize = PHONE) -> None:
    """At this viewport (a 360 px phone by default) the page needs no horizontal scroll."""
    page.set_viewport_size(viewport)
    # The resize reaches the layout a moment later: wait for the page to fit (a condition, not a
    # sleep), and say what sticks out if it never does.
    try:
        page.wait_for_function(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth",
            timeout=5_000,
        )
    except PlaywrightTimeout:
        pass
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if widths[0] <= widths[1]:
        return
    # Name what sticks out, so that a failure says where to look.
    wide = page.evaluate(
        """(limit) => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > limit && !e.closest('.table-wrap *'))
            .slice(0, 8)
            .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                 + ' ' + Math.round(e.getBoundingClientRect().right) + 'px')""",
        widths[1],
    )
    raise AssertionError(
        f"{page.url} is {widths[0]} px wide in a {widths[1]} px viewport (horizontal scroll); "
        f"beyond the edge: {wide}"
    )


def tab_to(page: Page, selector: str, most: int = 40) -> int:
    """Press Tab until the focused element matches `selector`; the number of presses."""
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return presses
    raise AssertionError(f"{most} presses of Tab never reached {selector} on {page.url}")


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in through the form, as staff do, and wait for Beranda."""
    page.goto("/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beranda")


def open_deriving(page: Page, nk_id: int) -> None:
    """From the NK's page to its checklist "Susun PKS untuk SKPD"."""
    page.goto(f"/perjanjian/{nk_id}")
    page.get_by_role("link", name="Susun PKS untuk SKPD").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Susun PKS untuk SKPD")


def derive_ticked(page: Page, count: int) -> None:
    """Derive the PKS of the SKPD ticked on the checklist, and see how many were drafted."""
    page.get_by_role("button", name="Susun PKS untuk SKPD yang dicentang").click()
    expect(page.locator(".flash")).to_contain_text(f"{count} PKS disusun sebagai draf")


__all__ = [
    "PHONE",
    "Visit",
    "assert_accessible",
    "assert_clean",
    "assert_fits",
    "derive_ticked",
    "expect",
    "open_deriving",
    "sign_in",
    "tab_to",
    "watch",
]
