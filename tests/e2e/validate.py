#!/usr/bin/env python3
"""Validates JSON files against docs/report.schema.json, for the e2e tests.

usage: validate.py SCHEMA FILE [DEF]   exit 0 if FILE is valid (against
                                       the schema's $defs/DEF when given),
                                       else print the first errors, exit 1

Uses only what python3-jsonschema 4.10 (Debian 12) supports. A schema
or file that cannot be read, or a schema that is itself invalid, prints
the reason and exits 2.
"""
import json
import sys

import jsonschema


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            schema = json.load(f)
        with open(argv[2], encoding="utf-8") as f:
            doc = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        print(f"cannot validate: {e}")
        return 2
    if len(argv) == 4:
        schema = {"$schema": schema["$schema"], "$defs": schema["$defs"],
                  "$ref": "#/$defs/" + argv[3]}
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors[:3]:
        where = "/".join(str(p) for p in e.path)
        print(f"{argv[2]}: at '{where}': {e.message[:300]}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
