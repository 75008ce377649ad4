"""The playground page in a real browser: Debian's headless Chromium, driven by Selenium, clicking and typing.

Chromium and its driver come from the system (`apt-get install chromium chromium-driver`, as .ci/run does);
nothing is downloaded. Without /usr/bin/chromium the test is skipped on a developer's machine but fails in CI.
Screenshots go to $AMPLIFY_DEV_SCREENSHOTS when set (the README's come from `AMPLIFY_DEV_SCREENSHOTS=docs`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.playground.support import REPO_ROOT, PlaygroundProcess, running_playground

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
)


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WebDriver]:
    """Headless Chromium from the system packages, with a fresh profile."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install chromium and chromium-driver (see .ci/run)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium chromium-driver)")
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must not fetch a browser or a driver
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def playground(tmp_path: Path) -> Iterator[PlaygroundProcess]:
    with running_playground(tmp_path) as process:
        yield process


def _screenshot_dir(tmp_path: Path) -> Path:
    configured = os.environ.get("AMPLIFY_DEV_SCREENSHOTS")
    target = (REPO_ROOT / configured) if configured else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    return target


def _visible(driver: WebDriver, css: str, timeout: float = 20) -> WebElement:
    return WebDriverWait(driver, timeout).until(seen.visibility_of_element_located((By.CSS_SELECTOR, css)))


def _act_as(driver: WebDriver, user: str, pane: str) -> None:
    Select(driver.find_element(By.ID, "persona")).select_by_value(user)
    driver.find_element(By.ID, f"nav-{pane}").click()
    WebDriverWait(driver, 10).until(lambda d: f"as {_name(user)}" in d.find_element(By.ID, "title").text)


def _name(user: str) -> str:
    return {"U0DEV": "Dana Developer", "U0LEAD1": "Lee Lead", "U0LEAD2": "Lou Lead", "U0OTHER": "Oscar Other"}[user]


def _type_command(driver: WebDriver, text: str) -> None:
    box = driver.find_element(By.ID, "command")
    box.send_keys(text + Keys.ENTER)


def _click(driver: WebDriver, action_id: str) -> None:
    _visible(driver, f'button[data-action-id="{action_id}"]').click()
    confirm = driver.find_element(By.ID, "confirm-overlay")
    if confirm.is_displayed():
        driver.find_element(By.ID, "confirm-yes").click()


def test_the_whole_flow_by_clicks_and_typing(browser: WebDriver, playground: PlaygroundProcess, tmp_path: Path) -> None:
    shots = _screenshot_dir(tmp_path)
    browser.get(playground.url + "/?user=U0DEV&view=dm")
    banner = _visible(browser, "#banner").text
    assert "PLAYGROUND" in banner and "fake" in banner

    # Dana opens the form by typing the command, fills it in and submits it.
    _type_command(browser, "/amplify-dev")
    _visible(browser, "#modal-overlay")
    assert "PLAYGROUND" in browser.find_element(By.CSS_SELECTOR, "#modal-overlay .modal-banner").text
    browser.find_element(By.CSS_SELECTOR, 'textarea[data-action-id="reason_input"]').send_keys(
        "Building the checkout page this sprint"
    )
    browser.find_element(By.ID, "modal-submit").click()
    WebDriverWait(browser, 20).until(seen.invisibility_of_element_located((By.ID, "modal-overlay")))

    # Lee sees the request in the leads' channel and approves it (through its confirm dialog, if any).
    _act_as(browser, "U0LEAD1", "channel")
    _visible(browser, 'button[data-action-id="amplify_dev_approve"]')
    assert "Building the checkout page this sprint" in browser.find_element(By.ID, "messages").text
    browser.save_screenshot(str(shots / "playground-channel.png"))
    _click(browser, "amplify_dev_approve")
    WebDriverWait(browser, 20).until(lambda d: "Approved by" in d.find_element(By.ID, "messages").text)

    # Dana fetches the credentials in the DM: shown only to her.
    _act_as(browser, "U0DEV", "dm")
    _click(browser, "amplify_dev_show_credentials")
    WebDriverWait(browser, 20).until(lambda d: "Secret access key" in d.find_element(By.ID, "messages").text)
    credentials = browser.find_element(By.CSS_SELECTOR, ".message.ephemeral:last-child")
    assert "Only visible to you" in credentials.text
    secret = next(
        line.strip()
        for line in credentials.text.splitlines()[credentials.text.splitlines().index("Secret access key") + 1 :][:1]
    )
    assert len(secret) == 40
    browser.save_screenshot(str(shots / "playground-credentials.png"))

    # Nobody else sees it, wherever they look.
    for user, pane in (("U0LEAD1", "channel"), ("U0LEAD1", "dm"), ("U0LEAD2", "home"), ("U0OTHER", "dm")):
        _act_as(browser, user, pane)
        assert secret not in browser.page_source

    # Dana removes her access by typing the command.
    _act_as(browser, "U0DEV", "dm")
    _type_command(browser, "/amplify-dev remove")
    _act_as(browser, "U0LEAD2", "channel")
    WebDriverWait(browser, 20).until(lambda d: "remov" in d.find_element(By.ID, "messages").text.lower())
