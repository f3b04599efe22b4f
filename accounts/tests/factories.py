import factory

from accounts.models import Consent, ConsentSource, User

PASSWORD = "secret-pass-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"+7916{n:07d}")
    full_name = factory.Faker("name", locale="ru_RU")
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)
    # A customer of the shop has proved the phone (a code by SMS); tests of the unproved pass False.
    phone_verified = True

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    @factory.post_generation
    def consented(obj, create, extracted, **kwargs):
        """A registered customer gave consent to the processing of personal data; `consented=False` for one who
        has none on record (an account from before consents were asked)."""
        if create and extracted is not False:
            Consent.objects.create(user=obj, phone=obj.phone, source=ConsentSource.REGISTER, policy_slug="privacy")
