import factory

from catalog.models import Product
from catalog.tests.factories import ProductFactory
from preorders.models import PreorderStatus, PreorderWave, WaitlistEntry, WaveStatus


class PreorderProductFactory(ProductFactory):
    """A preorder product with `preorder_waves_total` waves of `preorder_wave_capacity` units, all empty."""

    order_type = Product.OrderType.PREORDER
    preorder_waves_total = 3
    preorder_wave_capacity = 5

    @factory.post_generation
    def waves(obj, create, extracted, **kwargs):
        if create:
            for number in range(1, obj.preorder_waves_total + 1):
                PreorderWave.objects.create(product=obj, wave_number=number, capacity=obj.preorder_wave_capacity)


class PreorderWaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PreorderWave

    product = factory.SubFactory(ProductFactory, order_type=Product.OrderType.PREORDER)
    wave_number = factory.Sequence(lambda n: n + 1)
    capacity = 5
    current_count = 0
    status = WaveStatus.COLLECTING


class PreorderStatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PreorderStatus

    order = factory.SubFactory("orders.tests.factories.OrderFactory")
    wave = factory.SubFactory(PreorderWaveFactory)
    status = WaveStatus.COLLECTING
    status_message = "Волна собирает заказы."


class WaitlistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WaitlistEntry

    product = factory.SubFactory(ProductFactory, order_type=Product.OrderType.WAITING)
    phone = factory.Sequence(lambda n: f"+7926{n:07d}")
