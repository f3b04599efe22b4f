"""Staff hand an order to CDEK and print its documents through the API; CDEK posts its status webhooks here."""

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api import error_responses
from fulfilment.models import ReturnRequest, Shipment
from fulfilment.selectors import order_returns
from fulfilment.serializers import ReturnInputSerializer, ReturnRequestSerializer, ShipmentOrderSerializer
from fulfilment.services import return_request, shipment_documents_pdf, shipment_new_check
from fulfilment.tasks import shipment_hand_over
from orders import selectors
from orders.models import Order


class OrderByNumber(viewsets.GenericViewSet):
    """Actions on one order by its number: its owner's or, for staff, anyone's (others get 404)."""

    lookup_field = "order_number"
    lookup_value_regex = r"[^/]+"
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return selectors.order_list_for(user=self.request.user)

    def get_object(self) -> Order:
        try:
            return selectors.order_get_for(user=self.request.user, number=self.kwargs["order_number"])
        except Order.DoesNotExist:
            raise Http404 from None


class OrderShipmentViewSet(OrderByNumber):
    permission_classes = [permissions.IsAdminUser]
    serializer_class = ShipmentOrderSerializer

    def _body(self, order: Order) -> dict:
        fresh = selectors.order_get_for(user=self.request.user, number=order.order_number)
        shipment = Shipment.objects.filter(order=fresh).first()
        return ShipmentOrderSerializer(fresh, context={**self.get_serializer_context(), "shipment": shipment}).data

    @extend_schema(
        request=None,
        description=(
            "Только для сотрудников: регистрирует оплаченный заказ в СДЭК (`POST /v2/orders` с тарифом, по которому "
            "считалась доставка, получателем, пунктом или адресом, упаковкой и товарами) → заказ с `cdek_number`, "
            "`shipment_state` (`accepted` — СДЭК ещё проверяет, `registered`, `invalid` с `shipment_errors`) и "
            "`tracking_number` (появится, когда СДЭК примет посылку). Заказ регистрируется один раз: 409 "
            "`order_not_paid` — не оплачен, 409 `shipment_exists` — уже передан; 503 — СДЭК не ответил "
            "(повтор продолжит с того же места)."
        ),
        responses={200: ShipmentOrderSerializer, **error_responses(401, 403, 404, 409, 503)},
    )
    @action(detail=True, methods=["post"])
    def shipment(self, request, *args, **kwargs):
        order = self.get_object()
        shipment_new_check(order=order)
        shipment_hand_over(order=order)
        return Response(self._body(order), status=status.HTTP_200_OK)

    @extend_schema(
        description=(
            "Только для сотрудников: ярлык (100×150) и накладная СДЭК заказа одним PDF. СДЭК готовит их "
            "асинхронно: ответ приходит, когда документы готовы. 409 `shipment_missing` — заказ не передан в "
            "СДЭК; 503 — СДЭК не подготовил документы вовремя."
        ),
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"),
            **error_responses(401, 403, 404, 409, 503),
        },
    )
    @action(detail=True, methods=["get"])
    def label(self, request, *args, **kwargs):
        order = self.get_object()
        response = HttpResponse(shipment_documents_pdf(orders=[order]), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="cdek-{order.order_number}.pdf"'
        return response


class OrderReturnViewSet(OrderByNumber):
    """A customer's returns of their delivered order."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ReturnInputSerializer

    def _list(self, order: Order):
        return ReturnRequestSerializer(order_returns(order=order), many=True).data

    @extend_schema(
        methods=["GET"],
        request=None,
        description="Возвраты заказа покупателя: статус, позиции, комментарий магазина, как отправить товар.",
        responses={200: ReturnRequestSerializer(many=True), **error_responses(401, 404)},
    )
    @extend_schema(
        methods=["POST"],
        request=ReturnInputSerializer,
        description=(
            "Заявка на возврат доставленного заказа в течение `RETURN_DAYS` дней после получения: позиции "
            "(`item` — `id` позиции, `quantity`) и причина → 201 заявка. 409 `order_not_delivered` / "
            "`return_window_closed`; 400 `return_too_many` (в ответе `available`), `return_item_unknown`, "
            "`return_reason_required`."
        ),
        responses={201: ReturnRequestSerializer, **error_responses(400, 401, 404, 409)},
    )
    @action(detail=True, methods=["get", "post"])
    def returns(self, request, *args, **kwargs):
        order = self.get_object()
        if request.method == "GET":
            return Response(self._list(order))
        serializer = ReturnInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        made = return_request(
            order=order,
            user=request.user,
            items=[(line["item"], line["quantity"]) for line in data["items"]],
            reason=data["reason"],
        )
        made = ReturnRequest.objects.select_related("order", "refund").prefetch_related("lines").get(pk=made.pk)
        return Response(ReturnRequestSerializer(made).data, status=status.HTTP_201_CREATED)
