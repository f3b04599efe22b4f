"""What the fake CDEK knows: two cities and a handful of their pickup points, in the API's own shapes."""

import zlib

MOSCOW = 44
SAINT_PETERSBURG = 137

CITIES = [
    {
        "code": MOSCOW,
        "city_uuid": "7e4c9f3a-0f39-4b6a-9d4c-44e3e5c8f6a1",
        "city": "Москва",
        "fias_guid": "0c5b2444-70a0-4932-980c-b4dc0d3f02b5",
        "country_code": "RU",
        "country": "Россия",
        "region": "Москва",
        "region_code": 81,
        "longitude": 37.6173,
        "latitude": 55.755826,
        "time_zone": "Europe/Moscow",
        "payment_limit": -1.0,
    },
    {
        "code": SAINT_PETERSBURG,
        "city_uuid": "c1d6b5a3-4a3e-4c8f-8a0f-137b1c2d3e4f",
        "city": "Санкт-Петербург",
        "fias_guid": "c2deb16a-0330-4f05-821f-1d09c93331e6",
        "country_code": "RU",
        "country": "Россия",
        "region": "Санкт-Петербург",
        "region_code": 82,
        "longitude": 30.315868,
        "latitude": 59.939095,
        "time_zone": "Europe/Moscow",
        "payment_limit": -1.0,
    },
]


def _point(code, city_code, name, address, postal_code, latitude, longitude, work_time, dressing_room, metro):
    city = next(city for city in CITIES if city["code"] == city_code)
    return {
        "code": code,
        "uuid": f"00000000-0000-4000-8000-{zlib.crc32(code.encode()):012d}",
        "name": name,
        "address_comment": f"Рядом со станцией метро «{metro}».",
        "nearest_metro_station": metro,
        "work_time": work_time,
        "phones": [{"number": "+78002500405"}],
        "email": "info@cdek.ru",
        "type": "PVZ",
        "owner_code": "cdek",
        "take_only": False,
        "is_handout": True,
        "is_reception": True,
        "is_dressing_room": dressing_room,
        "is_ltl": False,
        "have_cashless": True,
        "have_cash": True,
        "have_fast_payment_system": True,
        "allowed_cod": True,
        "weight_min": 0.0,
        "weight_max": 30.0,
        "location": {
            "country_code": "RU",
            "region_code": city["region_code"],
            "region": city["region"],
            "city_code": city_code,
            "city": city["city"],
            "postal_code": postal_code,
            "longitude": longitude,
            "latitude": latitude,
            "address": address,
            "address_full": f"{postal_code}, Россия, {city['city']}, {address}",
        },
    }


POINTS = [
    _point("MSK65", MOSCOW, "На Тверской", "ул. Тверская, 12, стр. 1", "125009", 55.764, 37.6066,
           "Пн-Пт 10:00-21:00, Сб-Вс 10:00-18:00", True, "Пушкинская"),
    _point("MSK127", MOSCOW, "Курская", "ул. Земляной Вал, 33", "105064", 55.7580, 37.6590,
           "Пн-Вс 09:00-21:00", True, "Курская"),
    _point("MSK342", MOSCOW, "Профсоюзная", "ул. Профсоюзная, 56", "117393", 55.6700, 37.5530,
           "Пн-Пт 10:00-20:00, Сб 10:00-16:00", False, "Новые Черёмушки"),
    _point("MSK519", MOSCOW, "Сокол", "Ленинградский пр-т, 75, к. 1", "125315", 55.8050, 37.5150,
           "Пн-Вс 10:00-22:00", True, "Сокол"),
    _point("MSK804", MOSCOW, "Бауманская", "ул. Бауманская, 7, стр. 1", "105005", 55.7720, 37.6790,
           "Пн-Пт 11:00-20:00", False, "Бауманская"),
    _point("SPB12", SAINT_PETERSBURG, "Невский", "Невский пр-т, 88", "191025", 59.9320, 30.3500,
           "Пн-Вс 10:00-21:00", True, "Маяковская"),
    _point("SPB47", SAINT_PETERSBURG, "Петроградская", "Большой пр-т П.С., 35", "197198", 59.9600, 30.3000,
           "Пн-Пт 10:00-20:00, Сб-Вс 11:00-17:00", True, "Петроградская"),
    _point("SPB103", SAINT_PETERSBURG, "Московский", "Московский пр-т, 143", "196084", 59.8900, 30.3200,
           "Пн-Сб 10:00-20:00", False, "Электросила"),
    _point("SPB230", SAINT_PETERSBURG, "Васильевский", "6-я линия В.О., 29", "199004", 59.9410, 30.2810,
           "Пн-Вс 09:00-21:00", True, "Василеостровская"),
]  # fmt: skip
