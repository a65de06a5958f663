"""A referral loop as a small picture: the provisions on a circle, each arrow 'waits for'.

Only geometry is computed here; the template draws it as inline SVG (autoescaped text), so the
page needs no script and no image file to show it, and it prints.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

BOX_W, BOX_H, LINE = 230, 70, 16
WRAP = 30


@dataclass
class Box:
    x: float
    y: float
    lines: list[str]


@dataclass
class Arrow:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass
class LoopPicture:
    width: int
    height: int
    boxes: list[Box]
    arrows: list[Arrow]


def loop_picture(titles: list[str]) -> LoopPicture:
    """Boxes around a circle (side by side for two), arrows from each to the one it waits for."""
    n = len(titles)
    radius = 0 if n == 1 else max(170, 60 * n)
    width, height = int(2 * radius + BOX_W + 40), int(2 * radius * (0.55 if n == 2 else 1) + BOX_H + 60)
    cx, cy = width / 2, height / 2
    centres = []
    for i in range(n):
        angle = math.pi + 2 * math.pi * i / n  # the first on the left, then clockwise
        centres.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle) * (0.55 if n == 2 else 1)))
    boxes = [Box(x - BOX_W / 2, y - BOX_H / 2, textwrap.wrap(t, WRAP)[:3]) for t, (x, y) in zip(titles, centres)]
    arrows = []
    for i in range(n):
        (x1, y1), (x2, y2) = centres[i], centres[(i + 1) % n]
        if n == 2:  # two arrows between the same boxes: one above, one below
            offset = -BOX_H / 4 if i == 0 else BOX_H / 4
            sign = 1 if x2 > x1 else -1
            arrows.append(Arrow(x1 + sign * BOX_W / 2, y1 + offset, x2 - sign * BOX_W / 2 - sign * 4, y2 + offset))
        else:
            arrows.append(_between((x1, y1), (x2, y2)))
    return LoopPicture(width, height, boxes, arrows)


def _between(a: tuple[float, float], b: tuple[float, float]) -> Arrow:
    """A straight arrow from the edge of box a to the edge of box b."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    scale = min(BOX_W / 2 / abs(dx) if dx else math.inf, BOX_H / 2 / abs(dy) if dy else math.inf)
    return Arrow(a[0] + dx * scale, a[1] + dy * scale, b[0] - dx * scale * 1.08, b[1] - dy * scale * 1.08)
