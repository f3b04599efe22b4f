"""Staff forms for users: the phone is the login, normalised to +7… like everywhere else."""

from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm

from accounts.models import User


class UserAddForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["phone", "full_name"]
        field_classes: dict = {}


class UserEditForm(UserChangeForm):
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
