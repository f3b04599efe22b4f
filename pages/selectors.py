"""Page reads."""

from django.db.models import QuerySet

from pages.models import Page


def page_list_published() -> QuerySet[Page]:
    """Pages visitors may read; drafts stay with staff in the admin."""
    return Page.objects.filter(is_published=True).order_by("title", "id")
