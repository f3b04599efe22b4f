"""The admin dashboard at /admin/analytics/: staff only, the report's figures, SVG charts, a date range form."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory

URL = "/admin/analytics/"
WEEK = {"date_from": "2026-11-01", "date_to": "2026-11-07"}


@pytest.fixture
def staff(client, db):
    client.force_login(UserFactory(is_staff=True))
    return client


def test_url_name():
    assert reverse("analytics:dashboard") == URL


def test_staff_sees_the_figures_of_the_period(staff, week):
    response = staff.get(URL, WEEK)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="kpi-revenue">11 800 ₽<' in html
    assert 'id="kpi-orders">8<' in html
    assert 'id="kpi-paid">5<' in html
    assert 'id="kpi-average">2 360 ₽<' in html
    assert 'id="kpi-conversion">62,5\u00a0%<' in html
    assert 'id="kpi-discount">700 ₽<' in html
    assert "SALE10" in html and "FIX200" in html
    assert "Худи A" in html and "Бомбер P" in html
    assert response.context["summary"]["revenue"] == __import__("decimal").Decimal("11800.00")


def test_charts_are_server_rendered_svg(staff, week):
    html = staff.get(URL, WEEK).content.decode()
    assert html.count("<svg") >= 4
    assert "<script" not in html.split('id="content-main"')[1]
    # One bar a day, the tallest (2 November, 5 500 ₽) reaching the top of the plot, days without sales empty.
    bars = staff.get(URL, WEEK).context["charts"]["revenue_by_day"].bars
    assert len(bars) == 7
    assert bars[1].height == max(bar.height for bar in bars) and bars[5].height == 0
    # SVG coordinates never use the Russian decimal comma.
    svg = html.split("<svg", 2)[1]
    assert not any("," in part for part in svg.split('y="')[1:2])


def test_form_keeps_the_period(staff, week):
    response = staff.get(URL, WEEK)
    html = response.content.decode()
    assert 'name="date_from"' in html and 'value="2026-11-01"' in html and 'value="2026-11-07"' in html


def test_without_dates_shows_the_last_30_days(staff):
    response = staff.get(URL)
    assert response.status_code == 200
    period = response.context["period"]
    assert (period.date_to - period.date_from).days == 29


@pytest.mark.parametrize(
    "params", [{"date_from": "2026-02-30"}, {"date_from": "2026-11-07", "date_to": "2026-11-01"}]
)
def test_bad_dates_show_an_error(staff, params):
    response = staff.get(URL, params)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "errornote" in response.content.decode()


def test_customers_and_anonymous_go_to_the_admin_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(UserFactory())
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_index_links_to_the_dashboard(staff):
    html = staff.get("/admin/").content.decode()
    assert 'href="/admin/analytics/"' in html


def test_cards_compare_with_the_previous_period_of_the_same_length(staff, week):
    html = staff.get(URL, WEEK).content.decode()
    # 25–31 October had one paid order of 2 500 ₽ (o9); the week has 11 800 ₽.
    assert "+372,0\u00a0% к прошлому периоду (2 500 ₽)" in html
    assert "25 октября 2026 — 31 октября 2026" in html


def test_every_day_has_its_label_and_axis_ticks_are_round(staff, week):
    html = staff.get(URL, {"date_from": "2026-10-20", "date_to": "2026-11-18"}).content.decode()
    for label in ["20.10", "21", "31", "1.11", "2", "7", "18"]:
        assert f'text-anchor="middle">{label}</text>' in html
    chart = staff.get(URL, WEEK).context["charts"]["revenue_by_day"]
    assert [tick.text for tick in chart.ticks] == ["0 ₽", "2 000 ₽", "4 000 ₽", "6 000 ₽"]


@pytest.mark.parametrize(
    ("top", "ticks"),
    [(4500, [0, 2000, 4000, 6000]), (18317.62, [0, 5000, 10000, 15000, 20000]), (9, [0, 2.5, 5, 7.5, 10])],
)
def test_nice_ticks(top, ticks):
    from analytics.charts import nice_ticks

    assert [float(tick) for tick in nice_ticks(top)] == ticks


def test_csv_export_of_the_period_by_day(staff, week):
    response = staff.get(reverse("analytics:export"), WEEK)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffДата;Заказов создано;Оплачено;Выручка за вычетом возвратов, ₽;Возвраты, ₽")
    assert "02.11.2026;2;2;5500,00" in text
    assert "Итого;8;5;11800,00" in text


def test_csv_export_is_for_staff_only(client, db):
    response = client.get(reverse("analytics:export"), WEEK)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_dashboard_has_no_inline_styles(staff, week):
    html = staff.get(URL, WEEK).content.decode()
    main = html[html.index('id="content-main"') :]
    assert "<style" not in html and 'style="' not in main
