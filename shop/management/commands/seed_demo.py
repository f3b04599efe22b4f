"""Demo data that looks like a real drop shop. Idempotent: a second run changes nothing."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from catalog.models import Product, ProductStock
from catalog.services import product_media_add, product_set_stock
from drops.models import Draw, DropQueue, QueueEntry
from orders.services import order_mark_paid, order_place
from pages.models import Page
from preorders.models import PreorderWave
from preorders.services import wave_update
from promos.models import PromoCode
from shop.demo import demo_photo

STAFF_PHONE = "+79990000001"
STAFF_PASSWORD = "dwc-admin-2026"
CUSTOMER_PHONE = "+79990000002"
CUSTOMER_PASSWORD = "dwc-demo-2026"

CLOTHES = ["XS", "S", "M", "L", "XL"]
CLOTHES_TABLE = [
    ["Размер", "Грудь, см", "Длина, см", "Рукав, см"],
    ["XS", "96", "66", "60"],
    ["S", "102", "68", "61"],
    ["M", "108", "70", "62"],
    ["L", "114", "72", "63"],
    ["XL", "120", "74", "64"],
]
PANTS = ["44", "46", "48", "50", "52"]
PANTS_TABLE = [
    ["Размер", "Талия, см", "Бёдра, см", "Длина, см"],
    ["44", "72", "96", "102"],
    ["46", "76", "100", "103"],
    ["48", "80", "104", "104"],
    ["50", "84", "108", "105"],
    ["52", "88", "112", "106"],
]
COTTON_CARE = "Стирка при 30 °C наизнанку. Не отбеливать. Сушить в расправленном виде, не в барабане. Гладить при средней температуре."

# article, name, kind, colour, price, sizes, size table, stock per size, description
STOCK_PRODUCTS = [
    (
        "DWC-HD-001",
        "Худи «Базовое» чёрное",
        "hoodie",
        (34, 34, 38),
        "6490",
        CLOTHES,
        CLOTHES_TABLE,
        [3, 8, 12, 6, 0],
        "Плотный футер 420 г/м², капюшон на трёх панелях, карман-кенгуру.",
    ),
    (
        "DWC-HD-002",
        "Худи «Базовое» песочное",
        "hoodie",
        (196, 176, 140),
        "6490",
        CLOTHES,
        CLOTHES_TABLE,
        [0, 4, 7, 5, 2],
        "Тот же крой, что у чёрного: свободный, с опущенным плечом.",
    ),
    (
        "DWC-TS-001",
        "Футболка «Логотип» белая",
        "tee",
        (236, 236, 232),
        "2490",
        CLOTHES,
        CLOTHES_TABLE,
        [10, 15, 20, 15, 8],
        "Хлопок 240 г/м², вышитый логотип на груди.",
    ),
    (
        "DWC-TS-002",
        "Футболка «Логотип» графит",
        "tee",
        (70, 72, 78),
        "2490",
        CLOTHES,
        CLOTHES_TABLE,
        [5, 0, 9, 3, 1],
        "Хлопок 240 г/м², вышитый логотип на груди.",
    ),
    (
        "DWC-LS-001",
        "Лонгслив «Полоса»",
        "longsleeve",
        (120, 40, 44),
        "3290",
        CLOTHES,
        CLOTHES_TABLE,
        [2, 6, 6, 4, 0],
        "Лонгслив из плотного хлопка с контрастной полосой на рукаве.",
    ),
    (
        "DWC-PT-001",
        "Брюки «Карго» олива",
        "pants",
        (92, 100, 62),
        "5990",
        PANTS,
        PANTS_TABLE,
        [1, 5, 6, 3, 2],
        "Рипстоп, шесть карманов, регулируемый низ.",
    ),
    (
        "DWC-PT-002",
        "Брюки «Прямые» чёрные",
        "pants",
        (30, 30, 34),
        "5490",
        PANTS,
        PANTS_TABLE,
        [0, 0, 0, 0, 0],
        "Прямой крой, плотный хлопок. Распроданы, ждём поставку.",
    ),
    (
        "DWC-CP-001",
        "Кепка «Шестипанельная»",
        "cap",
        (40, 52, 90),
        "1990",
        [],
        [],
        [25],
        "Хлопковый твил, металлическая застёжка.",
    ),
    (
        "DWC-BG-001",
        "Шопер «Холст»",
        "bag",
        (214, 200, 170),
        "1490",
        [],
        [],
        [40],
        "Плотный холст, внутренний карман, длинные ручки.",
    ),
    (
        "DWC-BG-002",
        "Сумка «Через плечо»",
        "bag",
        (24, 24, 24),
        "3990",
        [],
        [],
        [6],
        "Нейлон с водоотталкивающей пропиткой, регулируемый ремень.",
    ),
    (
        "DWC-JK-001",
        "Ветровка «Город»",
        "jacket",
        (60, 90, 110),
        "8990",
        CLOTHES,
        CLOTHES_TABLE,
        [1, 3, 4, 2, 1],
        "Лёгкая ветровка с капюшоном в воротнике, мембрана 5000 мм.",
    ),
]

# The drop: a preorder product whose three waves are partly filled.
DROP = (
    "DWC-DROP-01",
    "Пуховик «Дроп 01»",
    "jacket",
    (150, 30, 30),
    "14990",
    CLOTHES,
    CLOTHES_TABLE,
    "Лимитированный дроп: пуховик оверсайз, утеплитель 250 г/м². Шьём волнами по 20 штук.",
)
DROP_WAVES = [(1, 20, "production"), (2, 20, "collecting"), (3, 20, "collecting")]
# The drop's wave counts are real orders of demo buyers (paid before the demo starts): 20 units fill the first
# wave, 7 go to the second; so stock, wave counts and orders agree from the first minute.
DROP_BUYERS_PHONE = "+7999000{:04d}"
DROP_ORDERS = [("M", 3), ("L", 3), ("S", 2), ("M", 2), ("XL", 3), ("L", 2), ("M", 3), ("S", 2), ("L", 2), ("M", 2),
               ("XS", 3)]  # fmt: skip
# Days from today each wave is expected to ship.
DROP_SHIPS_IN = {1: 14, 2: 35, 3: 56}

# The demo customer's saved pickup point: one the fake CDEK lists («На Тверской», Moscow).
DEMO_CDEK_POINT = "MSK65"

# The release: a drop that starts a few minutes after `make run`, behind a waiting room, 2 per customer.
RELEASE = (
    "DWC-DROP-02",
    "Худи «Релиз 02»",
    "hoodie",
    (40, 60, 110),
    "7990",
    CLOTHES,
    CLOTHES_TABLE,
    "Релиз: худи из петельчатого футера 480 г/м². Старт по расписанию, очередь, не больше двух в одни руки.",
)
RELEASE_WAVES = [(1, 30, 21), (2, 30, 49)]  # wave number, capacity, ships in N days
DRAW = (
    "DWC-DRAW-03",
    "Куртка «Жребий 03»",
    "jacket",
    (120, 30, 40),
    "14990",
    CLOTHES,
    CLOTHES_TABLE,
    "Розыгрыш: куртка тиражом 10 штук. Заявки с замороженной оплатой, победителей выбирает проверяемый жребий.",
)
DRAW_STOCK = {"S": 2, "M": 4, "L": 3, "XL": 1}
DRAW_CLOSES_IN = timedelta(minutes=10)
RELEASE_STARTS_IN = timedelta(minutes=5)
RELEASE_TERMS = {"max_per_customer": 2, "payment_timeout": 15, "queue_enabled": True, "queue_rate": 30}

PAGES = {
    "about": (
        "О магазине",
        """DWC — небольшой бренд одежды из Москвы.

Мы шьём базовые вещи из плотных тканей и выпускаем лимитированные **дропы** по предзаказу: партию шьют волнами,
и каждая волна уходит в производство, как только наберётся.

Вопросы — в Telegram **@dwc_shop** или по почте hello@dwc.example.""",
    ),
    "delivery": (
        "Доставка и оплата",
        """## Доставка

- По России — СДЭК до пункта выдачи или курьером, 2–7 дней.
- Заказы из наличия отправляем за 1–2 рабочих дня.
- Предзаказы — по готовности волны; статус волны виден в личном кабинете.

## Оплата

Картой, через СБП или ЮMoney на странице ЮKassa. Чек приходит на телефон.""",
    ),
    "offer": (
        "Публичная оферта",
        """## 1. Общие положения

Настоящая оферта — предложение магазина DWC заключить договор купли-продажи товаров дистанционным способом.

## 2. Оформление заказа

Заказ считается оформленным после оплаты. Неоплаченный заказ отменяется через 30 минут.

## 3. Возврат

Товар надлежащего качества можно вернуть в течение 7 дней после получения.""",
    ),
    "privacy": (
        "Политика обработки персональных данных",
        """## 1. Кто обрабатывает данные

Оператор персональных данных — магазин DWC (Москва). Политика составлена по Федеральному закону от 27.07.2006
№ 152-ФЗ «О персональных данных».

## 2. Какие данные и зачем

- Телефон — вход в аккаунт, SMS о заказах, чек по 54-ФЗ.
- Имя, адрес доставки, пункт СДЭК — доставка заказа.
- Email, Telegram, ВКонтакте — по желанию, для связи.
- IP-адрес и данные браузера — запись о согласии и защита от злоупотреблений.

## 3. Кому передаём

ЮKassa — для оплаты и чеков; СДЭК — для доставки; SMS-шлюз — для сообщений. Больше никому.

## 4. Сколько храним

Пока действует аккаунт. Заказы и чеки храним столько, сколько требует закон о бухгалтерском учёте, даже после
удаления аккаунта, но без имени, телефона и адреса.

## 5. Ваши права

В личном кабинете можно скачать все свои данные и удалить аккаунт (удаление подтверждается кодом из SMS).
Согласие можно отозвать, удалив аккаунт или написав нам: hello@dwc.example.""",
    ),
}


class Command(BaseCommand):
    help = "Load demo data: products with pictures, a preorder drop, promo codes, pages and a staff user."

    @transaction.atomic
    def handle(self, *args, **options):
        created = 0
        for article, name, kind, color, price, sizes, table, stock, description in STOCK_PRODUCTS:
            product, is_new = self._product(article, name, kind, color, price, sizes, table, description)
            created += is_new
            if is_new:
                for size, quantity in zip(product.size_labels, stock, strict=True):
                    ProductStock.objects.create(product=product, size=size, quantity=quantity)

        article, name, kind, color, price, sizes, table, description = DROP
        drop, is_new = self._product(
            article,
            name,
            kind,
            color,
            price,
            sizes,
            table,
            description,
            order_type=Product.OrderType.PREORDER,
            preorder_waves_total=len(DROP_WAVES),
            preorder_wave_capacity=20,
        )
        created += is_new
        if is_new:
            self._drop_orders(drop)

        for wave in PreorderWave.objects.filter(product=drop, ships_on__isnull=True):
            wave.ships_on = timezone.localdate() + timedelta(days=DROP_SHIPS_IN.get(wave.wave_number, 56))
            wave.save(update_fields=["ships_on"])
        created += self._release()
        created += self._draw()

        self._promo_codes(drop)
        for slug, (title, content) in PAGES.items():
            Page.objects.get_or_create(slug=slug, defaults={"title": title, "content": content})

        if not User.objects.filter(phone=STAFF_PHONE).exists():
            User.objects.create_superuser(STAFF_PHONE, STAFF_PASSWORD, full_name="Администратор DWC")
        # A saved point the fake CDEK knows, also for a customer seeded before it was one.
        User.objects.filter(phone=CUSTOMER_PHONE, cdek_point__in=("", "MSK123")).update(cdek_point=DEMO_CDEK_POINT)
        if not User.objects.filter(phone=CUSTOMER_PHONE).exists():
            User.objects.create_user(
                CUSTOMER_PHONE,
                CUSTOMER_PASSWORD,
                full_name="Анна Покупатель",
                address="Москва, ул. Тверская, д. 1, кв. 1",
                cdek_point=DEMO_CDEK_POINT,
                phone_verified=True,  # the demo release's queue and its cap take verified buyers only
            )

        self.stdout.write(self.style.SUCCESS(f"Демо-данные загружены: новых товаров {created}."))
        self.stdout.write(f"Админка: /admin/  телефон {STAFF_PHONE}  пароль {STAFF_PASSWORD}")
        self.stdout.write(f"Покупатель: телефон {CUSTOMER_PHONE}  пароль {CUSTOMER_PASSWORD}")

    def _drop_orders(self, drop):
        """The drop's waves filled by real, paid orders of demo buyers, then the first wave sent to production
        (its buyers' timelines say so), through the same services as the shop itself."""
        waves = {wave.wave_number: wave for wave in PreorderWave.objects.filter(product=drop)}
        for number, capacity, _ in DROP_WAVES:
            if number not in waves:
                waves[number] = PreorderWave.objects.create(product=drop, wave_number=number, capacity=capacity)
        for index, (size, quantity) in enumerate(DROP_ORDERS, start=10):
            buyer, _ = User.objects.get_or_create(
                phone=DROP_BUYERS_PHONE.format(index), defaults={"full_name": f"Покупатель дропа {index}"}
            )
            order = order_place(
                user=buyer,
                items=[{"product": drop.pk, "size": size, "quantity": quantity}],
                delivery_address="ул. Тверская, 1",
                city="Москва",
            )
            order_mark_paid(order=order)
        for number, _, status in DROP_WAVES:
            wave = PreorderWave.objects.get(pk=waves[number].pk)
            if wave.status != status:
                wave_update(wave=wave, status=status)

    def _product(self, article, name, kind, color, price, sizes, table, description, **extra):
        product, is_new = Product.objects.get_or_create(
            article=article,
            defaults={
                "name": name,
                "price": Decimal(price),
                "sizes": sizes,
                "size_table": table,
                "description": description,
                "care_instructions": COTTON_CARE,
                **extra,
            },
        )
        if not product.media.exists():
            # Camera-sized photos go through the same upload path as staff's; the worker makes their renditions.
            for variant in range(2):
                photo = demo_photo(
                    title=name, kind=kind, color=color, variant=variant, width=settings.DEMO_PHOTO_WIDTH
                )
                product_media_add(
                    product=product,
                    upload=ContentFile(photo, name=f"{article.lower()}-{variant + 1}.jpg"),
                    alt=name,
                    position=variant,
                )
        return product, is_new

    def _release(self) -> bool:
        """The release starts RELEASE_STARTS_IN after every seeding (every `make run`), with a fresh queue."""
        article, name, kind, color, price, sizes, table, description = RELEASE
        release, is_new = self._product(
            article,
            name,
            kind,
            color,
            price,
            sizes,
            table,
            description,
            order_type=Product.OrderType.PREORDER,
            preorder_waves_total=len(RELEASE_WAVES),
            preorder_wave_capacity=RELEASE_WAVES[0][1],
            **RELEASE_TERMS,
        )
        if is_new:
            for number, capacity, ships_in in RELEASE_WAVES:
                PreorderWave.objects.create(
                    product=release,
                    wave_number=number,
                    capacity=capacity,
                    ships_on=timezone.localdate() + timedelta(days=ships_in),
                )
        starts_at = (timezone.now() + RELEASE_STARTS_IN).replace(second=0, microsecond=0)
        Product.objects.filter(pk=release.pk).update(sale_starts_at=starts_at, **RELEASE_TERMS)
        QueueEntry.objects.filter(product=release).delete()
        DropQueue.objects.filter(product=release).delete()
        self.stdout.write(f"Релиз «{name}»: старт в {timezone.localtime(starts_at):%H:%M}, очередь открыта.")
        return is_new

    def _draw(self) -> bool:
        """The draw closes DRAW_CLOSES_IN after every seeding (every `make run`), with fresh entries and seed."""
        article, name, kind, color, price, sizes, table, description = DRAW
        product, is_new = self._product(article, name, kind, color, price, sizes, table, description)
        now = timezone.now()
        closes_at = (now + DRAW_CLOSES_IN).replace(second=0, microsecond=0)
        Draw.objects.filter(product=product).delete()  # its entries with it: a new draw, a new secret seed
        Product.objects.filter(pk=product.pk).update(
            sale_mode=Product.SaleMode.DRAW, draw_opens_at=now - timedelta(minutes=1), draw_closes_at=closes_at
        )
        product_set_stock(product=product, stock=DRAW_STOCK)
        self.stdout.write(f"Розыгрыш «{name}»: заявки до {timezone.localtime(closes_at):%H:%M}.")
        return is_new

    def _promo_codes(self, drop):
        now = timezone.now()
        PromoCode.objects.get_or_create(
            code="WELCOME10",
            defaults={
                "description": "Скидка 10% на первый заказ",
                "discount_percent": 10,
                "first_order_only": True,
            },
        )
        PromoCode.objects.filter(code="WELCOME10").update(first_order_only=True)
        PromoCode.objects.get_or_create(
            code="MINUS500",
            defaults={"description": "Минус 500 ₽", "discount_amount": Decimal("500"), "max_uses": 100},
        )
        drop_code, is_new = PromoCode.objects.get_or_create(
            code="DROP15",
            defaults={
                "description": "15% на дроп",
                "discount_percent": 15,
                "max_uses": 50,
                "valid_until": now + timedelta(days=60),
            },
        )
        # The code is for the drops README names: the preorder drop and the release.
        drop_code.products.add(drop, *Product.objects.filter(article=RELEASE[0]))
        PromoCode.objects.get_or_create(
            code="SUMMER25",
            defaults={
                "description": "Летняя акция (закончилась)",
                "discount_percent": 25,
                "valid_from": now - timedelta(days=180),
                "valid_until": now - timedelta(days=90),
            },
        )
