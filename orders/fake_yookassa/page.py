"""The fake YooKassa's payment page (Russian, like the real one)."""

import html
from decimal import Decimal
from urllib.parse import quote


def payment_page_html(payment: dict) -> str:
    """The page a payment's confirmation_url opens: the amount and the buttons «Оплатить» and «Отменить»."""
    e = html.escape
    value = Decimal(payment["amount"]["value"])
    amount = f"{value:,.2f}".replace(",", " ").replace(".", ",") + " ₽"
    action = f"/pay/{quote(payment['id'])}"
    status = {"pending": "Ожидает оплаты", "succeeded": "Оплачен", "canceled": "Отменён",
              "waiting_for_capture": "Ожидает подтверждения магазином"}.get(payment["status"], payment["status"])  # fmt: skip
    # A payment with `capture: false` holds the money: only methods that can hold are offered (no SBP).
    methods = (
        "<fieldset><legend>Способ оплаты (деньги будут заморожены)</legend>"
        '<label><input type="radio" name="payment_method" value="bank_card" checked> Банковская карта</label><br>'
        '<label><input type="radio" name="payment_method" value="sberbank"> SberPay</label><br>'
        '<label><input type="radio" name="payment_method" value="tinkoff_bank"> T-Pay</label></fieldset>'
        if payment.get("capture") is False
        else ""
    )
    buttons = (
        f'<form method="post" action="{action}/succeed">{methods}<button type="submit">Оплатить</button></form>'
        f'<form method="post" action="{action}/cancel"><button type="submit" class="secondary">Отменить</button>'
        "</form>"
        if payment["status"] == "pending"
        else f'<p><a href="{e(payment["confirmation"]["return_url"])}">Вернуться в магазин</a></p>'
    )
    return f"""<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>Оплата заказа — тестовая ЮKassa</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<style>body{{font-family:sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}}
button{{font-size:1.1rem;padding:.6rem 1.4rem;margin:.3rem 0;width:100%;cursor:pointer}}
.secondary{{background:#eee}}.note{{color:#777;font-size:.9rem}}</style></head>
<body><h1>Оплата заказа</h1>
<p>{e(payment.get("description") or "")}</p>
<p>Сумма к оплате: <strong>{amount}</strong></p>
<p>Статус платежа: <strong id="status">{e(status)}</strong></p>
{buttons}
<p class="note">Это тестовая платёжная страница ЮKassa: деньги не списываются.</p>
</body></html>"""
