"""Summarise a py-spy raw profile (`py-spy record -f raw`): the share of samples under each function.

.venv/bin/python benchmarks/profile_summary.py profile.txt [--top 40] [--match orders/]
"""

import argparse
from collections import Counter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", default="", help="only frames whose text contains this")
    args = parser.parse_args()
    inclusive: Counter = Counter()
    total = 0
    with open(args.path, encoding="utf-8") as profile:
        for line in profile:
            stack, _, count = line.rstrip().rpartition(" ")
            total += int(count)
            for frame in set(stack.split(";")):
                if args.match in frame:
                    inclusive[frame] += int(count)
    print(f"{total} samples")
    for frame, count in inclusive.most_common(args.top):
        print(f"{100 * count / total:5.1f}%  {frame[:150]}")


if __name__ == "__main__":
    main()
