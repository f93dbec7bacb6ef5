#!/usr/bin/env python3
"""Cuts data/prices/backtest/ from the full series in ../shared/data/prices for the windows of
data/prices/windows.toml (two days of lead-in, one after). Run from the repository root:
python3 scripts/slice_prices.py [path/to/shared/data/prices]"""
import datetime, os, sys, tomllib

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/prices"
windows = tomllib.load(open("data/prices/windows.toml", "rb"))["window"]
day = datetime.timedelta(days=1)
spans = [
    (datetime.datetime.fromisoformat(w["from"]) - 2 * day, datetime.datetime.fromisoformat(w["to"]) + day)
    for w in windows
]
for name in ["SOLUSDT_1h", "BTCUSDT_4h", "ETHUSDT_4h", "USDC-USD_1d", "USDT-USD_1d"]:
    lines = open(os.path.join(src, name + ".csv")).read().splitlines()
    header, rows = lines[0], lines[1:]
    time_col = header.split(",").index("timestamp" if "timestamp" in header else "date")
    kept = [r for r in rows if any(a <= datetime.datetime.fromisoformat(r.split(",")[time_col]) <= b for a, b in spans)]
    with open(os.path.join("data/prices/backtest", name + ".csv"), "w") as out:
        out.write("\n".join([header] + kept) + "\n")
    print(f"{name}: {len(kept)} rows")
