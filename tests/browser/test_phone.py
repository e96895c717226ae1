"""Careloop on a phone-sized screen: no page scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from careloop.cases.models import Case
from careloop.core.demo import DEMO_PASSWORD, DemoResult
from tests.browser.conftest import ContextFactory, Screenshot

PHONE = {"width": 390, "height": 844}


def _overflow(page: Page, name: str) -> list[str]:
    """[] if the page fits the viewport's width, else a description of what sticks out."""
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if scroll_width <= client_width + 1:
        return []
    widest: list[str] = page.evaluate(
        """(limit) => [...document.querySelectorAll("main *")]
            .filter((e) => e.getBoundingClientRect().right > limit + 1)
            .filter((e) => !e.parentElement || e.parentElement.getBoundingClientRect().right
                                                 <= limit + 1)
            .slice(0, 5)
            .map((e) => `<${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}`
                        + `${e.className ? "." + e.className : ""}>`
                        + ` right edge ${Math.round(e.getBoundingClientRect().right)}px`)""",
        client_width,
    )
    return [
        f"the {name} page scrolls sideways: {scroll_width}px of content in a "
        f"{client_width}px viewport; sticking out: {', '.join(widest) or '?'}"
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_works_on_a_phone_sized_viewport(
    demo: DemoResult,
    new_context: ContextFactory,
    screenshot: Screenshot,
) -> None:
    case = Case.objects.filter(facility__name="Riverside General Hospital").latest("received_at")
    phone = new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = phone.new_page()

    page.goto("/login/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert page.evaluate("window.innerWidth") == PHONE["width"]
    styled = page.evaluate("getComputedStyle(document.querySelector('header.top')).display")
    assert styled == "flex", "careloop.css did not load; the widths below would mean nothing"
    problems = _overflow(page, "login")
    shots = [screenshot(page, "phone-login")]

    page.get_by_label("User name").fill("advocate")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").tap()
    expect(page.get_by_role("button", name="Sign out advocate")).to_be_visible()

    page.goto("/cases/?scope=all")
    expect(page.get_by_role("link", name=case.reference)).to_be_visible()
    problems += _overflow(page, "queue")
    shots.append(screenshot(page, "phone-queue"))

    # Follow the link by its address: while the queue overflows, a tap can land on the wrong
    # element, and this test should report the overflow rather than a tap timeout.
    href = page.get_by_role("link", name=case.reference).get_attribute("href")
    assert href == f"/cases/{case.pk}/"
    page.goto(href)
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    problems += _overflow(page, "case")
    page.locator("details#move summary").tap()
    expect(page.locator("details#move button[type=submit]")).to_be_visible()
    problems += _overflow(page, "case (an action open)")
    shots.append(screenshot(page, "phone-case"))

    assert all(path.stat().st_size > 0 for path in shots)
    assert not problems, "\n".join(problems)
