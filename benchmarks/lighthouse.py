"""Lighthouse on the catalog and a product page at its mobile settings (a mid-range phone, simulated slow 4G and
a 4x slower CPU): accessibility, SEO, best practices, performance and the largest contentful paint.

Run from the project root (Lighthouse comes from npm: `make lighthouse-install` once, Node 20):

    .venv/bin/python benchmarks/lighthouse.py [--runs 3]

A throw-away SQLite database and media folder are made and removed: the demo shop is seeded into them (its
photos with their renditions, made at once), the shop is served on a free loopback port (static files through
WhiteNoise, as in production), and Lighthouse drives Debian's Chromium (`CHROME_PATH=/usr/bin/chromium`). Each
page's figures are the median of the runs. Targets: accessibility 100, SEO 100, best practices >= 95,
performance >= 90 with LCP < 2.5 s. The machine is shared: performance and LCP move with its load.
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import harness, local_shop  # noqa: E402

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ["accessibility", "seo", "best-practices", "performance"]
TARGETS = {"accessibility": 100, "seo": 100, "best-practices": 95, "performance": 90}
LCP_TARGET_MS = 2500


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (the median is printed)")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        print("Lighthouse is not installed: make lighthouse-install", file=sys.stderr)
        return 2
    port = harness.free_port()
    base = f"http://127.0.0.1:{port}"
    with local_shop.throwaway_shop("dwc-lighthouse-", SERVE_MEDIA="true", LOG_LEVEL="WARNING", SITE_URL=base):
        return run(args, port)


def run(args, port: int) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.core.servers.basehttp import get_internal_wsgi_application

    # Photos wide enough for every rendition (400, 800, 1600 px), as a shop's camera files are.
    settings.DEMO_PHOTO_WIDTH = 2000
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    from catalog.models import Product

    # A plain product page: a drop's (countdown, waiting room, draw) reloads itself, which Lighthouse cannot audit.
    product = (
        Product.objects.visible()
        .filter(order_type="in_stock", media__isnull=False, sale_starts_at__isnull=True, queue_enabled=False)
        .exclude(sale_mode="draw")
        .first()
    )
    # WhiteNoise serves the static files, Django the media.
    server = local_shop.serve(get_internal_wsgi_application(), port=port)
    base = f"http://127.0.0.1:{port}"
    pages = {"catalog": f"{base}/", "product": f"{base}{product.get_absolute_url()}"}
    ok = True
    try:
        print(f"Lighthouse {lighthouse_version()}, mobile settings, {args.runs} run(s) a page, median")
        print(f"{'page':<9} {'a11y':>5} {'seo':>5} {'bp':>5} {'perf':>5} {'LCP ms':>8}  failed audits")
        for name, url in pages.items():
            reports = [lighthouse(url) for _ in range(args.runs)]
            scores = {c: statistics.median(r["scores"][c] for r in reports) for c in CATEGORIES}
            lcp = statistics.median(r["lcp"] for r in reports)
            failing = sorted({audit for r in reports for audit in r["failing"]})
            passed = all(scores[c] >= TARGETS[c] for c in CATEGORIES) and lcp < LCP_TARGET_MS
            ok &= passed
            print(
                f"{name:<9} {scores['accessibility']:>5.0f} {scores['seo']:>5.0f} {scores['best-practices']:>5.0f} "
                f"{scores['performance']:>5.0f} {lcp:>8.0f}  {', '.join(failing) or '-'}"
                f"{'' if passed else '  (target missed)'}"
            )
    finally:
        server.shutdown()
    return 0 if ok else 1


def lighthouse_version() -> str:
    return subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True).stdout.strip()


def lighthouse(url: str) -> dict:
    """One Lighthouse run: the categories' scores (0-100), LCP in ms, the scored audits that did not pass."""
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    environment = {**os.environ, "CHROME_PATH": CHROMIUM}
    done = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"Lighthouse failed on {url}: {done.stderr.strip()[-2000:]}")
    report = json.loads(done.stdout)
    categories = report["categories"]
    failing = [
        audit_id
        for category in categories.values()
        for ref in category["auditRefs"]
        if ref["weight"] > 0
        for audit_id in [ref["id"]]
        if (report["audits"][audit_id].get("score") is not None and report["audits"][audit_id]["score"] < 0.9)
    ]
    return {
        "scores": {c: round(100 * (categories[c]["score"] or 0)) for c in CATEGORIES},
        "lcp": report["audits"]["largest-contentful-paint"]["numericValue"],
        "failing": failing,
    }


if __name__ == "__main__":
    sys.exit(main())
