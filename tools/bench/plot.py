#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""tools/bench/plot.py RESULTS.csv OUT.png - the mytcp/TCP ratios as bars.

One bar per row of the CSV that tools/bench/run.py printed, grouped by
path; a line at 1.0 (TCP's figure) and one at 1.1 (the target for the
connection rate).
"""

import csv
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: plot.py RESULTS.csv OUT.png")
    with open(sys.argv[1]) as f:
        rows = list(csv.DictReader(f))
    labels = ["%s: %s" % (r["path"], r["figure"]) for r in rows]
    ratios = [float(r["ratio"]) for r in rows]
    colours = ["tab:green" if x >= 1.0 else "tab:red" for x in ratios]
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(rows) + 1.5))
    ax.barh(range(len(rows)), ratios, color=colours)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    # Ratios span orders of magnitude: a log scale keeps 0.01 and 10 visible.
    ax.set_xscale("log")
    ax.axvline(1.0, color="black", linewidth=1)
    ax.axvline(1.1, color="grey", linewidth=1, linestyle="--")
    for i, x in enumerate(ratios):
        ax.text(x, i, " %.3g" % x, va="center", fontsize=8)
    ax.set_xlabel("mytcp / TCP (1.0: as good as TCP; more is better)")
    ax.set_title("mytcp against TCP, same VM run")
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=100)


if __name__ == "__main__":
    main()
