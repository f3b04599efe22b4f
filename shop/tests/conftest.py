import pytest
from django.test import Client

from accounts.tests.factories import PASSWORD, UserFactory
from catalog.tests.factories import ProductFactory, ProductMediaFactory
from preorders.tests.factories import PreorderProductFactory


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def customer(db):
    return UserFactory(address="Москва, ул. Тверская, 1", cdek_point="MSK123")


@pytest.fixture
def customer_client(customer):
    client = Client()
    client.force_login(customer)
    return client


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def hoodie(db):
    """An in-stock product: S and M on hand, L sold out."""
    product = ProductFactory(name="Худи «Базовое»", price="4990.00", stock={"S": 5, "M": 2, "L": 0})
    ProductMediaFactory(product=product, position=0)
    ProductMediaFactory(product=product, position=1)
    return product


@pytest.fixture
def drop(db):
    """A preorder product: 3 waves of 5, the first full, 2 units in the second."""
    product = PreorderProductFactory(name="Пуховик «Дроп»", price="14990.00")
    waves = list(product.waves.order_by("wave_number"))
    waves[0].current_count = 5
    waves[0].status = "production"
    waves[0].save()
    waves[1].current_count = 2
    waves[1].save()
    return product
