"""A site photo for the demo, drawn with Pillow: a machine in a plant room with the camera's time stamp, as the
JPEG an engineer's phone would upload. Good enough to show where photos appear (work order, receipt PDF)."""

from __future__ import annotations

import datetime as dt
import io
import random

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 960, 720


def site_photo(seed: int, taken: dt.datetime) -> bytes:
    rng = random.Random(seed)
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    wall, floor = rng.choice([((178, 184, 186), (96, 102, 98)), ((196, 190, 172), (110, 104, 92)),
                              ((160, 172, 180), (84, 92, 96))])
    horizon = int(HEIGHT * rng.uniform(0.55, 0.68))
    for y in range(HEIGHT):  # light falling off towards the floor
        base = wall if y < horizon else floor
        shade = 1 - 0.25 * y / HEIGHT
        draw.line([(0, y), (WIDTH, y)], fill=tuple(int(c * shade) for c in base))
    body = rng.choice([(58, 104, 150), (180, 180, 176), (70, 120, 86), (150, 60, 44)])
    x0, x1 = int(WIDTH * rng.uniform(0.12, 0.25)), int(WIDTH * rng.uniform(0.7, 0.88))
    y0 = int(HEIGHT * rng.uniform(0.2, 0.32))
    draw.rectangle([x0, y0, x1, horizon + 40], fill=body, outline=(30, 30, 30), width=3)
    for i in range(rng.randint(2, 4)):  # pipes along the top
        y = y0 - 30 - i * 26
        draw.rectangle([0, y, WIDTH, y + 14], fill=(120, 124, 128), outline=(60, 60, 60))
    panel = (x0 + 30, y0 + 30, x0 + 180, y0 + 130)
    draw.rectangle(panel, fill=(30, 36, 40), outline=(200, 200, 200), width=2)
    for i in range(3):
        colour = rng.choice([(40, 200, 80), (230, 170, 30), (220, 50, 40)])
        draw.ellipse([panel[0] + 20 + i * 40, panel[3] - 30, panel[0] + 36 + i * 40, panel[3] - 14], fill=colour)
    draw.text((panel[0] + 16, panel[1] + 16), f"{rng.uniform(0.8, 1.6):.2f} MPa", fill=(120, 240, 160))
    for x in range(x0 + 220, x1 - 30, 26):  # louvres
        draw.line([(x, y0 + 40), (x, horizon)], fill=tuple(max(c - 30, 0) for c in body), width=6)
    draw.text((WIDTH - 190, HEIGHT - 34), taken.strftime("%Y-%m-%d %H:%M"), fill=(255, 200, 60))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=82)
    return out.getvalue()
