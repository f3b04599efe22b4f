"""Orders for frontends: customers place, read, cancel and pay their own orders; staff move them along."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.consents import ConsentAct, consent_for_checkout
from accounts.models import ConsentSource
from config.api import error_responses
from config.idempotency import idempotency_key_read, request_fingerprint
from orders import selectors, services
from orders.models import Order
from orders.serializers import (
    OrderCreateSerializer,
    OrderRefundInputSerializer,
    OrderSerializer,
    OrderUpdateSerializer,
    PaymentUrlSerializer,
)
from promos.serializers import PromoPreviewSerializer, PromoValidateSerializer

IDEMPOTENCY_KEY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "Ключ оформления (например, UUID): повторы и одновременные запросы с одним ключом и тем же телом создают "
        "один заказ и получают его же в ответ; тот же ключ с другим телом — 422 `idempotency_key_reused`. "
        "До 64 печатных символов ASCII."
    ),
)
REFUND_IDEMPOTENCY_KEY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=(
        "Обязателен: ключ возврата (например, UUID), новый для каждого возврата. Повтор с тем же ключом и телом "
        "возвращает тот же возврат и не отправляет деньги второй раз; тот же ключ с другим телом — 422 "
        "`idempotency_key_reused`; без ключа — 400 `idempotency_key_required`. До 64 печатных символов ASCII."
    ),
)


class IsStaffForChanges(permissions.BasePermission):
    """Customers read, place, cancel and pay; only staff change an order's status or tracking number, or refund."""

    def has_permission(self, request, view):
        if view.action in ("update", "partial_update", "refund"):
            return bool(request.user and request.user.is_staff)
        return True


@extend_schema_view(
    list=extend_schema(
        description="Свои заказы покупателя, новые первыми, с позициями и статусами предзаказа.",
        responses={200: OrderSerializer(many=True), **error_responses(401)},
    ),
    retrieve=extend_schema(
        description="Заказ по номеру: свой (сотрудники — любой); чужой — 404.",
        responses={200: OrderSerializer, **error_responses(401, 404)},
    ),
    create=extend_schema(
        description=(
            "Оформляет заказ: резервирует остатки по размерам, распределяет предзаказ по волнам, применяет "
            "промокод, считает доставку СДЭК (`delivery_amount`; без ответа СДЭК — фиксированная цена). "
            "Способ доставки выводится, если не указан; ни пункта, ни адреса — 400 `delivery_required`, "
            "неизвестный пункт — 400 `cdek_point_unknown`. Цены берутся из базы. 409 (`insufficient_stock`, `waves_full`) — не хватает товара "
            "или мест в волнах; в ответе `available` и `lines` по каждой нехватающей позиции. Платёж ЮKassa "
            "создаётся сразу, и ответ несёт `payment_url`; если ЮKassa не ответила вовремя, платёж создаётся в "
            "фоне, `payment_url` пуст, и ссылку даёт `POST orders/{order_number}/pay/`."
        ),
        parameters=[IDEMPOTENCY_KEY_HEADER],
        request=OrderCreateSerializer,
        # 403: `queue_admission_required` (a running waiting room), `phone_not_verified` (a capped product).
        responses={201: OrderSerializer, **error_responses(400, 401, 403, 409, 422)},
    ),
    partial_update=extend_schema(
        description=(
            "Только для сотрудников: `status` (только допустимые переходы, иначе 409 `invalid_transition`) "
            "и/или `tracking_number` (заказ становится отправленным, покупателю уходит SMS)."
        ),
        request=OrderUpdateSerializer,
        responses={200: OrderSerializer, **error_responses(400, 401, 403, 404, 409, 503)},
    ),
)
class OrderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = OrderSerializer
    permission_classes = [permissions.IsAuthenticated, IsStaffForChanges]
    lookup_field = "order_number"
    lookup_value_regex = r"[^/]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.order_list_for(user=self.request.user)

    def get_object(self):
        try:
            order = selectors.order_get_for(user=self.request.user, number=self.kwargs["order_number"])
        except Order.DoesNotExist:
            raise Http404 from None
        self.check_object_permissions(self.request, order)
        return order

    def _body(self, order: Order) -> dict:
        # A just placed order is answered from the rows its placing wrote; any other is read afresh.
        answer = selectors.order_as_placed(order)
        if answer is None:
            answer = selectors.order_get_for(user=self.request.user, number=order.order_number)
        return OrderSerializer(answer, context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        serializer = OrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        checkout_key = idempotency_key_read(request)
        consent_for_checkout(
            user=request.user,
            given=data.get("personal_data_consent", False),
            act=ConsentAct.from_request(request, source=ConsentSource.CHECKOUT, channel="api"),
        )
        order = services.order_place(
            user=request.user,
            items=[dict(item) for item in data["items"]],
            promo_code=data.get("promo_code") or None,
            delivery_method=data.get("delivery_method", ""),
            delivery_address=data.get("delivery_address", ""),
            cdek_point=data.get("cdek_point", ""),
            city=data.get("city", ""),
            checkout_key=checkout_key,
            checkout_hash=request_fingerprint(data) if checkout_key else "",
        )
        return Response(self._body(order), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        order = self.get_object()
        serializer = OrderUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = services.order_staff_update(
            order=order, status=data.get("status"), tracking_number=data.get("tracking_number"), by=request.user
        )
        return Response(self._body(order))

    @extend_schema(
        request=None,
        description=(
            "Отменяет свой неоплаченный заказ: товар, места в волнах и промокод возвращаются. Сначала платёж "
            "сверяется с ЮKassa: оплаченный заказ не отменяется (409), без ответа ЮKassa — 503."
        ),
        responses={200: OrderSerializer, **error_responses(401, 404, 409, 503)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        order = services.order_cancel(order=self.get_object(), by=request.user)
        return Response(self._body(order))

    @extend_schema(
        request=None,
        description=(
            "Для неоплаченного заказа, чей платёж не прошёл или истёк: платёж заново (тот же ключ "
            "идемпотентности) → `payment_url`."
        ),
        responses={200: PaymentUrlSerializer, **error_responses(401, 404, 409, 503)},
    )
    @action(detail=True, methods=["post"])
    def pay(self, request, *args, **kwargs):
        payment_url = services.order_payment_retry(order=self.get_object())
        return Response({"payment_url": payment_url})

    @extend_schema(
        request=OrderRefundInputSerializer,
        description=(
            "Только для сотрудников: возврат денег через ЮKassa по позициям (`items`: `item` — `id` позиции, "
            "`quantity`) или целиком (без `items`), с чеком возврата. Товар неотправленного заказа возвращается "
            "на склад или в волну; полный возврат неотправленного заказа возвращает использование промокода. "
            "400 `refund_too_large` — больше, чем оплачено; 409 `order_not_refundable` — заказ не оплачен. "
            "Заголовок `Idempotency-Key` обязателен: повтор запроса возвращает тот же возврат."
        ),
        parameters=[REFUND_IDEMPOTENCY_KEY_HEADER],
        responses={200: OrderSerializer, **error_responses(400, 401, 403, 404, 409, 422, 503)},
    )
    @action(detail=True, methods=["post"])
    def refund(self, request, *args, **kwargs):
        order = self.get_object()
        request_key = idempotency_key_read(request, required=True)
        serializer = OrderRefundInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        items = serializer.validated_data.get("items")
        order = services.order_refund(
            order=order,
            items=[(line["item"], line["quantity"]) for line in items] if items else None,
            by=request.user,
            request_key=request_key,
            request_hash=request_fingerprint(serializer.validated_data),
        )
        return Response(self._body(order))


class PromoCodeValidateView(APIView):
    """`POST promo-codes/validate/`: the path of the promo codes' API, answered here because the per-customer
    terms need the customer's orders (`orders.services.order_promo_validate`)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="promo_codes_validate_create",
        tags=["promo-codes"],
        request=PromoValidateSerializer,
        description=(
            "Что код сделает с корзиной, без учёта использования; с токеном покупателя — с его условиями "
            "(код только на первый заказ, лимит на покупателя). Неподходящий код — `valid: false` с причиной в "
            "`code` (`promo_unknown`, `promo_expired`, `promo_not_started`, `promo_used_up`, `promo_inactive`, "
            "`promo_not_applicable`, `promo_first_order_only`, `promo_customer_limit`) и `detail`."
        ),
        responses={200: PromoPreviewSerializer, **error_responses(400)},
    )
    def post(self, request, *args, **kwargs):
        serializer = PromoValidateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user if request.user and request.user.is_authenticated else None
        answer = services.order_promo_validate(
            user=user, code=data["code"], items=[dict(line) for line in data["items"]]
        )
        return Response(PromoPreviewSerializer(answer).data)
