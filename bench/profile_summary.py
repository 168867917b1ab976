"""Summarise a py-spy raw (collapsed) profile: where the samples are, by function.

    py-spy record -f raw -o profile.txt -- python -m bench.run ...
    python -m bench.profile_summary profile.txt [--under FUNCTION] [--top 25]

Prints the functions holding the most samples inclusively (the function or anything it
called) and by self time, optionally only within stacks passing through FUNCTION.
"""

from __future__ import annotations

import argparse
import collections
import re

FRAME = re.compile(r"^(?P<func>[^ ]+) \((?P<file>[^:]+)(?::\d+)?\)$")


def frames(stack: str) -> list[str]:
    names = []
    for frame in stack.split(";"):
        match = FRAME.match(frame.strip())
        if match:
            module = match["file"].split("site-packages/")[-1].removesuffix(".py")
            names.append(f"{match['func']} ({module})")
        else:
            names.append(frame.strip() or "<native>")  # py-spy names no Python frame
    return names


def count(path: str, under: str | None = None) -> tuple[
        int, collections.Counter[str], collections.Counter[str]]:
    """Samples in all, and per function: inclusive (it or anything it called) and self."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    with open(path) as lines:
        for line in lines:
            stack, _, samples = line.rstrip("\n").rpartition(" ")
            names = frames(stack)
            if under and not any(under in name for name in names):
                continue
            total += int(samples)
            for name in set(names):
                inclusive[name] += int(samples)
            if names:
                own[names[-1]] += int(samples)
    return total, inclusive, own


def summarise(path: str, under: str | None, top: int) -> None:
    total, inclusive, own = count(path, under)
    print(f"{total} samples" + (f" under {under}" if under else ""))
    for title, counter in (("inclusive", inclusive), ("self", own)):
        print(f"\n-- {title}")
        for name, samples in counter.most_common(top):
            print(f"{samples / max(total, 1):7.1%}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--under")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    summarise(args.path, args.under, args.top)


if __name__ == "__main__":
    main()
