import secrets
from datetime import datetime

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.phones import phone_normalize
from config.admin_display import money_cell, status_badge
from config.csv_export import csv_cell, csv_response
from config.errors import DomainError
from config.idempotency import KEY_PATTERN, request_fingerprint
from config.money import from_kopecks, rub
from config.russian import phone_ru
from orders import services as order_services
from orders.admin_forms import OrderAddForm, OrderForm, RefundForm
from orders.models import Order, OrderItem, OrderRefund, OrderStatus
from orders.selectors import order_queryset, order_timeline, orders_with_refunded_total, tracking_url

# Excel with Russian regional settings opens `;`-separated files with decimal commas straight into columns,
# and recognises UTF-8 by its byte order mark.
CSV_HEADERS = [
    "Номер заказа",
    "Дата",
    "Статус",
    "Статус оплаты",
    "Телефон",
    "Покупатель",
    "Сумма, ₽",
    "Скидка, ₽",
    "К оплате, ₽",
    "Промокод",
    "Трек-номер",
    "Адрес доставки",
    "Пункт СДЭК",
    "Позиции",
]


def _rubles(value) -> str:
    return f"{value:.2f}".replace(".", ",")


def orders_csv(queryset, *, filename: str) -> HttpResponse:
    """The orders as a CSV file for Excel: one row an order, its lines in the last column."""
    response, writer = csv_response(filename=filename, header=CSV_HEADERS)
    orders = queryset.select_related("user", "promo_code").prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.select_related("product").order_by("id"))
    )
    for order in orders.iterator(chunk_size=500):
        row = (
            order.order_number,
            timezone.localtime(order.created_at).strftime("%d.%m.%Y %H:%M"),
            order.get_status_display(),
            order.get_payment_status_display(),
            order.user.phone,
            csv_cell(order.user.full_name),
            _rubles(order.total_amount),
            _rubles(order.discount_amount),
            _rubles(order.final_amount),
            csv_cell(order.promo_code.code if order.promo_code else ""),
            csv_cell(order.tracking_number),
            csv_cell(order.delivery_address),
            csv_cell(order.cdek_point),
            csv_cell(
                "; ".join(
                    f"{item.product.name} ({item.product.article}) {item.size} × {item.quantity}"
                    for item in order.items.all()
                )
            ),
        )
        writer.writerow(row)
    return response


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    fields = ["product", "size", "quantity", "price_money", "line_total", "is_preorder", "preorder_wave"]
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product", "preorder_wave__product")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("сумма"))
    def line_total(self, item):
        return money_cell(item.line_total)

    @admin.display(description=_("цена"))
    def price_money(self, item):
        return money_cell(item.price)


def _status_action(status: OrderStatus, description):
    def action(modeladmin, request, queryset):
        modeladmin.orders_apply(
            request,
            queryset,
            lambda order: order_services.order_set_status(order=order, status=status, by=request.user),
            done=f"Переведено в статус «{status.label}»",
            skip_if=lambda order: order.status == status,
        )

    action.__name__ = f"set_status_{status.value}"
    return admin.action(description=description)(action)


@admin.register(Order)
class OrderAdmin(SimpleHistoryAdmin):
    form = OrderForm
    add_form = OrderAddForm
    # Status and payment right after the number: what a phone shows without scrolling sideways.
    list_display = [
        "order_number",
        "status_badge",
        "payment_badge",
        "final_money",
        "refunded_money",
        "net_money",
        "customer_phone",
        "tracking_link",
        "created_at",
    ]
    list_filter = ["status", "payment_status", "created_at", ("promo_code", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["order_number", "user__phone", "user__full_name"]
    search_help_text = _("Номер заказа, телефон или имя покупателя.")
    date_hierarchy = "created_at"
    list_per_page = 50
    # The preorder steps are in the timeline, merged with the order's own events.
    inlines = [OrderItemInline]
    actions = [
        _status_action(OrderStatus.PROCESSING, _("Перевести в «В обработке»")),
        _status_action(OrderStatus.SHIPPED, _("Отметить «Отправлен» (без трек-номера)")),
        _status_action(OrderStatus.DELIVERED, _("Отметить «Доставлен»")),
        "cancel",
        "refund",
        "export_csv",
    ]
    readonly_fields = [
        "delivery_city",  # the price was reckoned for it: changing it would not change what was paid
        "order_number",
        "customer",
        "status_badge",
        "payment_badge",
        "total_money",
        "discount_money",
        "delivery_money",
        "final_money",
        "refunded_money",
        "net_money",
        "refunds_list",
        "delivery_summary",
        "promo_code",
        "payment_id",
        "payment_link",
        "receipt_link",
        "paid_at",
        "shipped_at",
        "tracking_page",
        "timeline",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["order_number", "customer", "status_badge", "new_status", "created_at", "updated_at"]}),
        (_("История заказа"), {"fields": ["timeline"]}),
        (
            _("Сумма"),
            {
                "fields": [
                    "total_money",
                    "discount_money",
                    "delivery_money",
                    "final_money",
                    "refunded_money",
                    "net_money",
                    "promo_code",
                ]
            },
        ),
        (
            _("Оплата, возвраты и чеки"),
            {"fields": ["payment_badge", "payment_id", "payment_link", "receipt_link", "paid_at", "refunds_list"]},
        ),
        (
            _("Доставка"),
            {
                "fields": [
                    "delivery_summary",
                    "tracking_number",
                    "tracking_page",
                    "shipped_at",
                    "delivery_city",
                    "delivery_address",
                    "cdek_point",
                ]
            },
        ),
    ]
    add_fieldsets = [
        (None, {"fields": ["user", "product", "size", "quantity", "promo_code"]}),
        (_("Доставка"), {"fields": ["delivery_address", "cdek_point"]}),
    ]
    change_list_template = "admin/orders/order/change_list.html"

    def get_queryset(self, request):
        # The list shows what went back and the net of every order with one subquery, not a query a row.
        return orders_with_refunded_total(super().get_queryset(request))

    # --- Display -----------------------------------------------------------------------------------------
    @admin.display(description=_("телефон"), ordering="user__phone")
    def customer_phone(self, order):
        return format_html('<span class="dwc-phone">{}</span>', phone_ru(order.user.phone))

    @admin.display(description=_("покупатель"))
    def customer(self, order):
        url = reverse("admin:accounts_user_change", args=[order.user_id])
        return format_html('<a href="{}">{}</a>', url, str(order.user))

    @admin.display(description=_("ссылка на оплату"))
    def payment_link(self, order):
        if not order.payment_url:
            return "не создана" if order.final_amount else "не нужна: к оплате 0 ₽"
        return format_html('<a href="{0}" rel="noopener">{0}</a>', order.payment_url)

    @admin.display(description=_("чек"))
    def receipt_link(self, order):
        if order.receipt_url:
            return format_html('<a href="{}" rel="noopener">Открыть чек</a>', order.receipt_url)
        if order.payment_id:
            return "ЮKassa отправляет чек 54-ФЗ покупателю на телефон после оплаты"
        return "чека нет: заказ не оплачивали через ЮKassa"

    @admin.display(description=_("статус"), ordering="status")
    def status_badge(self, order):
        return status_badge(order.status, order.get_status_display())

    @admin.display(description=_("оплата"), ordering="payment_status")
    def payment_badge(self, order):
        return status_badge(order.payment_status, order.get_payment_status_display())

    @admin.display(description=_("сумма"))
    def total_money(self, order):
        return money_cell(order.total_amount)

    @admin.display(description=_("скидка"))
    def discount_money(self, order):
        return money_cell(order.discount_amount)

    @admin.display(description=_("доставка"))
    def delivery_money(self, order):
        return money_cell(order.delivery_amount)

    @admin.display(description=_("к оплате"), ordering="final_amount")
    def final_money(self, order):
        return money_cell(order.final_amount)

    @admin.display(description=_("возвращено"))
    def refunded_money(self, order):
        return money_cell(order.refunded_amount) if order.refunded_amount else "—"

    @admin.display(description=_("итого с возвратами"))
    def net_money(self, order):
        return money_cell(order.net_amount)

    @admin.display(description=_("возвраты"))
    def refunds_list(self, order):
        refunds = (
            OrderRefund.objects.filter(order=order)
            .select_related("created_by")
            .prefetch_related("lines__item__product")
            .order_by("created_at", "id")
        )
        return render_to_string("admin/orders/order/refunds.html", {"refunds": refunds})

    @admin.display(description=_("способ доставки"))
    def delivery_summary(self, order):
        """What a packer needs: the method, the pickup point's name and address, or the courier's address."""
        return render_to_string("admin/orders/order/delivery.html", {"order": order})

    @admin.display(description=_("трек-номер"), ordering="tracking_number")
    def tracking_link(self, order):
        if not order.tracking_number:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            tracking_url(order.tracking_number),
            order.tracking_number,
        )

    @admin.display(description=_("отслеживание"))
    def tracking_page(self, order):
        if not order.tracking_number:
            return "появится с трек-номером"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Открыть на сайте СДЭК</a>',
            tracking_url(order.tracking_number),
        )

    @admin.display(description=_("история"))
    def timeline(self, order):
        entries = order_timeline(order_queryset().get(pk=order.pk))
        return render_to_string("admin/orders/order/timeline.html", {"timeline": entries})

    def get_search_results(self, request, queryset, search_term):
        """Besides the plain search, a phone typed any way (8 916 …, +7 (916) …) finds its customer's orders."""
        filtered = queryset
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            phone = phone_normalize(search_term)
        except ValidationError:
            return queryset, may_have_duplicates
        return queryset | filtered.filter(user__phone=phone), may_have_duplicates

    # --- Add: an order placed for a customer ---------------------------------------------------------------
    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        if obj.delivery_method == "cdek_pickup":
            # A pickup order travels to its point: the customer's own address would only mislead a packer.
            return [
                (name, {**options, "fields": [f for f in options["fields"] if f != "delivery_address"]})
                for name, options in self.fieldsets
            ]
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def save_model(self, request, obj, form, change):
        if not change:
            return self._place(request, obj, form)
        data = form.cleaned_data
        tracking = data.get("tracking_number") if "tracking_number" in form.changed_data else None
        try:
            order_services.order_staff_update(
                order=obj,
                by=request.user,
                status=data.get("new_status") or None,
                tracking_number=tracking or None,
                delivery={field: data[field] for field in ("delivery_address", "cdek_point") if field in data},
            )
            if tracking:
                self.message_user(request, f"Заказ {obj} отправлен, покупателю ушло SMS с трек-номером.")
        except DomainError as error:
            self.message_user(request, f"{obj}: {error.message}", messages.ERROR)
        obj.refresh_from_db()

    def _place(self, request, obj, form):
        data = form.cleaned_data
        try:
            order = order_services.order_place(
                user=data["user"],
                items=[{"product": data["product"], "size": data["size"], "quantity": data["quantity"]}],
                promo_code=data.get("promo_code") or None,
                delivery_address=data.get("delivery_address", ""),
                cdek_point=data.get("cdek_point", ""),
            )
        except DomainError as error:
            self.message_user(request, f"Заказ не оформлен: {error.message}", messages.ERROR)
            return
        obj.pk = order.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # Items and timelines are read-only here: nothing to save, nothing for the change message.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def log_addition(self, request, obj, message):
        if obj.pk:
            return super().log_addition(request, obj, message)
        return None

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:
            return HttpResponseRedirect(request.get_full_path())
        return super().response_add(request, obj, post_url_continue)

    def has_delete_permission(self, request, obj=None):
        # Orders are the shop's books: cancelled or refunded, never deleted.
        return False

    # --- Actions -----------------------------------------------------------------------------------------
    def orders_apply(self, request, queryset, change, *, done: str, skip_if=None):
        """Run one service on each selected order; a refusal leaves that order as it was and says why."""
        changed = 0
        for order in queryset.order_by("pk"):
            if skip_if is not None and skip_if(order):
                continue
            try:
                change(order)
            except DomainError as error:
                self.message_user(request, f"{order.order_number}: {error.message}", messages.ERROR)
            else:
                changed += 1
        if changed:
            self.message_user(request, f"{done}: {changed}.", messages.SUCCESS)

    @admin.action(description=_("Отменить (только неоплаченные)"))
    def cancel(self, request, queryset):
        self.orders_apply(
            request,
            queryset,
            lambda order: order_services.order_cancel(order=order, by=request.user),
            done="Отменено заказов",
            skip_if=lambda order: order.status == OrderStatus.CANCELLED,
        )

    @admin.action(description=_("Вернуть деньги через ЮKassa…"))
    def refund(self, request, queryset):
        """Opens the refund screen of the (one) selected order: lines and quantities, then a confirmation."""
        orders = list(queryset.order_by("pk")[:2])
        if len(orders) != 1:
            self.message_user(request, "Выберите один заказ: возврат оформляется по одному.", messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:orders_order_refund", args=[orders[0].pk]))

    def refund_view(self, request, object_id):
        """Staff choose the units to refund; the next step shows what and how much; «Вернуть» sends it through
        `order_refund`. The order page's «Вернуть деньги» button and the list action lead here."""
        order = self.get_object(request, object_id)
        if order is None or not self.has_change_permission(request, order):
            return HttpResponseRedirect(reverse("admin:orders_order_changelist"))
        change_url = reverse("admin:orders_order_change", args=[order.pk])
        items = list(order.items.select_related("product").order_by("id"))
        form = RefundForm(request.POST if request.method == "POST" else None, items=items)
        plan, error = None, None
        if form.is_bound and not form.is_valid():
            error = " ".join(message for messages_ in form.errors.values() for message in messages_)
        elif form.is_bound:
            full, chosen = form.cleaned_data["full"], form.chosen()
            token = form.cleaned_data["refund_token"]
            try:
                if form.cleaned_data["confirm"] and KEY_PATTERN.fullmatch(token):
                    self._refund_send(request, order, chosen=chosen, full=full, token=token)
                    return HttpResponseRedirect(change_url)
                plan = order_services.order_refund_plan(order=order, items=None if full else chosen)
            except DomainError as refusal:
                error = refusal.message
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": order,
            "title": f"Возврат по заказу {order.order_number}",
            "order": order,
            "rows": form.rows() if form.is_bound and not form.errors else [(item, 0) for item in items],
            "full": form.is_bound and not form.errors and form.cleaned_data["full"],
            "plan": plan,
            "plan_amount": from_kopecks(plan.amount) if plan else None,
            "plan_lines": [(line.item, line.quantity, from_kopecks(line.amount)) for line in plan.lines]
            if plan
            else [],
            "plan_delivery": from_kopecks(plan.delivery) if plan else None,
            "refund_token": secrets.token_urlsafe(24) if plan else "",
            "error": error,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/orders/order/refund.html", context)

    def _refund_send(self, request, order, *, chosen, full, token) -> None:
        """The confirmation names its refund by the form's one-time token: a double click or a resent form returns
        that refund, never a second one."""
        order_services.order_refund(
            order=order,
            items=None if full else chosen,
            by=request.user,
            request_key=token,
            request_hash=request_fingerprint({"items": chosen, "full": full}),
        )
        order.refresh_from_db()
        done = order.refunds.filter(request_key=token).first()
        if done is not None and done.status == done.Status.SUCCEEDED:
            self.message_user(request, f"{order}: возвращено {rub(done.amount)}.", messages.SUCCESS)
        else:
            self.message_user(request, f"{order}: возврат отправлен в ЮKassa и ждёт подтверждения.", messages.INFO)

    @admin.action(description=_("Выгрузить выбранные в CSV"))
    def export_csv(self, request, queryset):
        return orders_csv(queryset, filename=self._csv_filename())

    # --- CSV of the filtered list ----------------------------------------------------------------------------
    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("export/", self.admin_site.admin_view(self.export_view), name=f"{info[0]}_{info[1]}_export"),
            path(
                "<path:object_id>/refund/",
                self.admin_site.admin_view(self.refund_view),
                name=f"{info[0]}_{info[1]}_refund",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request):
        """The changelist as filtered and searched right now, as CSV."""
        if not self.has_view_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        changelist = self.get_changelist_instance(request)
        return orders_csv(changelist.get_queryset(request), filename=self._csv_filename())

    @staticmethod
    def _csv_filename() -> str:
        return f"orders-{datetime.now(tz=timezone.get_current_timezone()):%Y-%m-%d-%H%M}.csv"


from orders import admin_draws  # noqa: E402, F401 - registers the draws' admin
