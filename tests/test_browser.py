"""Both HTML pages render in a real browser: headless Chromium, no network, no console error.

The pages are the command line's own: `mteam review --format html -o FILE` and
`mteam members --format html -o FILE` (English and Traditional Chinese), run through
`mteam.cli.main`. The test runs wherever `chromium` is installed and always in CI (`CI`
set), where `.ci/run` installs Debian's `chromium`; elsewhere, without Chromium, it is
skipped. The screenshot is
decoded here with `zlib` (no imaging dependency) to check that the page is not blank.
"""

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from mteam.cli import main
from mteam.io import load_sample_team
from mteam.report.html import review_page
from mteam.review import run_review

CHROMIUM = shutil.which("chromium")
WIDTH, HEIGHT = 1200, 2000

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="chromium is not installed (CI installs it and never skips this test)",
)


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if CHROMIUM is None:  # in CI
        pytest.fail("CI must have chromium: .ci/run installs it with apt-get")
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)  # noqa: S603


def paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def unfilter(kind: int, line: bytearray, prior: bytearray, bpp: int) -> bytearray:
    """One scanline reconstructed (PNG specification, section 9: filter types 0 to 4)."""
    stride = len(line)
    if kind == 1:  # sub
        for i in range(bpp, stride):
            line[i] = (line[i] + line[i - bpp]) & 0xFF
    elif kind == 2:  # up: bytewise addition without carries, on the whole row at once
        a, b = int.from_bytes(line, "big"), int.from_bytes(prior, "big")
        low = int.from_bytes(b"\x7f" * stride, "big")
        high = int.from_bytes(b"\x80" * stride, "big")
        line = bytearray((((a & low) + (b & low)) ^ ((a ^ b) & high)).to_bytes(stride, "big"))
    elif kind == 3:  # average
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + ((left + prior[i]) >> 1)) & 0xFF
    elif kind == 4:  # Paeth
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            c = prior[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + paeth(a, prior[i], c)) & 0xFF
    return line


def png_pixels(data: bytes) -> tuple[int, int, int, bytes]:
    """Width, height, bytes per pixel and the raw pixel rows of an 8-bit, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, [], b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = chunk
        elif kind == b"IDAT":
            idat.append(chunk)
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8
    assert interlace == 0
    bpp = {2: 3, 6: 4, 0: 1, 4: 2}[colour]
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows = bytearray()
    prior = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        line = unfilter(raw[start], bytearray(raw[start + 1 : start + 1 + stride]), prior, bpp)
        rows += line
        prior = line
    return width, height, bpp, bytes(rows)


DARK = bytes(1 if v < 235 else 0 for v in range(256))


def ink_share(width: int, height: int, bpp: int, rows: bytes) -> float:
    """The share of pixels that are not (nearly) white, judged by their green channel."""
    green = rows[1::bpp] if bpp >= 3 else rows[::bpp]
    return sum(green.translate(DARK)) / (width * height)


ERRORS = re.compile(
    r"CONSOLE\(\d+\).*|Uncaught|Refused to|Failed to load resource|"
    r"net::ERR_|Content Security Policy",
    re.IGNORECASE,
)


def page_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ERRORS.search(line)]


COMMANDS = {
    "review": ["review", "--format", "html"],
    "members": ["members", "--format", "html"],
    "review-zh": ["review", "--format", "html", "--language", "zh-Hant"],
    "members-zh": ["members", "--format", "html", "--language", "zh-Hant"],
}


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Each page as the command line writes it with `-o FILE`."""
    folder = tmp_path_factory.mktemp("pages")
    out = {}
    for name, argv in COMMANDS.items():
        path = folder / f"{name}.html"
        assert main([*argv, "-o", str(path)]) == 0
        out[name] = path
    return out


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_page_renders_something_and_logs_no_error(pages, name, tmp_path):
    shot = tmp_path / f"{name}.png"
    result = chromium(
        tmp_path / "profile",
        f"--screenshot={shot}",
        f"--window-size={WIDTH},{HEIGHT}",
        pages[name].as_uri(),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert page_errors(result.stderr) == []
    image = png_pixels(shot.read_bytes())
    assert image[:2] == (WIDTH, HEIGHT)
    share = ink_share(*image)
    # the grey margins and the text, tables and charts cover part of the page, not all of it
    assert 0.01 < share < 0.9, share


@pytest.mark.parametrize("name", ["review", "members"])
def test_the_browser_builds_the_whole_document(pages, name, tmp_path):
    result = chromium(tmp_path / "profile", "--dump-dom", pages[name].as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert page_errors(result.stderr) == []
    dom = result.stdout
    assert dom.count("<svg") == pages[name].read_text(encoding="utf-8").count("<svg")
    assert "</main>" in dom
    assert "<script" not in dom


def test_the_decoder_reads_every_filter():
    # a 2 × 5 RGB image whose rows use filters 0 to 4; each row's pixels are (10, 20, 30) and
    # (40, 50, 60) after reconstruction
    pixel_rows = [bytes([10, 20, 30, 40, 50, 60])] * 5
    filtered = []
    prior = bytes(6)
    for kind, row in enumerate(pixel_rows):
        if kind == 0:
            line = row
        elif kind == 1:
            line = bytes(row[:3]) + bytes((row[i] - row[i - 3]) & 0xFF for i in range(3, 6))
        elif kind == 2:
            line = bytes((a - b) & 0xFF for a, b in zip(row, prior, strict=True))
        elif kind == 3:
            line = bytes(
                (row[i] - (((row[i - 3] if i >= 3 else 0) + prior[i]) >> 1)) & 0xFF
                for i in range(6)
            )
        else:
            out = []
            for i in range(6):
                a = row[i - 3] if i >= 3 else 0
                c = prior[i - 3] if i >= 3 else 0
                out.append((row[i] - paeth(a, prior[i], c)) & 0xFF)
            line = bytes(out)
        filtered.append(bytes([kind]) + line)
        prior = row

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 5, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"".join(filtered)))
        + chunk(b"IEND", b"")
    )
    assert png_pixels(png) == (2, 5, 3, b"".join(pixel_rows))
    assert ink_share(*png_pixels(png)) == 1.0


def test_a_page_that_tries_a_request_is_caught(tmp_path):
    # the negative control: the same policy, one image from the network, one script
    text = review_page(run_review(load_sample_team())).replace(
        "</main>", '<img src="https://example.invalid/x.png" alt=""><script>x()</script></main>'
    )
    path = tmp_path / "leaky.html"
    path.write_text(text, encoding="utf-8")
    result = chromium(tmp_path / "profile", "--dump-dom", path.as_uri())
    assert page_errors(result.stderr) != []
