"""A page kept compressed, its token put in per response (journal/compression.py): what a
browser unpacks is the page with that token, byte for byte, whatever the page and the token."""

import gzip
import zlib

from hypothesis import given
from hypothesis import strategies as st

from journal.compression import STORED_MOST, CompressedPage

MARK = b"\x00MARK\x00"


@given(
    parts=st.lists(
        st.binary(max_size=3000).filter(lambda part: MARK not in part), min_size=1, max_size=5
    ),
    filler=st.binary(max_size=200),
)
def test_the_gzip_and_the_plain_page_are_the_page_with_the_filler(parts, filler):
    page = CompressedPage.of(MARK.join(parts), MARK)
    expected = filler.join(parts)
    assert gzip.decompress(page.gzip(filler)) == expected
    assert page.plain(filler) == expected


def test_a_filler_longer_than_a_stored_block_and_a_long_page():
    parts = [("héllo " * 40_000).encode(), b"", b"<end>"]
    filler = b"t" * (STORED_MOST + 10)
    page = CompressedPage.of(MARK.join(parts), MARK)
    compressed = page.gzip(filler)
    assert gzip.decompress(compressed) == filler.join(parts)
    assert len(compressed) < len(parts[0]) / 50 + 2 * len(filler) + 100


def test_the_trailer_holds_the_whole_pages_crc_and_size():
    """A gzip reader that checks the trailer (Python's does) refuses a wrong CRC: here the
    stream is also checked by zlib itself, as a browser's inflater reads it."""
    page = CompressedPage.of(b"<p>" + MARK + b"</p>" + MARK, MARK)
    compressed = page.gzip(b"token")
    whole = b"<p>token</p>token"
    assert int.from_bytes(compressed[-8:-4], "little") == zlib.crc32(whole)
    assert int.from_bytes(compressed[-4:], "little") == len(whole)
    assert zlib.decompress(compressed, 16 + zlib.MAX_WBITS) == whole
