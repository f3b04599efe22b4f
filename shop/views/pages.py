"""CMS pages."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from shop import selectors


@require_GET
def page_detail(request, slug):
    return render(request, "shop/page.html", {"page": selectors.page_published(slug=slug)})
