"""Staff forms for users: the phone is the login, typed any way and stored as +7… like everywhere else."""

from django import forms
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.phones import phone_normalize


class PhoneMixin(forms.Form):
    # Longer than the stored form: "+7 (916) 123-45-67" is 18 characters before it is normalised.
    phone = forms.CharField(label=_("телефон"), max_length=32, help_text=_("Например, +7 916 123-45-67."))

    def clean_phone(self):
        return phone_normalize(self.cleaned_data["phone"])


class UserAddForm(PhoneMixin, BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["phone", "full_name"]
        field_classes: dict = {}


class UserEditForm(PhoneMixin, UserChangeForm):
    class Meta:
        model = User
        fields = [
            "phone",
            "password",
            "full_name",
            "email",
            "address",
            "cdek_point",
            "telegram",
            "vk",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        ]
        field_classes: dict = {}
