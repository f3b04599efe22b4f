"""`/sitemap.xml` (django.contrib.sitemaps): the catalog, every visible product and every published CMS page,
each with the time it last changed. Addresses are built on `SITE_URL`, the one public address of the shop."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from catalog.models import Product
from pages.models import Page


class _ShopSitemap(Sitemap):
    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class CatalogSitemap(_ShopSitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["shop:catalog"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return Product.objects.visible().aggregate(last=Max("updated_at"))["last"]


class ProductSitemap(_ShopSitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return Product.objects.visible().only("slug", "updated_at").order_by("id")

    def lastmod(self, product):
        return product.updated_at


class PageSitemap(_ShopSitemap):
    changefreq = "monthly"
    priority = 0.3

    def items(self):
        return Page.objects.filter(is_published=True).only("slug", "updated_at").order_by("slug")

    def lastmod(self, page):
        return page.updated_at


SITEMAPS = {"catalog": CatalogSitemap, "products": ProductSitemap, "pages": PageSitemap}
