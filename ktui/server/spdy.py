"""A minimal SPDY/3.1 framer for the server end of a session (what ``kubectl port-forward`` speaks, tunnelled in
WebSocket binary messages): frames in and out, and the zlib-compressed name/value header blocks.

The frame layouts and the header compression dictionary are those of the SPDY/3 draft (section 2.6.10.1); one
zlib stream per direction carries every header block of the session, each block ending with a sync flush.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

__all__ = [
    "DICTIONARY",
    "VERSION",
    "SYN_STREAM",
    "SYN_REPLY",
    "RST_STREAM",
    "SETTINGS",
    "PING",
    "GOAWAY",
    "HEADERS",
    "WINDOW_UPDATE",
    "FLAG_FIN",
    "CANCEL",
    "PROTOCOL_ERROR",
    "Frame",
    "Framer",
    "SpdyError",
]

VERSION = 3
SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE = 1, 2, 3, 4, 6, 7, 8, 9
FLAG_FIN = 0x01
PROTOCOL_ERROR, INVALID_STREAM, REFUSED_STREAM, CANCEL = 1, 2, 3, 5
"""RST_STREAM status codes."""

_WORDS = (
    "options head post put delete trace accept accept-charset accept-encoding accept-language accept-ranges age "
    "allow authorization cache-control connection content-base content-encoding content-language content-length "
    "content-location content-md5 content-range content-type date etag expect expires from host if-match "
    "if-modified-since if-none-match if-range if-unmodified-since last-modified location max-forwards pragma "
    "proxy-authenticate proxy-authorization range referer retry-after server te trailer transfer-encoding upgrade "
    "user-agent vary via warning www-authenticate method get status"
).split() + ["200 OK", "version", "HTTP/1.1", "url", "public", "set-cookie", "keep-alive", "origin"]
_TAIL = (
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
    "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized"
    "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
    "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
    "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
    "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0."
)
DICTIONARY = b"".join(struct.pack(">I", len(w)) + w.encode() for w in _WORDS) + _TAIL.encode()
"""The SPDY/3 header compression dictionary: each word with its 32-bit length before it, then the tail."""


class SpdyError(Exception):
    """The peer sent what SPDY/3.1 does not allow; the session ends."""


@dataclass
class Frame:
    """One frame: a control frame (``kind`` > 0) or a DATA frame (``kind`` 0)."""

    kind: int
    stream: int = 0
    flags: int = 0
    data: bytes = b""
    headers: dict[str, list[str]] = field(default_factory=dict)
    """A SYN_STREAM's, SYN_REPLY's or HEADERS' name/value block."""
    value: int = 0
    """A PING's id, an RST_STREAM's or GOAWAY's status, a WINDOW_UPDATE's delta."""

    @property
    def fin(self) -> bool:
        return bool(self.flags & FLAG_FIN)

    def header(self, name: str) -> str:
        """The first value of ``name`` ('' if absent)."""
        values = self.headers.get(name.lower()) or [""]
        return values[0]


class Framer:
    """Reads frames out of the bytes the peer sends and writes the server's frames."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._inflate = zlib.decompressobj(zdict=DICTIONARY)
        self._deflate = zlib.compressobj(9, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, DICTIONARY)

    # ------------------------------------------------------------------ reading

    def feed(self, data: bytes) -> list[Frame]:
        """The frames completed by ``data`` (a frame may arrive split over several messages).

        Raises:
            SpdyError: a malformed frame or header block.
        """
        self._buf += data
        frames: list[Frame] = []
        while len(self._buf) >= 8:
            first, second = struct.unpack_from(">II", self._buf)
            length = second & 0xFFFFFF
            if len(self._buf) < 8 + length:
                break
            body = bytes(self._buf[8 : 8 + length])
            del self._buf[: 8 + length]
            flags = second >> 24
            if not first & 0x80000000:
                frames.append(Frame(0, first & 0x7FFFFFFF, flags, body))
                continue
            version, kind = (first >> 16) & 0x7FFF, first & 0xFFFF
            if version != VERSION:
                raise SpdyError(f"unsupported SPDY version {version}")
            frames.append(self._control(kind, flags, body))
        return frames

    def _control(self, kind: int, flags: int, body: bytes) -> Frame:
        try:
            if kind == SYN_STREAM:
                stream = struct.unpack_from(">I", body)[0] & 0x7FFFFFFF
                return Frame(kind, stream, flags, headers=self._headers(body[10:]))
            if kind in (SYN_REPLY, HEADERS):
                stream = struct.unpack_from(">I", body)[0] & 0x7FFFFFFF
                return Frame(kind, stream, flags, headers=self._headers(body[4:]))
            if kind in (RST_STREAM, WINDOW_UPDATE, GOAWAY):
                stream, value = struct.unpack_from(">II", body)
                return Frame(kind, stream & 0x7FFFFFFF, flags, value=value & 0x7FFFFFFF)
            if kind == PING:
                return Frame(kind, flags=flags, value=struct.unpack_from(">I", body)[0])
        except struct.error as e:
            raise SpdyError(f"short control frame of type {kind}") from e
        return Frame(kind, flags=flags, data=body)  # SETTINGS and others: kept whole, not interpreted

    def _headers(self, block: bytes) -> dict[str, list[str]]:
        try:
            raw = self._inflate.decompress(block)
            count = struct.unpack_from(">I", raw)[0]
            pos, out = 4, {}
            for _ in range(count):
                (n,) = struct.unpack_from(">I", raw, pos)
                name = raw[pos + 4 : pos + 4 + n].decode("latin-1")
                pos += 4 + n
                (n,) = struct.unpack_from(">I", raw, pos)
                out[name.lower()] = raw[pos + 4 : pos + 4 + n].decode("latin-1").split("\0")
                pos += 4 + n
        except (zlib.error, struct.error) as e:
            raise SpdyError(f"bad header block: {e}") from e
        return out

    # ------------------------------------------------------------------ writing

    def _block(self, headers: dict[str, str]) -> bytes:
        raw = struct.pack(">I", len(headers))
        for name, value in headers.items():
            n, v = name.lower().encode("latin-1"), value.encode("latin-1")
            raw += struct.pack(">I", len(n)) + n + struct.pack(">I", len(v)) + v
        return self._deflate.compress(raw) + self._deflate.flush(zlib.Z_SYNC_FLUSH)

    @staticmethod
    def _control_frame(kind: int, flags: int, body: bytes) -> bytes:
        return struct.pack(">HHI", 0x8000 | VERSION, kind, (flags << 24) | len(body)) + body

    def syn_reply(self, stream: int, headers: dict[str, str] | None = None, fin: bool = False) -> bytes:
        body = struct.pack(">I", stream) + self._block(headers or {})
        return self._control_frame(SYN_REPLY, FLAG_FIN if fin else 0, body)

    @staticmethod
    def data(stream: int, payload: bytes = b"", fin: bool = False) -> bytes:
        return struct.pack(">II", stream, ((FLAG_FIN if fin else 0) << 24) | len(payload)) + payload

    def rst_stream(self, stream: int, status: int) -> bytes:
        return self._control_frame(RST_STREAM, 0, struct.pack(">II", stream, status))

    def ping(self, ping_id: int) -> bytes:
        return self._control_frame(PING, 0, struct.pack(">I", ping_id))

    def goaway(self, last_stream: int, status: int = 0) -> bytes:
        return self._control_frame(GOAWAY, 0, struct.pack(">II", last_stream, status))
