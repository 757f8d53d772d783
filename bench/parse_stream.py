"""The Python reference side of `npm run bench:parse` (issue 14): a per-line json.loads parser like
the tutorials' stream.py, writing the same holding_pivot text rows (no decoding of values)."""
import json
import sys

FIELDS = ("holding_stock", "holding_quantity")


def main(path):
    out = sys.stdout
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            payload = json.loads(line).get("payload") or {}
            op, before, after = payload.get("op"), payload.get("before") or {}, payload.get("after") or {}
            row = after if op != "d" else before
            when = (payload.get("source") or {}).get("ts_ms")
            for field in FIELDS:
                old = before.get(field) if op in ("u", "d") else None
                new = after.get(field) if op != "d" else None
                out.write(f"{row.get('holding_id')},{row.get('user_id')},{field},{old},{new},"
                          f"{row.get('datetime_created') if op in ('c', 'r') else None},"
                          f"{when if op == 'u' else None},{when if op == 'd' else None},now,{op}\n")


if __name__ == "__main__":
    main(sys.argv[1])
