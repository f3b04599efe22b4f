"""The admin dashboard: the analytics report for staff, inside the admin's frame."""

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import render

from analytics.charts import column_chart, horizontal_chart
from analytics.forms import PeriodForm
from analytics.selectors import analytics_summary, period_build
from config.money import rub
from orders.models import OrderStatus


def _charts(summary: dict) -> dict:
    return {
        "revenue_by_day": column_chart(
            [
                (
                    day["date"].strftime("%d.%m"),
                    day["revenue"],
                    f"{day['date']:%d.%m.%Y}: {rub(day['revenue'])}, "
                    f"заказов {day['orders_count']}, оплачено {day['paid_orders_count']}",
                )
                for day in summary["revenue_by_day"]
            ],
            tick_format=rub,
        ),
        "orders_by_status": horizontal_chart(
            [
                (label, summary["orders_by_status"][value], f"{label}: {summary['orders_by_status'][value]}")
                for value, label in OrderStatus.choices
            ]
        ),
        "top_by_revenue": horizontal_chart(
            [
                (row["name"], row["revenue"], f"{row['name']} ({row['article']}): {row['units']} шт.")
                for row in summary["top_products_by_revenue"]
            ],
            value_format=rub,
        ),
        "top_by_units": horizontal_chart(
            [
                (row["name"], row["units"], f"{row['name']} ({row['article']}): {rub(row['revenue'])}")
                for row in summary["top_products_by_units"]
            ],
            value_format=lambda units: f"{units} шт.",
        ),
    }


@staff_member_required
def dashboard(request):
    form = PeriodForm(request.GET or None)
    if form.is_bound and form.is_valid():
        period = form.cleaned_data["period"]
    else:
        period = period_build()
        if not form.is_bound:
            form = PeriodForm(initial={"date_from": period.date_from, "date_to": period.date_to})
    summary = analytics_summary(period=period)
    context = {
        **admin.site.each_context(request),
        "title": "Аналитика",
        "form": form,
        "period": period,
        "summary": summary,
        "charts": _charts(summary),
    }
    return render(request, "analytics/dashboard.html", context)
