"""CMS pages for frontends: published pages only, addressed by slug."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, viewsets

from config.api import error_responses
from pages.selectors import page_list_published
from pages.serializers import PageSerializer


@extend_schema_view(
    list=extend_schema(responses={200: PageSerializer(many=True), **error_responses(400)}),
    retrieve=extend_schema(responses={200: PageSerializer, **error_responses(404)}),
)
class PageViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PageSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return page_list_published()
