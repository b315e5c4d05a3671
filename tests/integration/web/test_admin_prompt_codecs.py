"""The prompts page keeps a prompt's WAV and its G.711 copies (.alaw, .ulaw) together: an upload
writes all three, a second upload replaces all three, a revert renders all three again (espeak-ng);
with `prompts.native_formats: false` an upload leaves the WAV only, removing older copies."""

from __future__ import annotations

import shutil

import pytest
from admin_harness import Admin, admin_settings, build_admin, session, tone_wav
from g711_reference import assert_in_step, copies_absent
from test_admin_prompts import upload
from web_harness import csrf_of

from hotline.settings import PromptFiles
from prompts.native import write_played

LAWS = ("alaw", "ulaw")


def played_set(admin: Admin, pid: str) -> dict[str, bytes]:
    return {ext: (admin.prompts_dir / f"{pid}.{ext}").read_bytes() for ext in ("wav", *LAWS)}


@pytest.fixture
def admin(engine, db_url, tmp_path, clock, offload) -> Admin:
    return build_admin(engine, admin_settings(db_url, tmp_path), clock, offload)


@pytest.fixture
def wav_only_admin(engine, db_url, tmp_path, clock, offload) -> Admin:
    wav_only = PromptFiles.model_validate({"native_formats": False})
    settings = admin_settings(db_url, tmp_path).model_copy(update={"prompts": wav_only})
    return build_admin(engine, settings, clock, offload)


async def test_a_second_upload_replaces_all_three_files(admin: Admin) -> None:
    async with session(admin, "admin") as c:
        assert (await upload(c, "greeting", tone_wav(seconds=1.0, freq=440))).status_code == 303
        first = played_set(admin, "greeting")
        assert (await upload(c, "greeting", tone_wav(seconds=2.0, freq=660))).status_code == 303
    second = played_set(admin, "greeting")
    assert all(second[ext] != first[ext] for ext in second)
    assert len(second["alaw"]) == len(second["ulaw"]) == 16000  # 2 s at 8 kHz, one byte a sample
    assert_in_step(admin.prompts_dir / "greeting.wav")


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
async def test_a_revert_renders_all_three_again(admin: Admin) -> None:
    async with session(admin, "admin") as c:
        assert (await upload(c, "goodbye", tone_wav())).status_code == 303
        studio = played_set(admin, "goodbye")
        token = await csrf_of(c, "/admin/prompts")
        r = await c.post("/admin/prompts/revert", data={"csrf_token": token, "prompt_id": "goodbye"})
    assert r.status_code == 303
    rendered = played_set(admin, "goodbye")
    assert all(rendered[ext] != studio[ext] for ext in rendered)
    assert_in_step(admin.prompts_dir / "goodbye.wav")


async def test_wav_only_uploads_remove_the_copies(wav_only_admin: Admin) -> None:
    played = wav_only_admin.prompts_dir / "greeting.wav"
    write_played(played, tone_wav(rate=8000, channels=1), native=True)  # made while the setting was on
    assert_in_step(played)
    async with session(wav_only_admin, "admin") as c:
        assert (await upload(c, "greeting", tone_wav(freq=880))).status_code == 303
    assert copies_absent(played) and played.read_bytes() != tone_wav(rate=8000, channels=1)
