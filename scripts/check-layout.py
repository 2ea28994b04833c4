#!/usr/bin/env python3
"""Module dependencies of src/, from the `crate::` paths each file names (its `use crate::` lines and
any inline `crate::a::b` path), and the cycles among them, at two levels: files (modules) and the
top-level modules. Also checks the layers: domain/ names no other part of the crate, and nothing but
routes/ and startup.rs names routes/. Exits 1 on a cycle or a broken layer.

    python3 scripts/check-layout.py [--graph]
"""
import os
import re
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")


def modules():
    """Module path (tuple) of every .rs file under src/, without lib.rs/main.rs."""
    found = {}
    for root, _, files in os.walk(SRC):
        for name in files:
            if not name.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(root, name), SRC)
            parts = rel[:-3].split(os.sep)
            if parts in (["lib"], ["main"]):
                continue
            if parts[-1] == "mod":
                parts = parts[:-1]
            found[tuple(parts)] = os.path.join(root, name)
    return found


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//.*", "", text)


def expand(prefix, body):
    """`a::{b, c::{d, e}}` -> [a::b, a::c::d, a::c::e]."""
    out, depth, start = [], 0, 0
    items = []
    for i, ch in enumerate(body):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(body[start:i])
            start = i + 1
    items.append(body[start:])
    for item in (i.strip() for i in items):
        if not item:
            continue
        m = re.match(r"^([\w:]*?)::\{(.*)\}$", item, re.S)
        if m:
            out += expand(prefix + [p for p in m.group(1).split("::") if p], m.group(2))
        else:
            out.append(prefix + [p for p in item.split(" as ")[0].split("::") if p])
    return out


def paths(text, here):
    """Every crate path a file names, resolved to absolute segment lists."""
    text = strip_comments(text)
    found = []
    for m in re.finditer(r"^([ \t]*)use\s+((?:crate|super|self)[^;]*);", text, re.S | re.M):
        for p in expand([], m.group(2)):
            # An indented `use super::` sits in an inline module (`mod tests`): its `super` is
            # the file's own module.
            if m.group(1) and p and p[0] == "super":
                p = ["self"] + p[1:]
            found.append(p)
    for m in re.finditer(r"(?<![\w:])crate((?:::\w+)+)", text):
        found.append(["crate"] + m.group(1).split("::")[1:])
    resolved = []
    for p in found:
        if p and p[0] == "crate":
            resolved.append(p[1:])
        elif p and p[0] in ("super", "self"):
            base = list(here)
            while p and p[0] in ("super", "self"):
                if p[0] == "super":
                    base = base[:-1]
                p = p[1:]
            resolved.append(base + p)
    return resolved


def owner(path, mods):
    """The longest known module that `path` lies in."""
    for n in range(len(path), 0, -1):
        if tuple(path[:n]) in mods:
            return tuple(path[:n])
    return None


def cycles(graph):
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main():
    mods = modules()
    files, tops = {}, {}
    for mod, file in mods.items():
        with open(file, encoding="utf-8") as f:
            text = f.read()
        for p in paths(text, mod):
            target = owner(p, mods)
            if target is None or target == mod:
                continue
            files.setdefault(mod, set()).add(target)
            if target[0] != mod[0]:
                tops.setdefault(mod[0], set()).add(target[0])
    name = "::".join
    failed = False
    if "--graph" in sys.argv:
        for top in sorted(tops):
            print(f"{top} -> {', '.join(sorted(tops[top]))}")
    for level, graph, fmt in (("module", files, name), ("top-level", tops, str)):
        for comp in cycles(graph):
            failed = True
            print(f"{level} cycle: {' <-> '.join(fmt(c) for c in comp)}")
    for mod, targets in sorted(files.items()):
        if mod[0] == "domain":
            for t in sorted(targets):
                if t[0] != "domain":
                    failed = True
                    print(f"layer: {name(mod)} names {name(t)} (domain names nothing outside it)")
        for t in sorted(targets):
            if t[0] == "routes" and mod[0] not in ("routes", "startup"):
                failed = True
                print(f"layer: {name(mod)} names {name(t)} (only startup names routes)")
    if not failed:
        print(f"no cycles among {len(mods)} modules; layers hold")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
