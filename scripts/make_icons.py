"""Draw the app's icons (static/icons/) from the favicon's design: two eyes over a line.

Run once after changing the design: `.venv/bin/python scripts/make_icons.py`. The maskable icon
keeps its drawing inside the middle 80%, the safe zone a phone's mask never cuts into.
"""

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = "#1d4e6b"
WHITE = "#ffffff"
ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"


def draw(size: int, *, maskable: bool) -> Image.Image:
    image = Image.new(
        "RGB" if maskable else "RGBA", (size, size), BRAND if maskable else (0, 0, 0, 0)
    )
    pen = ImageDraw.Draw(image)
    if not maskable:
        pen.rounded_rectangle((0, 0, size - 1, size - 1), radius=size * 7 // 32, fill=BRAND)
    # The favicon's 32-unit grid, shrunk to the safe zone for the maskable icon.
    scale = size / 32 * (0.7 if maskable else 1)
    offset = (size - 32 * scale) / 2

    def at(x: float, y: float) -> tuple[float, float]:
        return offset + x * scale, offset + y * scale

    def circle(x: float, y: float, r: float, fill: str) -> None:
        (cx, cy), radius = at(x, y), r * scale
        pen.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=fill)

    circle(11, 14, 5, WHITE)
    circle(21, 14, 5, WHITE)
    circle(12, 15, 2, BRAND)
    circle(22, 13, 2, BRAND)
    pen.line((*at(9, 24), *at(23, 24)), fill=WHITE, width=round(2 * scale))
    return image


def main() -> None:
    ICONS.mkdir(exist_ok=True)
    for size in (192, 512):
        draw(size, maskable=False).save(ICONS / f"icon-{size}.png", optimize=True)
    draw(512, maskable=True).save(ICONS / "icon-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
