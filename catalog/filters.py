from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from catalog.models import Product

MAX_PRICE = 10**10 - 1


class ProductOrdering(filters.OrderingFilter):
    """`price`, `created_at` (or `date`), `name`; a leading minus sorts descending; the id breaks ties."""

    def __init__(self, *args, **kwargs):
        fields = (("price", "price"), ("created_at", "created_at"), ("name", "name"))
        choices = [
            (f"{sign}{param}", f"{sign}{param}")
            for param in ("price", "created_at", "date", "name")
            for sign in ("", "-")
        ]
        super().__init__(*args, fields=fields, choices=choices, **kwargs)
        self.param_map["date"] = "created_at"

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        return qs.order_by(*qs.query.order_by, "-id") if qs.query.order_by else qs


class ProductFilter(filters.FilterSet):
    order_type = filters.ChoiceFilter(choices=Product.OrderType.choices, label=_("Тип продажи"))
    min_price = filters.NumberFilter(
        field_name="price", lookup_expr="gte", min_value=0, max_value=MAX_PRICE, label=_("Цена от")
    )
    max_price = filters.NumberFilter(
        field_name="price", lookup_expr="lte", min_value=0, max_value=MAX_PRICE, label=_("Цена до")
    )
    search = filters.CharFilter(method="filter_search", max_length=100, label=_("Поиск"))
    ordering = ProductOrdering(label=_("Сортировка"))

    class Meta:
        model = Product
        fields = ["order_type", "min_price", "max_price", "search"]

    def filter_search(self, queryset, name, value):
        """Name, article or description contains the text, regardless of case (Cyrillic too, see config/sqlite)."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(article__icontains=value) | Q(description__icontains=value)
        )
