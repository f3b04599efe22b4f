"""GET /api/v1/analytics/summary/: hand-computed figures on the week in conftest.py, access and bad input."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.tests.conftest import make_order, msk
from catalog.tests.factories import ProductFactory
from conftest import client_for
from orders.models import Order

URL = "/api/v1/analytics/summary/"
WEEK = {"date_from": "2026-11-01", "date_to": "2026-11-07"}


@pytest.fixture
def summary(week, staff_client):
    response = staff_client.get(URL, WEEK)
    assert response.status_code == 200, response.content
    return response.json()


def test_period_totals(summary):
    # Paid-ish orders in the period: o1 4500 + o2 3000 + o3 2500 + o7 1000 + o10 800.
    assert summary["date_from"] == "2026-11-01" and summary["date_to"] == "2026-11-07"
    assert summary["currency"] == "RUB"
    assert summary["revenue"] == "11800.00"
    assert summary["orders_count"] == 8
    assert summary["paid_orders_count"] == 5
    assert summary["average_check"] == "2360.00"
    assert summary["conversion_percent"] == "62.50"
    assert summary["discount_total"] == "700.00"


def test_orders_by_status_lists_every_status(summary):
    assert summary["orders_by_status"] == {
        "pending": 1,
        "paid": 2,
        "processing": 1,
        "shipped": 1,
        "delivered": 1,
        "cancelled": 1,
        "refunded": 1,
    }
    assert list(summary["orders_by_status"]) == [
        "pending",
        "paid",
        "processing",
        "shipped",
        "delivered",
        "cancelled",
        "refunded",
    ]


def test_top_products(summary):
    by_units = [(p["article"], p["units"], p["revenue"]) for p in summary["top_products_by_units"]]
    assert by_units == [("B-1", 4, "3000.00"), ("A-1", 3, "7500.00"), ("C-1", 1, "1200.00"), ("D-1", 1, "800.00")]
    by_revenue = [(p["article"], p["revenue"]) for p in summary["top_products_by_revenue"]]
    assert by_revenue == [("A-1", "7500.00"), ("B-1", "3000.00"), ("C-1", "1200.00"), ("D-1", "800.00")]


def test_promo_usage_counts_paid_orders_only(summary):
    promos = summary["promo_codes"]
    assert promos["orders_count"] == 2
    assert promos["discount_total"] == "700.00"
    codes = {row["code"]: row for row in promos["codes"]}
    assert set(codes) == {"SALE10", "FIX200"}
    # The cancelled o5 used SALE10 too, but it is no sale.
    assert codes["SALE10"]["orders_count"] == 1
    assert codes["SALE10"]["discount_total"] == "500.00"
    assert codes["SALE10"]["revenue"] == "4500.00"
    assert codes["SALE10"]["current_uses"] == 2 and codes["SALE10"]["max_uses"] == 100
    assert codes["FIX200"]["discount_total"] == "200.00" and codes["FIX200"]["max_uses"] is None


def test_wave_fill_per_product(summary, week):
    fill = {row["article"]: row for row in summary["preorder_waves"]}
    assert set(fill) == {"P-1", "W-1"}
    p = fill["P-1"]
    assert (p["capacity"], p["ordered"], p["fill_percent"], p["current_wave"], p["waves_total"]) == (
        15,
        7,
        "46.67",
        2,
        3,
    )
    assert [(w["wave_number"], w["current_count"], w["capacity"], w["status"]) for w in p["waves"]] == [
        (1, 5, 5, "production"),
        (2, 2, 5, "collecting"),
        (3, 0, 5, "collecting"),
    ]
    w = fill["W-1"]
    assert (w["order_type"], w["ordered"], w["capacity"], w["fill_percent"], w["current_wave"]) == (
        "waiting",
        8,
        8,
        "100.00",
        2,
    )


def test_revenue_by_day_covers_every_day_in_moscow_time(summary):
    days = [
        (d["date"], d["revenue"], d["orders_count"], d["paid_orders_count"]) for d in summary["revenue_by_day"]
    ]
    assert days == [
        ("2026-11-01", "5300.00", 2, 2),
        ("2026-11-02", "5500.00", 2, 2),
        ("2026-11-03", "0.00", 1, 0),
        ("2026-11-04", "0.00", 1, 0),
        ("2026-11-05", "0.00", 1, 0),
        ("2026-11-06", "0.00", 0, 0),
        ("2026-11-07", "1000.00", 1, 1),
    ]
    assert sum(Decimal(d["revenue"]) for d in summary["revenue_by_day"]) == Decimal(summary["revenue"])


def test_one_day_period(week, staff_client):
    data = staff_client.get(URL, {"date_from": "2026-11-02", "date_to": "2026-11-02"}).json()
    assert (data["revenue"], data["orders_count"], data["average_check"]) == ("5500.00", 2, "2750.00")
    assert [p["article"] for p in data["top_products_by_revenue"]] == ["B-1", "A-1"]


def test_empty_period_has_zero_figures(week, staff_client):
    data = staff_client.get(URL, {"date_from": "2025-01-01", "date_to": "2025-01-03"}).json()
    assert (data["revenue"], data["orders_count"], data["average_check"], data["conversion_percent"]) == (
        "0.00",
        0,
        "0.00",
        "0.00",
    )
    assert data["top_products_by_units"] == [] and data["promo_codes"]["codes"] == []
    assert [d["revenue"] for d in data["revenue_by_day"]] == ["0.00"] * 3


def test_without_dates_the_last_30_days(staff_client, db):
    data = staff_client.get(URL).json()
    assert len(data["revenue_by_day"]) == 30
    assert data["revenue_by_day"][-1]["date"] == data["date_to"]


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-13-01"},
        {"date_from": "01.11.2026"},
        {"date_to": "вчера"},
        {"date_from": "2026-11-07", "date_to": "2026-11-01"},
        {"date_from": "2020-01-01", "date_to": "2026-01-01"},
    ],
)
def test_bad_dates_are_400(staff_client, db, params):
    response = staff_client.get(URL, params)
    assert response.status_code == 400
    assert set(response.json()) & {"date_from", "date_to"}


def test_anonymous_gets_401(api_client, db):
    assert api_client.get(URL, WEEK).status_code == 401


def test_customer_gets_403(user_client):
    assert user_client.get(URL, WEEK).status_code == 403


def test_staff_session_works_too(client, staff_user):
    client.force_login(staff_user)
    assert client.get(URL, WEEK).status_code == 200


def _queries_for(client, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, params).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_orders(staff_user):
    client = client_for(staff_user)
    product = ProductFactory()
    make_order(Order.Status.PAID, msk(3, 12), [(product, "100.00", 1)])
    few = _queries_for(client, WEEK)
    for day in range(1, 8):
        for _ in range(3):
            make_order(Order.Status.PAID, msk(day, 12), [(ProductFactory(), "100.00", 2)])
    assert _queries_for(client, WEEK) == few
