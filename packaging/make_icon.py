"""Draw cypdesk's icon with Pillow: a teal rounded square holding three white rows
(a register's lines) and "cyp" in the bundled DejaVu Sans Bold. Writes
resources/icons/cypdesk.png (256 px, the window's icon and the README's) and
resources/icons/cypdesk.ico (16 to 256 px, for the Windows programs, the MSI's
shortcuts and the .cypdesk file type).

    .venv/bin/python packaging/make_icon.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "icons"
TEAL, WHITE, PALE = (0, 105, 120, 255), (255, 255, 255, 255), (178, 223, 219, 255)
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]


def draw(size: int = 1024) -> Image.Image:
    """The icon at ``size`` pixels (drawn large, scaled down for each size)."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    margin = size // 16
    pen.rounded_rectangle((margin, margin, size - margin, size - margin), radius=size // 6, fill=TEAL)
    font = ImageFont.truetype(str(ROOT / "resources" / "fonts" / "DejaVuSans-Bold.ttf"), size // 3)
    pen.text((size // 2, size * 0.36), "cyp", font=font, fill=WHITE, anchor="mm")
    left, right, thick = size * 0.22, size * 0.78, size // 22
    for i, top in enumerate((0.58, 0.68, 0.78)):
        y = size * top
        pen.rounded_rectangle((left, y, right if i < 2 else size * 0.58, y + thick), radius=thick // 2,
                              fill=PALE if i else WHITE)
    return image


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw()
    big.resize((256, 256), Image.Resampling.LANCZOS).save(OUT / "cypdesk.png", optimize=True)
    big.save(OUT / "cypdesk.ico", sizes=ICO_SIZES)
    print(f"wrote {OUT / 'cypdesk.png'} and {OUT / 'cypdesk.ico'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
