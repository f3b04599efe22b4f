from decimal import Decimal

import factory

from catalog.models import Product, ProductMedia, ProductStock


class ProductFactory(factory.django.DjangoModelFactory):
    """An in-stock product with sizes S, M, L; pass `stock={"S": 5}` to give it stock."""

    class Meta:
        model = Product
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Футболка {n}")
    article = factory.Sequence(lambda n: f"ART-{n:05d}")
    price = Decimal("2490.00")
    sizes = factory.LazyFunction(lambda: ["S", "M", "L"])
    size_table = factory.LazyFunction(lambda: [["Размер", "Грудь"], ["S", "96"], ["M", "102"], ["L", "108"]])
    care_instructions = "Стирка при 30 °C."
    description = "Плотный хлопок."

    @factory.post_generation
    def stock(obj, create, extracted, **kwargs):
        if create and extracted:
            for size, quantity in extracted.items():
                ProductStock.objects.create(product=obj, size=size, quantity=quantity)


class ProductStockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductStock

    product = factory.SubFactory(ProductFactory)
    size = "M"
    quantity = 10


class ProductMediaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductMedia

    product = factory.SubFactory(ProductFactory)
    image = factory.django.ImageField(width=40, height=50, color="gray", filename="picture.jpg")
    position = factory.Sequence(int)
