"""The back office's side of fulfilment: hand orders to CDEK (one, a selection, a whole wave), follow a bulk
run, print labels, waybills and packing slips.

The order and wave admins are the orders' and preorders' own, extended here (registered in their place, as the
preorders app does with the catalog's product admin), so those apps know nothing of CDEK's orders.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from config.errors import DomainError
from config.money import rub
from fulfilment.models import ReturnLine, ReturnRequest, ReturnStatus, Shipment, ShipmentBatch, ShipmentState
from fulfilment.services import (
    return_decide,
    return_instructions,
    return_receive,
    return_refresh,
    return_refund,
    shipment_documents_pdf,
    shipment_errors_text,
    wave_orders_to_ship,
)
from fulfilment.services.shipments import SHIPPABLE
from fulfilment.tasks import shipment_batch_start, shipment_hand_over
from orders.admin import OrderAdmin
from orders.models import Order
from preorders.admin import PreorderWaveAdmin
from preorders.models import PreorderWave


def shipment_summary(shipment: Shipment | None) -> str:
    """What staff read of a parcel: its CDEK number and state, or CDEK's errors in Russian."""
    if shipment is None:
        return "Не передан в СДЭК"
    if shipment.state == ShipmentState.INVALID:
        return f"{shipment.get_state_display()}: {shipment_errors_text(shipment.errors)}"
    number = f"№ {shipment.cdek_number}, " if shipment.cdek_number else ""
    return f"{number}{shipment.get_state_display()}".strip()


admin.site.unregister(Order)


@admin.register(Order)
class FulfilmentOrderAdmin(OrderAdmin):
    actions = [*OrderAdmin.actions, "hand_to_cdek", "print_documents", "print_packing_slips"]
    list_display = [*OrderAdmin.list_display[:-1], "cdek_cell", OrderAdmin.list_display[-1]]
    list_select_related = [*OrderAdmin.list_select_related, "shipment"]
    readonly_fields = [*OrderAdmin.readonly_fields, "cdek_shipment", "return_list"]
    fieldsets = [
        *OrderAdmin.fieldsets[:-1],
        (
            OrderAdmin.fieldsets[-1][0],
            {"fields": ["cdek_shipment", *OrderAdmin.fieldsets[-1][1]["fields"], "return_list"]},
        ),
    ]

    @admin.display(description=_("возвраты товара"))
    def return_list(self, order):
        rows = [
            (reverse("admin:fulfilment_returnrequest_change", args=[r.pk]), str(r), r.get_status_display())
            for r in order.returns.order_by("pk")
        ]
        if not rows:
            return "—"
        return format_html(
            '<ul class="dwc-plain-list">{}</ul>', format_html_join("", '<li><a href="{}">{}</a>: {}</li>', rows)
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        known = str(object_id).isdigit()  # anything else gets the admin's own «not found»
        shipment = Shipment.objects.filter(order_id=object_id).first() if known else None
        status = Order.objects.filter(pk=object_id).values_list("status", flat=True).first() if known else ""
        extra_context = {
            "cdek_hand_over": (shipment is None and status in SHIPPABLE)
            or (shipment is not None and shipment.state == ShipmentState.INVALID),
            "cdek_documents": shipment is not None and shipment.state in ShipmentState.AT_CDEK,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("СДЭК"))
    def cdek_cell(self, order):
        shipment = getattr(order, "shipment", None)  # a missing one raises an AttributeError: None
        if shipment is None:
            return "—"
        if shipment.state == ShipmentState.INVALID:
            return format_html(
                '<span class="status-badge status-cancelled">{}</span>', shipment.get_state_display()
            )
        return shipment.cdek_number or shipment.get_state_display()

    @admin.display(description=_("отправление СДЭК"))
    def cdek_shipment(self, order):
        return shipment_summary(Shipment.objects.filter(order=order).first())

    @admin.action(description=_("Передать в СДЭК"))
    def hand_to_cdek(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        batch = shipment_batch_start(orders=ids, by=request.user, title=f"Выбранные заказы ({len(ids)})")
        return HttpResponseRedirect(reverse("admin:fulfilment_shipmentbatch_change", args=[batch.pk]))

    @admin.action(description=_("Ярлыки и накладные СДЭК (PDF)"))
    def print_documents(self, request, queryset):
        try:
            pdf = shipment_documents_pdf(orders=list(queryset.values_list("pk", flat=True)))
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return None
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="cdek-documents.pdf"'
        return response

    @admin.action(description=_("Упаковочные листы (печать)"))
    def print_packing_slips(self, request, queryset):
        return self._packing_slips(request, queryset)

    def _packing_slips(self, request, queryset):
        orders = queryset.select_related("user").prefetch_related("items__product").order_by("pk")
        label = request.GET.get("format") == "label"
        return TemplateResponse(
            request,
            "admin/fulfilment/packing_slip.html",
            {"orders": orders, "label": label, "title": "Упаковочный лист"},
        )

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/cdek/", view(self.hand_over_view), name=f"{info[0]}_{info[1]}_cdek"),
            path("<path:object_id>/documents/", view(self.documents_view), name=f"{info[0]}_{info[1]}_documents"),
            path(
                "<path:object_id>/packing-slip/",
                view(self.packing_slip_view),
                name=f"{info[0]}_{info[1]}_packing_slip",
            ),
            *super().get_urls(),
        ]

    def documents_view(self, request, object_id):
        """The order's CDEK label and waybill as one PDF."""
        order = self.get_object(request, object_id)
        if order is None:
            return HttpResponseRedirect(reverse("admin:orders_order_changelist"))
        response = self.print_documents(request, Order.objects.filter(pk=order.pk))
        return response or HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))

    def packing_slip_view(self, request, object_id):
        """The packing slip of one order, for A4 or (`?format=label`) a 100×150 label printer."""
        order = self.get_object(request, object_id)
        if order is None:
            return HttpResponseRedirect(reverse("admin:orders_order_changelist"))
        return self._packing_slips(request, Order.objects.filter(pk=order.pk))

    def hand_over_view(self, request, object_id):
        """«Передать в СДЭК» on the order's page: this one order, now."""
        order = self.get_object(request, object_id)
        if order is None or request.method != "POST" or not self.has_change_permission(request, order):
            return HttpResponseRedirect(reverse("admin:orders_order_changelist"))
        try:
            shipment = shipment_hand_over(order=order)
        except DomainError as error:
            self.message_user(request, f"{order}: {error.message}", messages.ERROR)
        else:
            level = messages.ERROR if shipment.state == ShipmentState.INVALID else messages.SUCCESS
            self.message_user(request, f"{order}: {shipment_summary(shipment)}", level)
        return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))


admin.site.unregister(PreorderWave)


@admin.register(PreorderWave)
class FulfilmentWaveAdmin(PreorderWaveAdmin):
    actions = [*PreorderWaveAdmin.actions, "hand_wave_to_cdek"]

    @admin.action(description=_("Передать в СДЭК все оплаченные заказы волны"))
    def hand_wave_to_cdek(self, request, queryset):
        waves = list(queryset.select_related("product").order_by("pk"))
        ids = sorted({pk for wave in waves for pk in wave_orders_to_ship(wave=wave)})
        if not ids:
            self.message_user(request, "В этих волнах нет оплаченных заказов, которых нет в СДЭК.", messages.INFO)
            return None
        title = ", ".join(f"{wave.product.name}, волна {wave.wave_number}" for wave in waves)
        batch = shipment_batch_start(orders=ids, by=request.user, title=f"Волна: {title}")
        return HttpResponseRedirect(reverse("admin:fulfilment_shipmentbatch_change", args=[batch.pk]))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/cdek/",
                self.admin_site.admin_view(self.hand_wave_view),
                name="preorders_preorderwave_cdek",
            ),
            *super().get_urls(),
        ]

    def hand_wave_view(self, request, object_id):
        """«Передать волну в СДЭК» on the wave's page."""
        if request.method != "POST" or not self.has_change_permission(request):
            return HttpResponseRedirect(reverse("admin:preorders_preorderwave_changelist"))
        response = self.hand_wave_to_cdek(request, PreorderWave.objects.filter(pk=object_id))
        return response or HttpResponseRedirect(reverse("admin:preorders_preorderwave_change", args=[object_id]))


@admin.register(ShipmentBatch)
class ShipmentBatchAdmin(admin.ModelAdmin):
    """A bulk hand-over: its page refreshes itself while it runs and lists what failed."""

    list_display = ["__str__", "progress", "failed", "state_text", "created_by", "created_at"]
    list_filter = ["state"]
    fields = [
        "title", "progress", "state_text", "created_by", "created_at", "progress_at", "finished_at", "failure_list",
        "orders",
    ]  # fmt: skip
    readonly_fields = fields
    change_form_template = "admin/fulfilment/shipmentbatch/change_form.html"

    @admin.display(description=_("сделано"))
    def progress(self, batch):
        return f"{batch.processed} из {batch.total}, с ошибками {batch.failed}"

    @admin.display(description=_("состояние"), ordering="state")
    def state_text(self, batch):
        if batch.is_stalled:
            return "Остановилась, будет запущена снова"
        return batch.get_state_display()

    @admin.display(description=_("что не удалось"))
    def failure_list(self, batch):
        if not batch.failures:
            return "—"
        return format_html(
            '<ul class="dwc-plain-list">{}</ul>',
            format_html_join(
                "", '<li><a href="{}">{}</a>: {}</li>',
                ((reverse("admin:orders_order_change", args=[f["order_id"]]), f["order"], f["message"])
                 for f in batch.failures),
            ),
        )  # fmt: skip

    @admin.display(description=_("заказы"))
    def orders(self, batch):
        shipments = {
            s.order_id: s for s in Shipment.objects.filter(order_id__in=batch.order_ids).select_related("order")
        }
        numbers = dict(Order.objects.filter(pk__in=batch.order_ids).values_list("pk", "order_number"))
        rows = (
            (
                reverse("admin:orders_order_change", args=[pk]),
                numbers.get(pk, pk),
                shipment_summary(shipments.get(pk)),
            )
            for pk in batch.order_ids
        )
        return format_html(
            '<ul class="dwc-plain-list">{}</ul>', format_html_join("", '<li><a href="{}">{}</a>: {}</li>', rows)
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {"title": "Передача заказов в СДЭК", **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReturnLineInline(admin.TabularInline):
    model = ReturnLine
    fields = ["item", "quantity"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReturnRequest)
class ReturnRequestAdmin(admin.ModelAdmin):
    """A customer's return: staff accept or refuse it with a comment, then mark the parcel received (sellable or
    not), which refunds its lines. Each button is one step of `fulfilment.services.returns`."""

    list_display = ["__str__", "status", "created_at", "received_at"]
    list_filter = ["status", "created_at"]
    list_select_related = ["order"]
    search_fields = ["order__order_number", "order__user__phone"]
    inlines = [ReturnLineInline]
    fields = ["order", "status", "reason", "staff_comment", "instructions", "sellable", "refund_state",
              "decided_by", "created_at", "received_at"]  # fmt: skip
    readonly_fields = [f for f in fields if f != "staff_comment"]
    change_form_template = "admin/fulfilment/returnrequest/change_form.html"
    STEPS = ("_accept", "_refuse", "_received_sellable", "_received_unsellable", "_refund")

    @admin.display(description=_("как отправить"))
    def instructions(self, request):
        return return_instructions(request) if request.status != ReturnStatus.REFUSED else "—"

    @admin.display(description=_("возврат денег"))
    def refund_state(self, request):
        if request.refund is None:
            return "—"
        return f"{rub(request.refund.amount)}, {request.refund.get_status_display().lower()}"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_object(self, request, object_id, from_field=None):
        found = super().get_object(request, object_id, from_field)
        return return_refresh(request=found) if found is not None else None

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A step button runs its service; nothing else on the page is written (the comment goes with a
        decision)."""
        if request.method == "POST" and object_id:
            obj = self.get_object(request, object_id)
            if obj is None:
                return HttpResponseRedirect(reverse("admin:fulfilment_returnrequest_changelist"))
            if not self.has_change_permission(request, obj):  # a step moves money and stock
                raise PermissionDenied
            return self._step(request, obj)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _step(self, request, obj):
        step = next((name for name in self.STEPS if name in request.POST), None)
        comment = request.POST.get("staff_comment", "")
        try:
            if step == "_accept":
                return_decide(request=obj, accept=True, comment=comment, by=request.user)
            elif step == "_refuse":
                return_decide(request=obj, accept=False, comment=comment, by=request.user)
            elif step in ("_received_sellable", "_received_unsellable"):
                return_receive(request=obj, sellable=step == "_received_sellable", by=request.user)
            elif step == "_refund":
                return_refund(request=obj, by=request.user)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            if step:
                obj.refresh_from_db()
                self.message_user(request, f"{obj}: {obj.get_status_display()}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:fulfilment_returnrequest_change", args=[obj.pk]))
