"""The prompts page through HTTP on a composed console (admin_harness.py): a studio WAV and MP3
uploaded over a prompt are converted to 8 kHz mono where Asterisk reads, recorded and audited;
bad uploads (not audio, too big, too long, a path for an id) change nothing; listening by id
only; `hotline prompts render` leaves an override alone; revert and re-render (espeak-ng)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from admin_harness import (
    Admin,
    admin_settings,
    audit_actions,
    build_admin,
    session,
    snapshot,
    tone_wav,
    wav_params,
)
from g711_reference import assert_in_step
from sqlalchemy import func, select
from web_harness import csrf_of

from hotline.store.prompt_models import PromptOverrideRow
from hotline.store.prompt_overrides import overrides
from prompts.catalog import site_catalog
from prompts.render import render_all, render_key
from prompts.studio import STUDIO

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")


@pytest.fixture
def admin(engine, db_url, tmp_path, clock, offload) -> Admin:
    return build_admin(engine, admin_settings(db_url, tmp_path), clock, offload)


async def upload(c, pid: str, data: bytes, name: str = "greeting-studio.wav", token: str | None = None):
    token = token if token is not None else await csrf_of(c, "/admin/prompts")
    files = {"audio": (name, data, "application/octet-stream")}
    return await c.post("/admin/prompts/upload", data={"csrf_token": token, "prompt_id": pid}, files=files)


async def override_rows(admin: Admin) -> int:
    async with admin.deps.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(PromptOverrideRow)) or 0)


async def test_a_studio_wav_becomes_the_8khz_mono_file_asterisk_plays(admin: Admin) -> None:
    studio = tone_wav(seconds=1.5, rate=44100, channels=2)
    async with session(admin, "admin") as c:
        r = await upload(c, "greeting", studio)
        assert r.status_code == 303 and r.headers["location"] == "/admin/prompts?done=uploaded"
        listing = await c.get(r.headers["location"], headers={"accept": "text/html"})
        heard = await c.get("/admin/prompts/audio?id=greeting")
    played = admin.prompts_dir / "greeting.wav"
    rate, channels, bits, seconds = wav_params(played)
    assert (rate, channels, bits) == (8000, 1, 16) and abs(seconds - 1.5) < 0.01
    assert_in_step(played)  # with its .alaw and .ulaw: the same 12,000 samples
    assert (admin.prompts_dir / STUDIO / "greeting.wav").read_bytes() == studio  # the original, kept
    sha = hashlib.sha256(played.read_bytes()).hexdigest()
    (record,) = (await overrides(admin.deps.engine)).values()
    assert (record.prompt_id, record.sha256, record.original_name, record.uploaded_by) == (
        "greeting",
        sha,
        "greeting-studio.wav",
        "admin1",
    )
    assert [a for a, _ in await audit_actions(admin.deps.engine)] == ["prompt_upload"]
    assert (await audit_actions(admin.deps.engine))[0][1]["sha256"] == sha
    assert listing.status_code == 200 and "录音已上传" in listing.text
    assert 'id="prompt-greeting" data-source="studio"' in listing.text
    assert heard.status_code == 200 and heard.content == played.read_bytes()
    assert heard.headers["content-type"] == "audio/wav"


@needs_ffmpeg
async def test_an_mp3_is_decoded_by_content_and_kept_as_mp3(admin: Admin, tmp_path: Path) -> None:
    mp3 = subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "wav", "-i", "-", "-f", "mp3", "-"],
        input=tone_wav(seconds=2.0, rate=48000, channels=1),
        capture_output=True,
        check=True,
    ).stdout
    async with session(admin, "admin") as c:
        r = await upload(c, "goodbye", mp3, name="goodbye.WAV")  # the name lies: the content decides
    assert r.status_code == 303
    rate, channels, bits, seconds = wav_params(admin.prompts_dir / "goodbye.wav")
    assert (rate, channels, bits) == (8000, 1, 16) and 1.9 < seconds < 2.2
    assert (admin.prompts_dir / STUDIO / "goodbye.mp3").read_bytes() == mp3
    assert not (admin.prompts_dir / STUDIO / "goodbye.wav").exists()


REFUSED = [
    ("not audio", "greeting", b"<html>this is no audio</html>" * 10, 400, "不是 WAV 或 MP3"),
    ("over the upload cap", "greeting", b"RIFF" + b"\0" * (7 * 1024 * 1024 + 10), 413, "超过 7 MB"),
    ("over a minute", "greeting", tone_wav(seconds=61, rate=8000, channels=1), 400, "超过 60 秒"),
    ("silent", "greeting", tone_wav(seconds=1, rate=8000, channels=1, freq=0), 400, "静音"),
    ("a path for an id", "../../etc/passwd", tone_wav(), 400, "没有这个提示音编号"),
    ("an unknown id", "no_such_prompt", tone_wav(), 400, "没有这个提示音编号"),
]


@pytest.mark.parametrize(("what", "pid", "data", "status", "says"), REFUSED, ids=[r[0] for r in REFUSED])
async def test_a_bad_upload_is_refused_and_changes_nothing(admin, what, pid, data, status, says) -> None:
    async with session(admin, "admin") as c:
        assert (await upload(c, "goodbye", tone_wav())).status_code == 303  # an override already there
        before, audits = snapshot(admin.prompts_dir), await audit_actions(admin.deps.engine)
        assert {"goodbye.wav", "goodbye.alaw", "goodbye.ulaw"} <= set(before)
        r = await upload(c, pid, data)
    assert r.status_code == status and says in r.text, r.text
    assert snapshot(admin.prompts_dir) == before
    assert await audit_actions(admin.deps.engine) == audits and await override_rows(admin) == 1
    assert not (Path("/etc") / "passwd.wav").exists()


async def test_a_body_over_the_console_cap_is_refused_before_the_page(admin: Admin) -> None:
    async with session(admin, "admin") as c:
        r = await upload(c, "greeting", b"RIFF" + b"\0" * (9 * 1024 * 1024))
    assert r.status_code == 413 and snapshot(admin.prompts_dir) == {} and await override_rows(admin) == 0


@pytest.mark.parametrize(
    ("role", "query", "status"),
    [
        ("supervisor", "id=greeting", 200),
        ("supervisor", "id=../../etc/passwd", 404),
        ("supervisor", "id=%2E%2E%2Fgreeting", 404),
        ("admin", "id=", 404),
        ("agent", "id=greeting", 403),
        (None, "id=greeting", 401),
    ],
)
async def test_listening_is_by_catalog_id_for_supervisors_and_admins(admin, role, query, status) -> None:
    admin.prompts_dir.mkdir(parents=True)
    (admin.prompts_dir / "greeting.wav").write_bytes(tone_wav(rate=8000, channels=1))
    async with session(admin, role) as c:
        r = await c.get(f"/admin/prompts/audio?{query}")
    assert r.status_code == status
    if status == 200:
        assert r.content == (admin.prompts_dir / "greeting.wav").read_bytes()


async def test_only_an_admin_with_the_session_token_changes_a_prompt(admin: Admin) -> None:
    async with session(admin, "supervisor") as c:
        page = await c.get("/admin/prompts", headers={"accept": "text/html"})
        assert page.status_code == 200 and "/admin/prompts/upload" not in page.text  # no edit forms
        assert (await upload(c, "greeting", tone_wav())).status_code == 403
    async with session(admin, "admin") as c:
        assert (await upload(c, "greeting", tone_wav(), token="forged")).status_code == 403
        form = {"prompt_id": "greeting"}
        assert (await c.post("/admin/prompts/revert", data=form)).status_code == 403  # no token at all
    assert snapshot(admin.prompts_dir) == {} and await override_rows(admin) == 0
    assert await audit_actions(admin.deps.engine) == []


def test_hotline_prompts_render_leaves_an_override_alone(tmp_path: Path) -> None:
    out, recorded = tmp_path / "prompts", tmp_path / "recorded"
    recorded.mkdir()
    for pid in ("greeting", "goodbye"):
        (recorded / f"{pid}.wav").write_bytes(tone_wav(rate=8000, channels=1, freq=300))
    (out / STUDIO).mkdir(parents=True)
    (out / STUDIO / "greeting.mp3").write_bytes(b"kept original")
    studio_wav = tone_wav(rate=8000, channels=1, freq=500)
    (out / "greeting.wav").write_bytes(studio_wav)
    (out / "manifest.json").write_text(json.dumps({"greeting": render_key("greeting", "x", recorded)[1]}))
    result = render_all({"greeting": "您好", "goodbye": "再见"}, out, recorded)
    assert result == {"greeting": "studio", "goodbye": "recorded"}
    assert (out / "greeting.wav").read_bytes() == studio_wav
    assert_in_step(out / "greeting.wav")  # its G.711 copies made from the studio file, not rendered over
    assert "greeting" not in json.loads((out / "manifest.json").read_text())  # made again once reverted


@needs_espeak
async def test_revert_renders_the_prompt_again_and_keeps_the_original(admin: Admin) -> None:
    async with session(admin, "admin") as c:
        assert (await upload(c, "goodbye", tone_wav())).status_code == 303
        studio_sha = hashlib.sha256((admin.prompts_dir / "goodbye.wav").read_bytes()).hexdigest()
        token = await csrf_of(c, "/admin/prompts")
        r = await c.post("/admin/prompts/revert", data={"csrf_token": token, "prompt_id": "goodbye"})
        again = await c.post("/admin/prompts/revert", data={"csrf_token": token, "prompt_id": "goodbye"})
    assert r.status_code == 303 and again.status_code == 400
    played = admin.prompts_dir / "goodbye.wav"
    assert hashlib.sha256(played.read_bytes()).hexdigest() != studio_sha
    assert wav_params(played)[:3] == (8000, 1, 16)
    assert not (admin.prompts_dir / STUDIO / "goodbye.wav").exists()
    assert [p.name[:8] for p in (admin.prompts_dir / STUDIO / "history").iterdir()] == ["goodbye-"]
    assert await override_rows(admin) == 0
    assert [a for a, _ in await audit_actions(admin.deps.engine)] == ["prompt_upload", "prompt_revert"]


@needs_espeak
async def test_render_changed_makes_only_the_prompts_whose_text_changed(admin: Admin) -> None:
    settings = admin.deps.settings
    catalog = site_catalog(company=settings.company, agent_ids=[a.id for a in settings.agents])
    admin.prompts_dir.mkdir(parents=True)
    filler = tone_wav(rate=8000, channels=1)
    for pid in catalog:
        (admin.prompts_dir / f"{pid}.wav").write_bytes(filler)
    manifest = {pid: render_key(pid, text)[1] for pid, text in catalog.items() if pid != "goodbye"}
    manifest["greeting"] = "tts:an older text"
    (admin.prompts_dir / "manifest.json").write_text(json.dumps(manifest))
    async with session(admin, "admin") as c:
        assert (await upload(c, "please_hold", tone_wav())).status_code == 303
        token = await csrf_of(c, "/admin/prompts")
        r = await c.post("/admin/prompts/render", data={"csrf_token": token, "scope": "changed"})
        empty = await c.post("/admin/prompts/render", data={"csrf_token": token})
    assert r.status_code == 303 and empty.status_code == 400
    made = {pid for pid in catalog if (admin.prompts_dir / f"{pid}.wav").read_bytes() != filler}
    assert made == {"goodbye", "greeting", "please_hold"}  # the last one: the upload
    (_, detail), *_ = [a for a in await audit_actions(admin.deps.engine) if a[0] == "prompt_render"]
    # the filler WAVs were current but had no G.711 copies: made from them, not synthesised again
    assert (detail["generated"], detail["studio"], detail["cached"]) == (2, 1, 0)
    assert detail["converted"] == len(catalog) - 3
    for pid in catalog:
        assert_in_step(admin.prompts_dir / f"{pid}.wav")
