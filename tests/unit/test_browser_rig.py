"""tests/browser.py decides right when the browser is missing: skip on a workstation, FAIL in CI."""

from __future__ import annotations

from pathlib import Path

import browser
import pytest


@pytest.fixture
def no_driver(monkeypatch, tmp_path):
    monkeypatch.setattr(browser, "CHROMEDRIVER", tmp_path / "no-chromedriver")


def test_a_missing_driver_is_named(no_driver, tmp_path):
    assert browser.missing_browser() == (
        f"{tmp_path / 'no-chromedriver'} missing: apt-get install chromium chromium-driver (lab/host_deps.sh)"
    )


@pytest.mark.parametrize("ci", [None, "", "false", "0"])
def test_outside_ci_a_missing_browser_skips(no_driver, monkeypatch, ci):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match="no-chromedriver missing"):
        browser.require_browser()


@pytest.mark.parametrize("ci", ["true", "1", "TRUE", "yes"])
def test_in_ci_a_missing_browser_fails(no_driver, monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="CI needs the real browser: .*no-chromedriver missing"):
        browser.require_browser()


def test_a_present_browser_is_required_silently(monkeypatch, tmp_path: Path):
    for name in ("CHROMIUM", "CHROMEDRIVER"):
        exe = tmp_path / name
        exe.write_text("#!/bin/sh\n")
        exe.chmod(0o755)
        monkeypatch.setattr(browser, name, exe)
    monkeypatch.setenv("CI", "true")
    assert browser.missing_browser() is None
    browser.require_browser()
