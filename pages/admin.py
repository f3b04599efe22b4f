from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from pages.models import Page


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "is_published", "show_in_footer", "updated_at"]
    list_filter = ["is_published", "show_in_footer"]
    search_fields = ["title", "slug", "content"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["preview", "created_at", "updated_at"]
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
        (_("Даты"), {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description=_("как увидят на сайте"))
    def preview(self, page):
        # The same sanitised HTML the storefront shows (Page.content_html).
        return page.content_html if page.pk else "—"
