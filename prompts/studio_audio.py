"""Checking and converting an uploaded studio recording to what Asterisk plays.

The format is told by the content, never by the file's name: a RIFF/WAVE header with integer PCM
(8/16/24/32-bit, the usual studio export) is read here, without any external tool; an MP3 (an ID3
tag or an MPEG layer III frame header) is decoded by ffmpeg, forced to the mp3 demuxer and cut at
MAX_SECONDS + 1, so a crafted file can neither make ffmpeg read another format nor expand to hours
of audio. The result is 8 kHz mono 16-bit, levelled like the rendered prompts (`to_telephone`).
Anything else is refused with `UploadRefused`, whose message (Chinese) is shown to the admin as is.
"""

from __future__ import annotations

import audioop  # deprecated in 3.13; Python 3.11 is the project's target (pydub uses it too)
import io
import shutil
import struct
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

# pydub warns at import when ffmpeg is absent; WAV needs none (an MP3 upload is refused then).
warnings.filterwarnings("ignore", message="Couldn't find ffmpeg", category=RuntimeWarning)
from pydub import AudioSegment  # noqa: E402
from pydub.exceptions import CouldntDecodeError  # noqa: E402

from prompts.render import to_telephone  # noqa: E402

MAX_UPLOAD_BYTES = 7 * 1024 * 1024  # under the console's 8 MB request cap, so this message shows
MAX_SECONDS = 60.0  # a prompt longer than a minute is a mistake on a phone line
MIN_SECONDS = 0.3
SILENCE_DBFS = -60.0
PCM_SUBFORMAT = bytes.fromhex("0100000000001000800000aa00389b71")  # KSDATAFORMAT_SUBTYPE_PCM


class UploadRefused(ValueError):
    """An upload that is not turned into a prompt; the message says why, in Chinese."""


@dataclass(frozen=True)
class Converted:
    wav: bytes  # 8 kHz mono 16-bit PCM WAV
    seconds: float
    kind: str  # the original's format: wav | mp3


@dataclass(frozen=True)
class WavFormat:
    channels: int
    rate: int
    width: int  # bytes per sample
    pcm: bytes

    @property
    def seconds(self) -> float:
        return len(self.pcm) / (self.rate * self.channels * self.width)


def sniff(data: bytes) -> str:
    """'wav' or 'mp3' by the first bytes; UploadRefused for anything else."""
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if _mp3_start(data):
        return "mp3"
    raise UploadRefused("文件不是 WAV 或 MP3 音频（按文件内容判断，与文件名无关），未做任何更改。")


def _mp3_start(data: bytes) -> bool:
    pos = 0
    if data[:3] == b"ID3" and len(data) >= 10:
        size = (data[6] & 0x7F) << 21 | (data[7] & 0x7F) << 14 | (data[8] & 0x7F) << 7 | (data[9] & 0x7F)
        pos = 10 + size + (10 if data[5] & 0x10 else 0)
        while pos < len(data) and data[pos] == 0:  # padding after the tag
            pos += 1
    if len(data) < pos + 4:
        return False
    b1, b2 = data[pos + 1], data[pos + 2]
    return (
        data[pos] == 0xFF
        and b1 & 0xE0 == 0xE0
        and (b1 >> 3) & 3 != 1  # MPEG version not reserved
        and (b1 >> 1) & 3 == 1  # layer III
        and (b2 >> 4) not in (0, 15)  # a bitrate
        and (b2 >> 2) & 3 != 3  # a sample rate
    )


def _chunks(data: bytes) -> dict[bytes, bytes]:
    """The RIFF chunks up to and with `data` (a truncated data chunk: what there is of it)."""
    found: dict[bytes, bytes] = {}
    pos = 12
    while pos + 8 <= len(data):
        cid, size = data[pos : pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        found.setdefault(cid, data[pos + 8 : pos + 8 + size])
        if cid == b"data":
            break
        pos += 8 + size + (size & 1)
    return found


def read_wav(data: bytes) -> WavFormat:
    """The PCM of a WAV file; UploadRefused for a broken file or a format other than integer PCM."""
    chunks = _chunks(data)
    fmt, pcm = chunks.get(b"fmt "), chunks.get(b"data")
    if fmt is None or len(fmt) < 16 or pcm is None:
        raise UploadRefused("WAV 文件不完整（缺少 fmt 或 data 段），未做任何更改。")
    tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", fmt)
    integer_pcm = tag == 1 or (tag == 0xFFFE and fmt[24:40] == PCM_SUBFORMAT)  # not float, not a codec
    if not integer_pcm or bits not in (8, 16, 24, 32):
        raise UploadRefused(
            "WAV 编码不受支持：请导出为整数 PCM（8/16/24/32 位）的 WAV，或上传 MP3，未做任何更改。"
        )
    if not 1 <= channels <= 8 or not 8000 <= rate <= 192_000:
        raise UploadRefused(f"WAV 参数不合理（{channels} 声道，{rate} Hz），未做任何更改。")
    width = bits // 8
    frame = channels * width
    return WavFormat(channels, rate, width, pcm[: len(pcm) - len(pcm) % frame])


def _too_long(seconds: float) -> UploadRefused:
    return UploadRefused(f"录音时长超过 {MAX_SECONDS:.0f} 秒（约 {seconds:.0f} 秒），未做任何更改。")


def _from_wav(data: bytes) -> AudioSegment:
    wav = read_wav(data)
    if wav.seconds > MAX_SECONDS:
        raise _too_long(wav.seconds)
    pcm, width = wav.pcm, wav.width
    if width == 1:
        pcm = audioop.bias(pcm, 1, -128)  # 8-bit WAV is unsigned
    elif width == 3:
        pcm, width = audioop.lin2lin(pcm, 3, 2), 2  # pydub keeps 24-bit values unscaled
    return AudioSegment(data=pcm, sample_width=width, frame_rate=wav.rate, channels=wav.channels)


def _from_mp3(data: bytes) -> AudioSegment:
    if shutil.which("ffmpeg") is None:
        raise UploadRefused("服务器未安装 ffmpeg，无法转换 MP3；请上传 WAV 文件，未做任何更改。")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload.mp3"
        path.write_bytes(data)
        try:
            return AudioSegment.from_file(str(path), format="mp3", duration=MAX_SECONDS + 1)
        except (CouldntDecodeError, IndexError, ValueError) as exc:  # ffmpeg failed / no audio
            raise UploadRefused("MP3 文件无法解码（文件损坏或不是 MP3），未做任何更改。") from exc


def convert(data: bytes) -> Converted:
    """The upload checked (size, format, duration, not silent) and converted; UploadRefused."""
    if not data:
        raise UploadRefused("没有收到文件内容，未做任何更改。")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused(f"文件超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB，未做任何更改。")
    kind = sniff(data)
    seg = _from_wav(data) if kind == "wav" else _from_mp3(data)
    seconds = len(seg) / 1000
    if seconds > MAX_SECONDS:
        raise _too_long(seconds)
    if seconds < MIN_SECONDS:
        raise UploadRefused(f"录音太短（不足 {MIN_SECONDS} 秒），未做任何更改。")
    if seg.max_dBFS < SILENCE_DBFS:
        raise UploadRefused("录音几乎没有声音（全是静音），未做任何更改。")
    out = io.BytesIO()
    phone = to_telephone(seg)
    phone.export(out, format="wav")
    return Converted(out.getvalue(), len(phone) / 1000, kind)


def prompt_format(wav: bytes) -> tuple[int, int, int]:
    """(rate, channels, bits) of a WAV, for checking a converted file."""
    w = read_wav(wav)
    return w.rate, w.channels, 8 * w.width
