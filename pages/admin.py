from csp.decorators import csp_replace
from django.contrib import admin
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin

from pages.models import Page


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "is_published", "show_in_footer", "revision", "updated_at"]
    list_filter = ["is_published", "show_in_footer"]
    search_fields = ["title", "slug", "content"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["preview", "revision", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "is_published", "show_in_footer"]}),
        (
            _("Содержание"),
            {
                "fields": ["content", "preview"],
                "description": _(
                    "Markdown: ## заголовок, **жирный**, *курсив*, [ссылка](https://…), списки «- », таблицы. "
                    "HTML-теги, скрипты и стили на сайт не попадут."
                ),
            },
        ),
        (_("Даты"), {"fields": ["revision", "created_at", "updated_at"]}),
    ]

    @admin.display(description=_("как увидят на сайте"))
    def preview(self, page):
        # The storefront's own page template and styles, published or not (saved content).
        if not page.pk:
            return "Предпросмотр появится после сохранения."
        url = reverse("admin:pages_page_preview", args=[page.pk])
        return format_html(
            '<iframe class="dwc-page-preview" src="{0}" title="Предпросмотр страницы" loading="lazy"></iframe>'
            '<p><a href="{0}" target="_blank" rel="noopener">Открыть предпросмотр в новой вкладке</a></p>',
            url,
        )

    def get_urls(self):
        # The admin's own page frames the preview: same origin only, for this view alone.
        same_origin = csp_replace({"frame-ancestors": ["'self'"]})
        preview = self.admin_site.admin_view(same_origin(xframe_options_sameorigin(self.preview_view)))
        return [path("<int:pk>/preview/", preview, name="pages_page_preview"), *super().get_urls()]

    def preview_view(self, request, pk):
        """The page as the storefront draws it (the shop's template and styles), for staff, before publishing."""
        if not self.has_view_permission(request):
            return render(request, "404.html", status=404)
        page = get_object_or_404(Page, pk=pk)
        return render(request, "shop/page.html", {"page": page, "is_preview": True})
