from django.contrib import admin

from pages.models import Page


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "is_published", "show_in_footer", "updated_at"]
    list_filter = ["is_published"]
    search_fields = ["title", "slug", "content"]
    prepopulated_fields = {"slug": ["title"]}
