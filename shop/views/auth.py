"""Registration, sign-in by password or SMS code, password reset, sign-out."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts.consents import ConsentAct, ConsentRequired
from accounts.models import ConsentSource
from accounts.services import (
    AccountDisabled,
    PhoneTaken,
    SmsCodeRejected,
    sms_code_send,
    user_password_reset,
    user_phone_confirm,
    user_register_or_sign_in,
    user_sign_in_by_code,
)
from accounts.sms_limits import SmsLimitReached
from accounts.throttles import register_attempt_allowed
from config.client_ip import client_ip
from shop.forms import (
    LoginForm,
    PasswordResetForm,
    PhoneConfirmForm,
    RegisterForm,
    SmsCodeRequestForm,
    SmsSignInForm,
    form_refusal,
)


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


NEW_PHONE_CONSENT_MESSAGE = (
    "Номер новый: мы создадим аккаунт. Отметьте согласие на обработку персональных данных и отправьте тот же код "
    "ещё раз."
)
REGISTER_LIMIT_MESSAGE = "Слишком много попыток регистрации с вашего адреса. Попробуйте позже."
# The same words whether the number is taken or the password is wrong for it: the page does not confirm accounts.
REGISTER_REFUSED_MESSAGE = (
    "Не удалось зарегистрироваться с этим номером. Если номер ваш, войдите с верным паролем или по коду из SMS."
)


@require_http_methods(["GET", "POST"])
def register(request):
    next_url = _next_url(request, reverse("shop:account"))
    if request.user.is_authenticated:
        return redirect(next_url)
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not register_attempt_allowed(ip=client_ip(request)):
            form.add_error(None, REGISTER_LIMIT_MESSAGE)
            return render(request, "registration/register.html", {"form": form, "next": next_url})
        consent = (
            ConsentAct.from_request(request, source=ConsentSource.REGISTER)
            if data["personal_data_consent"]
            else None
        )
        try:
            user, created = user_register_or_sign_in(
                phone=data["phone"],
                password=data["password"],
                full_name=data["full_name"],
                request=request,
                consent=consent,
            )
        except ConsentRequired as refusal:
            form_refusal(form, refusal)
        except PhoneTaken:
            form.add_error(None, REGISTER_REFUSED_MESSAGE)
        except ValidationError as error:
            # The service names the field itself ({"password": [...]}) or gives bare password messages.
            form.add_error(None if hasattr(error, "error_dict") else "password", error)
        else:
            login(request, user, backend=getattr(user, "backend", "django.contrib.auth.backends.ModelBackend"))
            if created:
                messages.success(request, "Добро пожаловать в DWC!")
            return redirect(next_url)
    return render(request, "registration/register.html", {"form": form, "next": next_url})


@require_http_methods(["GET", "POST"])
def login_view(request):
    next_url = _next_url(request, reverse("shop:account"))
    if request.user.is_authenticated:
        return redirect(next_url)
    form = LoginForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        return redirect(next_url)
    return render(request, "registration/login.html", {"form": form, "next": next_url})


def _sms_code_step(request, code_form_class):
    """The shared first step of signing in and resetting by code: send a code to the phone, then ask for it.

    Returns the form to show and whether it is the code step. A code asked for again within the minute is not
    an error: the one already sent still works, and the page says when another may be sent.
    """
    if request.method != "POST":
        return SmsCodeRequestForm(), False
    if request.POST.get("action") != "send":
        return code_form_class(request.POST), True
    form = SmsCodeRequestForm(request.POST)
    if not form.is_valid():
        return form, False
    phone = form.cleaned_data["phone"]
    try:
        sms_code_send(phone=phone, address=client_ip(request))
    except SmsLimitReached as refusal:
        if refusal.code != "sms_too_soon":
            form.add_error("phone", refusal.message)
            return form, False
        messages.info(request, f"Код уже отправлен. Новый можно запросить через {refusal.retry_after} с.")
    return code_form_class(initial={"phone": phone}), True


@require_http_methods(["GET", "POST"])
def login_sms(request):
    """Sign in, or register, with a code from SMS."""
    next_url = _next_url(request, reverse("shop:account"))
    if request.user.is_authenticated:
        return redirect(next_url)
    form, code_step = _sms_code_step(request, SmsSignInForm)
    if code_step and form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        given = data.pop("personal_data_consent")
        act = ConsentAct.from_request(request, source=ConsentSource.SMS_SIGN_IN) if given else None
        try:
            user, created = user_sign_in_by_code(**data, consent=act)
        except ConsentRequired:
            form.add_error("personal_data_consent", NEW_PHONE_CONSENT_MESSAGE)
        except SmsCodeRejected as refusal:
            form.add_error("code", refusal.message)
        except AccountDisabled as refusal:
            form.add_error(None, refusal.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Добро пожаловать в DWC!" if created else "Вы вошли.")
            return redirect(next_url)
    context = {"form": form, "code_step": code_step, "next": next_url, "phone": _form_phone(form)}
    return render(request, "registration/login_sms.html", context)


@require_http_methods(["GET", "POST"])
def password_reset(request):
    """«Забыли пароль?»: a code from SMS, then a new password; the customer is signed in with it."""
    next_url = _next_url(request, reverse("shop:account"))
    form, code_step = _sms_code_step(request, PasswordResetForm)
    if code_step and form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        given = data.pop("personal_data_consent")
        act = ConsentAct.from_request(request, source=ConsentSource.REGISTER) if given else None
        try:
            user = user_password_reset(**data, consent=act)
        except ConsentRequired:
            form.add_error("personal_data_consent", NEW_PHONE_CONSENT_MESSAGE)
        except SmsCodeRejected as refusal:
            form.add_error("code", refusal.message)
        except ValidationError as error:
            form.add_error(None if hasattr(error, "error_dict") else "password", error)
        else:
            if user.is_active:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Пароль изменён.")
            return redirect(next_url if user.is_active else reverse("shop:login"))
    context = {"form": form, "code_step": code_step, "next": next_url, "phone": _form_phone(form)}
    return render(request, "registration/password_reset.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def phone_confirm(request):
    """Prove the account's phone with a code from SMS, on the spot, and go back to where the buyer was.

    A drop (its waiting room, a draw, a product with a cap per customer) takes verified buyers only; its pages
    send here with `next` set to themselves.
    """
    user = request.user
    next_url = _next_url(request, reverse("shop:account"))
    if user.phone_verified:
        return redirect(next_url)
    step = own_phone_code_step(request, action="verify", act=lambda code: user_phone_confirm(user=user, code=code))
    if step.done:
        messages.success(request, "Телефон подтверждён.")
        return redirect(next_url)
    return render(request, "registration/phone_confirm.html", {**step.context(), "next": next_url})


@dataclass
class CodeStep:
    """Where a customer is in acting on a code texted to their own phone."""

    form: PhoneConfirmForm
    code_step: bool = False  # a code is on its way: ask for it
    refusal: str = ""  # why no code was sent
    done: bool = False  # the code was right and the act is done

    def context(self) -> dict:
        return {"form": self.form, "code_step": self.code_step, "refusal": self.refusal}


def own_phone_code_step(request, *, action: str, act: Callable[[str], None]) -> CodeStep:
    """The two steps of an act confirmed by a code to the signed-in customer's own phone: the button «send» texts
    the code, the button `action` checks it with `act(code)` (which raises `SmsCodeRejected` for a wrong one)."""
    posted = request.POST.get("action") if request.method == "POST" else None
    if posted == "send":
        refusal = own_phone_code_send(request)
        return CodeStep(PhoneConfirmForm(), code_step=not refusal, refusal=refusal)
    if posted != action:
        return CodeStep(PhoneConfirmForm())
    form = PhoneConfirmForm(request.POST)
    if form.is_valid():
        try:
            act(form.cleaned_data["code"])
        except SmsCodeRejected as rejected:
            form.add_error("code", rejected.message)
        else:
            return CodeStep(form, code_step=True, done=True)
    return CodeStep(form, code_step=True)


def own_phone_code_send(request) -> str:
    """Text a code to the signed-in customer's own phone; why not, when a limit refuses (empty when sent).

    A code asked for again within the minute is no refusal: the one already sent still works."""
    try:
        sms_code_send(phone=request.user.phone, address=client_ip(request))
    except SmsLimitReached as limit:
        if limit.code != "sms_too_soon":
            return limit.message
        messages.info(request, f"Код уже отправлен. Новый можно запросить через {limit.retry_after} с.")
    return ""


def _form_phone(form) -> str:
    if form.is_bound:
        return (getattr(form, "cleaned_data", None) or {}).get("phone") or form.data.get("phone", "")
    return form.initial.get("phone", "")


@require_POST
def logout_view(request):
    logout(request)
    return redirect("shop:catalog")
