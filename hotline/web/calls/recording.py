"""A recording streamed to the browser's <audio> element, with HTTP range requests.

The file is only ever one the store names for the call (never a path from the request), mapped
to this host and kept inside the recordings directory by hotline.recordings.paths (symlinks
followed and checked). Starlette's FileResponse (1.x) answers the ranges: `Range: bytes=a-b`
gives 206 with Content-Range, a range past the end 416 with `Content-Range: bytes */size`, several
ranges a multipart/byteranges 206, If-Range is honoured, and Accept-Ranges: bytes is always sent.
The filesystem is looked at in a worker thread; the body is read by FileResponse in threads too.
The file is opened by its resolved name: a link swapped in between the check and the open
would need write access to the recordings directory, which only Asterisk has.
"""

from __future__ import annotations

import asyncio
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import structlog
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from hotline.recordings.paths import RecordingPathError, RecordingsDir
from hotline.web.templating import error_page

log = structlog.get_logger("web.calls")
MEDIA_TYPES = {".wav": "audio/wav", ".gsm": "audio/x-gsm", ".mp3": "audio/mpeg", ".ogg": "audio/ogg"}
HEADERS = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


def _open(folder: RecordingsDir, stored: str) -> tuple[Path, os.stat_result]:
    real = folder.readable(stored)
    return real, real.stat()


async def recording_response(
    request: Request,
    folder: RecordingsDir,
    stored: str,
    deleted_at: datetime | None,
    tz: ZoneInfo,
) -> Response:
    """The file `stored` (a path from the store) as a ranged response, or an error page:
    410 when the retention job deleted it, 404 when it is not there or not allowed."""
    if deleted_at is not None:
        when = deleted_at.astimezone(tz)
        return error_page(
            request, 410, "录音已删除", f"该录音已超过保存期限，于 {when:%Y-%m-%d %H:%M} 删除。"
        )
    try:
        real, stat_result = await asyncio.to_thread(_open, folder, stored)
    except RecordingPathError as exc:
        log.error("web.recording_refused", path=stored, error=str(exc))
        return error_page(request, 404, "录音不可用", "该录音文件不在录音目录中，已拒绝访问。请联系管理员。")
    except FileNotFoundError:
        log.warning("web.recording_missing", path=stored)
        return error_page(request, 404, "录音不存在", "该通话的录音文件不存在。")
    return FileResponse(
        real,
        media_type=MEDIA_TYPES.get(real.suffix.lower(), "application/octet-stream"),
        headers=HEADERS,
        stat_result=stat_result,
    )


def plays_from_start(request: Request) -> bool:
    """Whether the request starts a playback (a GET with no range, or one from byte 0): the one
    audited."""
    if request.method != "GET":
        return False
    ranges = request.headers.get("range", "").replace(" ", "")
    return not ranges or ranges.startswith("bytes=0-")
