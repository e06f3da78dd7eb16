"""A plausible handwritten scribble, drawn with Pillow, as the PNG data URL a signature pad would send."""

from __future__ import annotations

import base64
import io
import math
import random

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 480, 160


def _stroke(rng: random.Random, x0: float, x1: float) -> list[tuple[float, float]]:
    """One pen stroke: a wavy line with loops, like a hurried Chinese signature."""
    points = []
    base = HEIGHT * rng.uniform(0.45, 0.6)
    amp = rng.uniform(10, 26)
    freq = rng.uniform(0.05, 0.09)
    loop = rng.uniform(8, 15)
    phase = rng.uniform(0, math.tau)
    steps = int(x1 - x0)
    slant = rng.uniform(0.2, 0.45)
    for i in range(steps):
        t = x0 + i
        y_wave = amp * math.sin(t * freq + phase) + loop * math.sin(t * freq * 2.6 + phase)
        x = t + loop * math.cos(t * freq * 2.6 + phase) - slant * y_wave
        y = base + y_wave
        points.append((x, y))
    return points


def scribble_data_url(seed: int) -> str:
    """A transparent PNG with two or three dark strokes, encoded as `data:image/png;base64,...`."""
    rng = random.Random(seed)
    image = Image.new("RGBA", (WIDTH, HEIGHT), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    colour = (20, 24, 60, 255)
    x = rng.uniform(20, 50)
    for _ in range(rng.randint(2, 3)):
        width = rng.uniform(90, 170)
        draw.line(_stroke(rng, x, min(x + width, WIDTH - 20)), fill=colour, width=3, joint="curve")
        x += width + rng.uniform(5, 25)
        if x > WIDTH - 60:
            break
    # the final flourish under the name
    y = HEIGHT * 0.8
    draw.line([(40, y), (WIDTH * rng.uniform(0.5, 0.8), y - rng.uniform(5, 20))], fill=colour, width=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
