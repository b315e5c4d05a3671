"""The daemon's event loop is chosen by name: uvloop by default, the standard one on request."""

from __future__ import annotations

import asyncio
import sys

import pytest
import uvloop
from pydantic import ValidationError

from hotline.daemon.event_loop import loop_factory, loop_name
from hotline.settings import Settings


def test_each_name_makes_its_kind_of_loop():
    for name in ("uvloop", "asyncio"):
        loop = loop_factory(name)()
        try:
            assert loop_name(loop) == name
        finally:
            loop.close()
    assert isinstance(loop_factory("uvloop")(), uvloop.Loop)


def test_without_uvloop_installed_the_error_says_what_to_do(monkeypatch):
    monkeypatch.setitem(sys.modules, "uvloop", None)  # import uvloop -> ImportError
    with pytest.raises(RuntimeError, match="uvloop package is not installed.*event_loop: asyncio"):
        loop_factory("uvloop")
    assert loop_factory("asyncio") is asyncio.new_event_loop


def test_an_unknown_name_is_refused():
    with pytest.raises(ValueError, match="unknown event loop 'trio'"):
        loop_factory("trio")


def test_the_config_defaults_to_uvloop_and_refuses_other_names():
    assert Settings.model_validate({"company": "测试县"}).event_loop == "uvloop"
    assert Settings.model_validate({"company": "测试县", "event_loop": "asyncio"}).event_loop == "asyncio"
    with pytest.raises(ValidationError, match="event_loop"):
        Settings.model_validate({"company": "测试县", "event_loop": "tokio"})
