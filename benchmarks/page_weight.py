"""Page weight on a phone: what Chromium transfers for the catalog and a product page, with renditions and with
the camera originals the pages sent before.

Run (from the project root; a throw-away SQLite database and media folder are made and removed):

    .venv/bin/python benchmarks/page_weight.py [--dpr 3] [--width 390] [--height 844]

Seeds 12 products whose photos are camera-sized JPEGs (about 4 MB, 3200 x 4000 px, made once and cached under
var/demo-photos/), makes their renditions as the worker does, serves the shop on a free loopback port and loads
each page in a fresh Chromium window of the phone's size. Counted: every response the page loads until the
network is idle (HTML, CSS, JS, images of the first screen and whatever lazy loading fetches), bytes on the wire.
Then the same pages with the renditions removed, i.e. the originals. Targets: catalog < 600 KB, product < 800 KB.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import local_shop  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
TARGETS = {"catalog": 600 * 1024, "product": 800 * 1024}
PRODUCTS = 12


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpr", type=float, default=3.0, help="device pixel ratio (a current phone: 3)")
    parser.add_argument("--width", type=int, default=390)
    parser.add_argument("--height", type=int, default=844)
    args = parser.parse_args()
    # Playwright's sync API keeps an event loop in this thread.
    with local_shop.throwaway_shop("dwc-page-weight-", DJANGO_ALLOW_ASYNC_UNSAFE="true", SERVE_MEDIA="true"):
        return run(args)


def run(args) -> int:
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import get_internal_wsgi_application

    original_sizes, product = seed()
    server = local_shop.serve(StaticFilesHandler(get_internal_wsgi_application()))
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        from catalog.models import ProductMedia

        with_renditions = measure(base_url, product, args)
        kept = {media.pk: media.renditions for media in ProductMedia.objects.all()}
        ProductMedia.objects.update(renditions=[])
        with_originals = measure(base_url, product, args)
        for pk, renditions in kept.items():
            ProductMedia.objects.filter(pk=pk).update(renditions=renditions)
    finally:
        server.shutdown()

    print(
        f"{PRODUCTS} products, originals {min(original_sizes) / 1e6:.1f}-{max(original_sizes) / 1e6:.1f} MB "
        f"({sum(original_sizes) / 1e6:.0f} MB in all); phone {args.width}x{args.height} at {args.dpr:g}x"
    )
    print(f"{'page':<9} {'renditions':>12} {'requests':>9} {'originals':>12} {'requests':>9}  target")
    ok = True
    for page in ("catalog", "product"):
        weight, requests = with_renditions[page]
        original, original_requests = with_originals[page]
        passed = weight < TARGETS[page]
        ok &= passed
        print(
            f"{page:<9} {weight / 1024:>9.0f} KB {requests:>9} {original / 1024:>9.0f} KB {original_requests:>9}"
            f"  < {TARGETS[page] // 1024} KB {'ok' if passed else 'MISSED'}"
        )
    return 0 if ok else 1


def seed():
    from decimal import Decimal

    from django.conf import settings
    from django.core.files.base import ContentFile

    from catalog.services import product_media_add
    from catalog.tests.factories import ProductFactory
    from shop.demo import demo_photo

    colors = [(34, 34, 38), (196, 176, 140), (236, 236, 232), (70, 72, 78), (120, 40, 44), (92, 100, 62)]
    kinds = ["hoodie", "tee", "longsleeve", "pants", "jacket", "cap"]
    sizes, first = [], None
    for number in range(PRODUCTS):
        product = ProductFactory(name=f"Худи {number + 1}", price=Decimal("4990.00"), stock={"S": 3, "M": 2})
        first = first or product
        for position in range(2 if product == first else 1):
            title = f"Товар {number + 1}"
            kind, color = kinds[number % len(kinds)], colors[(number + position) % len(colors)]
            photo = demo_photo(title=title, kind=kind, color=color, variant=position, width=3200)
            sizes.append(len(photo))
            # The immediate task backend of the test settings makes the renditions as the worker would.
            product_media_add(product=product, upload=ContentFile(photo, name=f"photo-{number}-{position}.jpg"))
    assert settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")
    return sizes, first


def measure(base_url: str, product, args) -> dict[str, tuple[int, int]]:
    """Bytes on the wire (headers and bodies as received) and responses, per page, each in a fresh window."""
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        for page_name, path in (("catalog", "/"), ("product", product.get_absolute_url())):
            context = browser.new_context(
                viewport={"width": args.width, "height": args.height},
                device_scale_factor=args.dpr,
                is_mobile=True,
                has_touch=True,
                locale="ru-RU",
            )
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            transferred = []
            cdp.on(
                "Network.loadingFinished", lambda event, seen=transferred: seen.append(event["encodedDataLength"])
            )
            page.goto(f"{base_url}{path}", wait_until="networkidle")
            page.wait_for_timeout(500)
            results[page_name] = (sum(transferred), len(transferred))
            context.close()
        browser.close()
    return results


if __name__ == "__main__":
    sys.exit(main())
