from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Product, ProductMedia
from catalog.services import PRODUCT_FIELDS

MAX_SIZES = 50
MAX_STOCK = 1_000_000
MAX_WAVES = 1_000
MAX_WAVE_CAPACITY = 1_000_000


def product_stock_counts(product) -> dict[str, int]:
    """Units per size: from the list query's `stock_by_size` when it was read there, else from the rows."""
    if hasattr(product, "stock_by_size"):
        return {str(size): int(count) for size, count in (product.stock_by_size or {}).items()}
    return {row.size: row.quantity for row in product.stock.all()}


def _absolute(url: str, context: dict) -> str:
    request = context.get("request")
    return request.build_absolute_uri(url) if request else url


class RenditionSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    format = serializers.ChoiceField(choices=["webp", "jpeg"])


class ProductMediaSerializer(serializers.ModelSerializer):
    """A gallery photo: the cleaned original and its sized renditions (empty until the worker has made them)."""

    url = serializers.SerializerMethodField()
    renditions = serializers.SerializerMethodField()

    class Meta:
        model = ProductMedia
        fields = ["url", "width", "height", "position", "alt", "renditions"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, media) -> str:
        return _absolute(media.image.url, self.context)

    @extend_schema_field(RenditionSerializer(many=True))
    def get_renditions(self, media):
        return [{**r, "url": _absolute(r["url"], self.context)} for r in media.rendition_urls()]


class WaveSerializer(serializers.Serializer):
    wave_number = serializers.IntegerField()
    capacity = serializers.IntegerField()
    current_count = serializers.IntegerField()
    status = serializers.CharField(help_text="collecting, production, shipping или completed")
    ships_on = serializers.DateField(allow_null=True, help_text="Когда ожидается отправка волны.")


class StockField(serializers.DictField):
    """Units on hand per size, `{"S": 5, "M": 0}`: every size of the product appears, missing rows count 0."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.IntegerField(min_value=0, max_value=MAX_STOCK))
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, product):
        counts = dict(product_stock_counts(product))
        stock = {size: counts.pop(size, 0) for size in product.size_labels}
        stock.update(counts)
        return stock

    def to_internal_value(self, data):
        if isinstance(data, dict) and len(data) > MAX_SIZES:
            raise serializers.ValidationError(f"Не больше {MAX_SIZES} размеров.")
        stock = super().to_internal_value(data)
        for size in stock:
            if not size.strip() or len(size) > 32 or "\x00" in size:
                raise serializers.ValidationError(f"Некорректный размер: {size[:32]!r}.")
        return stock


class SizesField(serializers.ListField):
    """Written as the list staff give; read as the sizes a customer picks from (`["ONE SIZE"]` when none)."""

    def get_attribute(self, instance):
        return instance.size_labels


class ProductSerializer(serializers.ModelSerializer):
    """A product as customers see it and as staff write it."""

    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    sizes = SizesField(
        child=serializers.CharField(max_length=32),
        max_length=MAX_SIZES,
        required=False,
        help_text='Размеры, например ["S", "M", "L"]; без размеров у товара один размер «ONE SIZE».',
    )
    size_table = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(max_length=255, allow_blank=True), max_length=50),
        max_length=100,
        required=False,
        help_text="Таблица размеров: список строк, первая строка — заголовки.",
    )
    media = ProductMediaSerializer(many=True, read_only=True)
    stock = StockField(required=False, help_text='Остаток по размерам, например {"S": 5, "M": 0}.')
    stock_count = serializers.SerializerMethodField()
    preorder_waves_total = serializers.IntegerField(min_value=0, max_value=MAX_WAVES, required=False)
    preorder_wave_capacity = serializers.IntegerField(min_value=0, max_value=MAX_WAVE_CAPACITY, required=False)
    waves = serializers.SerializerMethodField()
    current_wave = serializers.SerializerMethodField()
    current_wave_count = serializers.SerializerMethodField()

    class Meta:
        model = Product
        # What staff write is the services' one list (`PRODUCT_FIELDS`); the rest is read-only.
        fields = [
            "id",
            *PRODUCT_FIELDS,
            "media",
            "stock",
            "stock_count",
            "waves",
            "current_wave",
            "current_wave_count",
            "sale_paused",
            "created_at",
            "updated_at",
        ]
        # The pause moves only through its own service (the admin's button), which also moves a queue's clock.
        read_only_fields = ["id", "slug", "sale_paused", "created_at", "updated_at"]
        extra_kwargs = {
            "description": {"max_length": 20_000},
            "care_instructions": {"max_length": 20_000},
            "max_per_customer": {"min_value": 1, "max_value": MAX_STOCK},
            "payment_timeout": {"min_value": 1, "max_value": 7 * 24 * 60},
            "queue_rate": {"min_value": 1, "max_value": MAX_STOCK},
        }

    def validate_sizes(self, sizes):
        sizes = [size.strip() for size in sizes]
        if any(not size for size in sizes):
            raise serializers.ValidationError("Размер не может быть пустым.")
        if len(set(sizes)) != len(sizes):
            raise serializers.ValidationError("Размеры не должны повторяться.")
        return sizes

    def _waves(self, product):
        return list(product.waves.all()) if product.is_preorder else []

    def get_stock_count(self, product) -> int:
        return sum(product_stock_counts(product).values())

    @extend_schema_field(WaveSerializer(many=True))
    def get_waves(self, product):
        return WaveSerializer(self._waves(product), many=True).data

    @extend_schema_field(serializers.IntegerField(allow_null=True, help_text="Номер текущей волны."))
    def get_current_wave(self, product):
        wave = product.wave_current(self._waves(product)) if product.is_preorder else None
        return wave.wave_number if wave else None

    @extend_schema_field(serializers.IntegerField(allow_null=True, help_text="Заказано в текущей волне, шт."))
    def get_current_wave_count(self, product):
        wave = product.wave_current(self._waves(product)) if product.is_preorder else None
        return wave.current_count if wave else None


# --- Items of a cart or an order (input) ---------------------------------------------------------------------------
# Larger ids are no database ids; refusing them here keeps them away from the database integer.
MAX_ID = 2**63 - 1


# For lists of items (`many=True`): DRF's own words for a list that is too long are not translated.
ITEM_LIST_ERRORS = {
    "empty": "Добавьте хотя бы один товар.",
    "max_length": "Не больше {max_length} позиций в одном заказе.",
    "not_a_list": "Ожидался список позиций.",
}


class ItemInputSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    size = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="Можно не указывать у товара без размеров.",
    )
    quantity = serializers.IntegerField(min_value=1, max_value=settings.ORDER_MAX_LINE_QUANTITY)
