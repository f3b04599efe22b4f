"""A draw for frontends: `products/{id}/draw/` (enter, read your entry and the draw, withdraw) and
`products/{id}/draw/results/` (the published seed, entries and winners anyone can recompute)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Product
from config.api import error_responses
from delivery.models import DeliveryMethod
from drops import draws as rules
from drops.models import DrawEntryStatus
from orders import services

MAX_ID = 2**63 - 1
# What a client reads of an entry: the draw's own working states read as `entered` until they settle.
PUBLIC_STATUS = {DrawEntryStatus.WINNING: "entered", DrawEntryStatus.LOSING: "entered"}


class DrawEnterSerializer(serializers.Serializer):
    size = serializers.CharField(max_length=32)
    delivery_method = serializers.ChoiceField(choices=DeliveryMethod.choices, required=False, allow_blank=True)
    delivery_address = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    city = serializers.CharField(max_length=128, required=False, allow_blank=True)
    cdek_point = serializers.CharField(max_length=64, required=False, allow_blank=True)


class DrawSerializer(serializers.Serializer):
    status = serializers.CharField(
        allow_null=True,
        help_text="Ваша заявка: pending — ждёт оплаты (заморозки), entered — участвует, won — выиграла "
        "(заказ оплачен), lost — не выиграла (деньги разморожены), cancelled — отменена; null — заявки нет.",
    )
    size = serializers.CharField(allow_null=True)
    payment_url = serializers.CharField(allow_blank=True, help_text="Куда отправить покупателя заморозить оплату.")
    order_number = serializers.CharField(allow_blank=True)
    phase = serializers.ChoiceField(choices=["upcoming", "open", "closed", "done"])
    opens_at = serializers.DateTimeField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True)
    seed_hash = serializers.CharField(help_text="SHA-256 секретного зерна, опубликован до приёма заявок.")
    seed = serializers.CharField(allow_null=True, help_text="Зерно: публикуется после розыгрыша.")
    payment_methods = serializers.ListField(child=serializers.CharField())


class DrawResultsSerializer(serializers.Serializer):
    seed_hash = serializers.CharField()
    seed = serializers.CharField(allow_null=True)
    units = serializers.DictField(child=serializers.IntegerField(), allow_null=True)
    entries = serializers.ListField(child=serializers.DictField(), allow_null=True)
    passed_on = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    winners = serializers.ListField(child=serializers.IntegerField(), allow_null=True)


def _product(pk: int) -> Product:
    if pk > MAX_ID:
        raise NotFound("Товар не найден.")
    product = get_object_or_404(Product.objects.visible(), pk=pk)
    if not product.is_draw:
        raise NotFound("Этот товар не разыгрывается.", code="draw_not_available")
    return product


def draw_answer(*, product: Product, user) -> dict:
    state = services.draw_state_read(product=product)
    entry = None
    if user is not None and user.is_authenticated:
        entry = rules.draw_entry_of(product_id=product.pk, user=user)
        if entry is not None:
            entry = services.draw_entry_refresh(entry=entry)
    return {
        "status": PUBLIC_STATUS.get(entry.status, entry.status) if entry else None,
        "size": entry.size if entry else None,
        "payment_url": entry.payment_url if entry and entry.status == DrawEntryStatus.PENDING else "",
        "order_number": entry.order_number if entry else "",
        "phase": state.phase,
        "opens_at": state.opens_at,
        "closes_at": state.closes_at,
        "seed_hash": state.seed_hash,
        "seed": state.seed,
        "payment_methods": ["bank_card", "sberbank", "tinkoff_bank"],
    }


class ProductDrawView(APIView):
    def get_permissions(self):
        return [permissions.AllowAny()] if self.request.method == "GET" else [permissions.IsAuthenticated()]

    @extend_schema(summary="Розыгрыш товара и моя заявка", responses={200: DrawSerializer, **error_responses(404)})
    def get(self, request, pk: int):
        return Response(DrawSerializer(draw_answer(product=_product(pk), user=request.user)).data)

    @extend_schema(
        summary="Участвовать в розыгрыше",
        request=DrawEnterSerializer,
        responses={201: DrawSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        product = _product(pk)
        form = DrawEnterSerializer(data=request.data)
        if not form.is_valid():
            raise ValidationError(form.errors)
        services.draw_enter(product=product, user=request.user, **form.validated_data)
        return Response(
            DrawSerializer(draw_answer(product=product, user=request.user)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(summary="Отменить участие", responses={200: DrawSerializer, **error_responses(401, 404, 409)})
    def delete(self, request, pk: int):
        product = _product(pk)
        entry = rules.draw_entry_of(product_id=product.pk, user=request.user)
        if entry is None:
            raise NotFound("Заявки нет.", code="draw_no_entry")
        services.draw_entry_cancel(entry=entry)
        return Response(DrawSerializer(draw_answer(product=product, user=request.user)).data)


class ProductDrawResultsView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Итоги розыгрыша: зерно, заявки, победители",
        responses={200: DrawResultsSerializer, **error_responses(404)},
    )
    def get(self, request, pk: int):
        product = _product(pk)
        return Response(DrawResultsSerializer(rules.draw_public(draw=rules.draw_for(product=product))).data)
