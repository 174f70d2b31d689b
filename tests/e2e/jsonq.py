#!/usr/bin/env python3
"""Evaluates Python expressions over a JSON file, for the e2e tests.

usage: jsonq.py FILE EXPR          exit 0 if EXPR is truthy, else print
                                   its value and exit 1
       jsonq.py --eq FILE EXPR WANT exit 0 if EXPR == WANT, else print
                                   both values and exit 1
       jsonq.py --print FILE EXPR  print EXPR's value

In an expression, r is the parsed file, load(path) parses another JSON
file, env is the environment and json is the json module. Values print
as JSON (sets as sorted lists). A file that cannot be read or parsed, or
an expression that raises, prints the reason and exits 2.
"""
import json
import os
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def show(value):
    if isinstance(value, (set, frozenset)):
        value = sorted(value, key=str)
    try:
        return json.dumps(value, sort_keys=True)
    except TypeError:
        return repr(value)


def differ(got, want):
    """Says how two values differ; for sets, which members."""
    sets = (set, frozenset)
    if isinstance(got, sets) and isinstance(want, sets):
        return f"missing {show(want - got)}, unexpected {show(got - want)}"
    return f"got {show(got)}, expected {show(want)}"


def main(argv):
    mode = argv[1] if len(argv) > 1 and argv[1].startswith("--") else None
    args = argv[2:] if mode else argv[1:]
    want = 3 if mode == "--eq" else 2
    if mode not in (None, "--eq", "--print") or len(args) != want:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path = args[0]
    try:
        r = load(path)
    except (OSError, ValueError) as e:
        print(f"cannot read {path}: {e}")
        return 2
    scope = {"r": r, "load": load, "json": json, "env": os.environ}
    try:
        # Parenthesised, so an expression may span lines.
        values = [eval("(" + expr + "\n)", scope) for expr in args[1:]]
    except Exception as e:  # any fault of a test's expression is reported
        print(f"{type(e).__name__}: {e}")
        return 2
    if mode == "--print":
        print(show(values[0]))
        return 0
    if mode == "--eq":
        if values[0] == values[1]:
            return 0
        print(differ(values[0], values[1]))
        return 1
    if values[0]:
        return 0
    print(show(values[0]))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
