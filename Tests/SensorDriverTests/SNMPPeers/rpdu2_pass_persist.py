#!/usr/bin/env python3
"""snmpd pass_persist peer: serves an APC rPDU2 table (PowerNet-MIB) whose values change.

Usage in snmpd.conf:
    pass_persist .1.3.6.1.4.1.318.1.1.26 /usr/bin/python3 THIS_FILE STATE.json
    pass_persist .1.3.6.1.4.1.99999 /usr/bin/python3 THIS_FILE STATE.json

The test writes STATE.json between reads; every request re-reads it, so the values an agent
serves change exactly when the test says. STATE.json is a map "OID" -> [type, value] with
pass_persist types (integer, gauge, counter, counter64, string, timeticks, objectid).
"""
import json
import sys


def arcs(oid):
    return tuple(int(a) for a in oid.strip().strip(".").split(".") if a)


def load(path):
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return []
    return sorted((arcs(k), v[0], v[1]) for k, v in data.items())


def answer(row):
    oid, kind, value = row
    sys.stdout.write(".%s\n%s\n%s\n" % (".".join(map(str, oid)), kind, value))


def main():
    state = sys.argv[1]
    while True:
        command = sys.stdin.readline()
        if not command:
            return
        command = command.strip()
        if command == "PING":
            sys.stdout.write("PONG\n")
        elif command in ("get", "getnext"):
            wanted = arcs(sys.stdin.readline())
            rows = load(state)
            hit = None
            for row in rows:
                if (command == "get" and row[0] == wanted) or (command == "getnext" and row[0] > wanted):
                    hit = row
                    break
            if hit is None:
                sys.stdout.write("NONE\n")
            else:
                answer(hit)
        elif command == "set":
            sys.stdin.readline()
            sys.stdin.readline()
            sys.stdout.write("not-writable\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
