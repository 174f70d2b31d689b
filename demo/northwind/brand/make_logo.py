#!/usr/bin/env python3
"""Draws the demo consultancy's logo, logo.png, with the standard library
only: a ring and three bars in the brand's colours on white, 8-bit RGB,
non-interlaced (the PNG kind the PDF library reads).

    python3 demo/northwind/brand/make_logo.py demo/northwind/brand/logo.png
"""
import math
import struct
import sys
import zlib

W, H = 360, 120
TEAL = (11, 110, 79)
SLATE = (38, 50, 56)
WHITE = (255, 255, 255)


def pixel(x, y):
    """The colour at (x, y): a ring at the left, bars to its right."""
    cx, cy = 60, 60
    d = math.hypot(x - cx, y - cy)
    if 30 <= d <= 46 and not (x > cx and abs(y - cy) < 9):
        return TEAL
    if 22 <= d < 30 and x < cx:
        return SLATE
    for i, (top, length) in enumerate(((30, 250), (54, 190), (78, 220))):
        if top <= y < top + 12 and 124 <= x < 124 + length:
            return TEAL if i == 1 else SLATE
    return WHITE


def chunk(kind, data):
    body = kind + data
    return (struct.pack(">I", len(data)) + body +
            struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF))


def main(path):
    rows = b"".join(b"\x00" + bytes(c for x in range(W) for c in pixel(x, y))
                    for y in range(H))
    png = (b"\x89PNG\r\n\x1a\n" +
           chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0)) +
           chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(png)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "logo.png")
