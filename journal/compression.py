"""Cached pages kept gzip-compressed, each response's CSRF token put in uncompressed.

A browser asks for gzip, and the GZip middleware compressed a cached page again on every
request: more time than the rest of serving it from the cache. A page is therefore compressed
once, when it is drawn, in parts split where its token goes. Each part is deflated on its own
(a full flush: no part refers back to another), so that each response is the parts with its own
token between them in stored (uncompressed) deflate blocks, and a gzip trailer of its own. A
token never compressed also gives a BREACH attack no length to read it by.

The trailer's CRC-32 is of the whole page, token included. It is made from each part's own
CRC, stored, with CRC-32's linearity: crc(c, B) = crc(0, B) ^ crc(c, zeros) ^ crc(0, zeros),
zeros being as long as B, which zlib computes in C at memory speed.
"""

import re
import struct
import zlib
from dataclasses import dataclass

from django.http import HttpRequest

# A gzip member's header: deflate, no name, no time, unknown system (RFC 1952).
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
# A last, empty deflate block with fixed codes: BFINAL 1, BTYPE 01, end-of-block (RFC 1951).
LAST_BLOCK = b"\x03\x00"
STORED_MOST = 0xFFFF  # the most bytes one stored block holds
ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as Django's GZip middleware reads the header


def accepts_gzip(request: HttpRequest) -> bool:
    return bool(ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))


@dataclass(frozen=True)
class CompressedPage:
    """A page's bytes split at a mark, each part raw-deflated and full-flushed, with its
    CRC-32, the CRC-32 of as many zeros, and its length."""

    parts: tuple[bytes, ...]
    crcs: tuple[int, ...]
    zero_crcs: tuple[int, ...]
    lengths: tuple[int, ...]

    @classmethod
    def of(cls, page: bytes, mark: bytes) -> "CompressedPage":
        plain = page.split(mark)
        return cls(
            parts=tuple(_deflated(part) for part in plain),
            crcs=tuple(zlib.crc32(part) for part in plain),
            zero_crcs=tuple(zlib.crc32(bytes(len(part))) for part in plain),
            lengths=tuple(len(part) for part in plain),
        )

    def gzip(self, filler: bytes) -> bytes:
        """The page with `filler` where the mark was, as one gzip member."""
        stored = _stored(filler)
        pieces = [GZIP_HEADER]
        crc = 0
        for index, part in enumerate(self.parts):
            if index:
                pieces.append(stored)
                crc = zlib.crc32(filler, crc)
            pieces.append(part)
            zeros = bytes(self.lengths[index])
            crc = zlib.crc32(zeros, crc) ^ self.crcs[index] ^ self.zero_crcs[index]
        size = sum(self.lengths) + len(filler) * (len(self.parts) - 1)
        pieces += [LAST_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF)]
        return b"".join(pieces)

    def plain(self, filler: bytes) -> bytes:
        """The page with `filler` where the mark was, uncompressed, for a client without gzip."""
        return filler.join(zlib.decompressobj(-zlib.MAX_WBITS).decompress(p) for p in self.parts)


def _deflated(part: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(part) + compressor.flush(zlib.Z_FULL_FLUSH)


def _stored(data: bytes) -> bytes:
    """`data` as stored deflate blocks, not the last: each is BFINAL 0, BTYPE 00, padded to the
    byte (a full flush leaves the stream on one), then LEN and its complement."""
    blocks = []
    for start in range(0, len(data), STORED_MOST):
        chunk = data[start : start + STORED_MOST]
        blocks.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)
