"""Node positions for pictures of the graph, in pure Python (networkx's layouts need numpy).

Fruchterman-Reingold with a grid: repulsion only between nodes in neighbouring cells,
so each iteration is about linear in the number of nodes. Deterministic for a seed.
"""
from __future__ import annotations

import math
import random
from collections import defaultdict

import networkx as nx


def force_layout(g: nx.Graph, iterations: int = 120, seed: int = 42,
                 size: float = 1.0) -> dict[str, tuple[float, float]]:
    """Positions in [0, size]² for every node; components end up side by side."""
    nodes = sorted(g.nodes, key=str)
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (size / 2, size / 2)}
    rng = random.Random(seed)
    pos = {v: [rng.random(), rng.random()] for v in nodes}
    neighbours = {v: {w for w in nx.all_neighbors(g, v) if w != v} for v in nodes} \
        if g.is_directed() else {v: set(g.neighbors(v)) - {v} for v in nodes}
    k = math.sqrt(1.0 / n)
    cell = 2 * k
    temperature = 0.1
    for _ in range(iterations):
        grid: dict[tuple[int, int], list[str]] = defaultdict(list)
        for v in nodes:
            grid[(int(pos[v][0] // cell), int(pos[v][1] // cell))].append(v)
        disp = {v: [0.0, 0.0] for v in nodes}
        for (cx, cy), members in grid.items():
            near = [w for dx in (-1, 0, 1) for dy in (-1, 0, 1) for w in grid.get((cx + dx, cy + dy), ())]
            for v in members:
                pv = pos[v]
                for w in near:
                    if w is v:
                        continue
                    dx, dy = pv[0] - pos[w][0], pv[1] - pos[w][1]
                    d2 = dx * dx + dy * dy or 1e-9
                    if d2 < cell * cell:
                        f = k * k / d2
                        disp[v][0] += dx * f
                        disp[v][1] += dy * f
        for v in nodes:
            for w in neighbours[v]:
                dx, dy = pos[v][0] - pos[w][0], pos[v][1] - pos[w][1]
                d = math.sqrt(dx * dx + dy * dy) or 1e-9
                f = d / k
                disp[v][0] -= dx * f
                disp[v][1] -= dy * f
            # a weak pull to the centre keeps separate components on the canvas
            disp[v][0] -= (pos[v][0] - 0.5) * 0.05 / k
            disp[v][1] -= (pos[v][1] - 0.5) * 0.05 / k
        for v in nodes:
            dx, dy = disp[v]
            d = math.sqrt(dx * dx + dy * dy) or 1e-9
            step = min(d, temperature)
            pos[v][0] += dx / d * step
            pos[v][1] += dy / d * step
        temperature = max(temperature * 0.96, 0.002)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    return {v: ((pos[v][0] - min(xs)) / span * size, (pos[v][1] - min(ys)) / span * size)
            for v in nodes}
