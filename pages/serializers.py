from rest_framework import serializers

from pages.models import Page


class PageSerializer(serializers.ModelSerializer):
    content_html = serializers.SerializerMethodField(help_text="Содержание в HTML, уже очищенное.")

    class Meta:
        model = Page
        fields = ["slug", "title", "content", "content_html", "show_in_footer", "updated_at"]
        read_only_fields = fields

    def get_content_html(self, page) -> str:
        return str(page.content_html)
