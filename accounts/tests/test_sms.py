import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from accounts.sms import SmsError, SmsMessage, sms_enqueue, sms_send
from accounts.tasks import SMS_MAX_ATTEMPTS, sms_deliver

PHONE = "+79161234567"
OK = {
    "status": "OK",
    "status_code": 100,
    "sms": {"79161234567": {"status": "OK", "status_code": 100, "sms_id": "1"}},
}
REFUSED = {
    "status": "OK",
    "status_code": 100,
    "sms": {
        "79161234567": {"status": "ERROR", "status_code": 207, "status_text": "Нельзя отправлять на этот номер"}
    },
}
WRONG_KEY = {"status": "ERROR", "status_code": 200, "status_text": "Неправильный api_id"}


class FakeSmsRu:
    """SMS.ru's `sms/send` on loopback: answers from `answers` in turn (the last one repeats), records requests."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict]] = [(200, OK)]
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                fake.requests.append({"path": self.path, "form": form})
                status, answer = fake.answers.pop(0) if len(fake.answers) > 1 else fake.answers[0]
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def smsru(settings):
    fake = FakeSmsRu()
    settings.SMS_BACKEND = "smsru"
    settings.SMSRU_API_URL = fake.url
    settings.SMSRU_API_ID = "test-api-id"
    settings.SMS_SENDER = "DWC"
    yield fake
    fake.stop()


def test_memory_backend_keeps_messages_in_the_outbox(sms_outbox):
    sms_send(PHONE, "Привет")
    assert sms_outbox == [SmsMessage(phone=PHONE, text="Привет")]


def test_console_backend_logs_the_message(settings, caplog, sms_outbox):
    settings.SMS_BACKEND = "console"
    with caplog.at_level(logging.INFO, logger="dwc.sms"):
        sms_send(PHONE, "Заказ оплачен")
    assert "Заказ оплачен" in caplog.text and PHONE in caplog.text
    assert sms_outbox == []


def test_backend_may_be_a_dotted_path(settings, sms_outbox):
    settings.SMS_BACKEND = "accounts.sms.MemoryBackend"
    sms_send(PHONE, "x")
    assert len(sms_outbox) == 1


def test_smsru_backend_posts_to_the_gateway(smsru):
    sms_send(PHONE, "Заказ DWC-2026-000001 оплачен")
    assert smsru.requests == [
        {
            "path": "/sms/send",
            "form": {
                "api_id": "test-api-id",
                "to": "79161234567",
                "msg": "Заказ DWC-2026-000001 оплачен",
                "json": "1",
                "from": "DWC",
            },
        }
    ]


@pytest.mark.parametrize("answer", [(200, REFUSED), (200, WRONG_KEY), (500, {"status": "ERROR"})])
def test_smsru_backend_raises_when_the_gateway_refuses(smsru, answer):
    smsru.answers = [answer]
    with pytest.raises(SmsError):
        sms_send(PHONE, "x")


def test_smsru_backend_raises_when_the_gateway_is_unreachable(smsru, settings):
    smsru.stop()
    with pytest.raises(SmsError):
        sms_send(PHONE, "x")


def test_smsru_backend_needs_an_api_id(smsru, settings):
    settings.SMSRU_API_ID = ""
    with pytest.raises(SmsError):
        sms_send(PHONE, "x")
    assert smsru.requests == []


@pytest.mark.django_db
def test_sms_enqueue_sends_after_commit_only(sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        sms_enqueue(phone=PHONE, text="После коммита")
        assert sms_outbox == []
    assert len(callbacks) == 1
    assert sms_outbox == [SmsMessage(phone=PHONE, text="После коммита")]


@pytest.mark.django_db(transaction=True)
def test_sms_enqueue_sends_nothing_when_the_transaction_rolls_back(sms_outbox):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        sms_enqueue(phone=PHONE, text="Не уйдёт")
        raise Boom
    assert sms_outbox == []
    with transaction.atomic():
        sms_enqueue(phone=PHONE, text="Уйдёт")
    assert sms_outbox == [SmsMessage(phone=PHONE, text="Уйдёт")]


@pytest.mark.django_db(transaction=True)
def test_a_failing_gateway_never_fails_the_caller(smsru):
    smsru.answers = [(500, {"status": "ERROR"})]
    with transaction.atomic():
        sms_enqueue(phone=PHONE, text="x")
    assert len(smsru.requests) == SMS_MAX_ATTEMPTS


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_is_retried_until_it_goes_through(smsru):
    smsru.answers = [(500, {"status": "ERROR"}), (200, WRONG_KEY), (200, OK)]
    sms_enqueue(phone=PHONE, text="Со второй попытки")
    assert len(smsru.requests) == 3
    assert {r["form"]["msg"] for r in smsru.requests} == {"Со второй попытки"}


@pytest.mark.django_db(transaction=True)
def test_retries_are_bounded(smsru, settings):
    settings.SMS_MAX_ATTEMPTS = 2
    smsru.answers = [(200, REFUSED)]
    sms_enqueue(phone=PHONE, text="x")
    assert len(smsru.requests) == 2


@pytest.mark.django_db
def test_with_the_database_backend_the_sms_is_a_queued_task(
    settings, sms_outbox, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sms_enqueue(phone=PHONE, text="В очереди")
    assert not DBTaskResult.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    task = DBTaskResult.objects.get()
    assert task.task_path == "accounts.tasks.sms_deliver"
    assert task.args_kwargs["kwargs"] == {"phone": PHONE, "text": "В очереди"}
    assert sms_outbox == []  # the worker sends it, not the request


@pytest.mark.django_db
def test_with_the_database_backend_a_failed_attempt_queues_a_later_one(smsru, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    smsru.answers = [(500, {"status": "ERROR"})]
    with pytest.raises(SmsError):
        sms_deliver.call(phone=PHONE, text="x", attempt=1)
    retry = DBTaskResult.objects.get()
    assert retry.args_kwargs["kwargs"] == {"phone": PHONE, "text": "x", "attempt": 2}
    assert retry.run_after is not None and retry.run_after > retry.enqueued_at

    with pytest.raises(SmsError):
        sms_deliver.call(phone=PHONE, text="x", attempt=SMS_MAX_ATTEMPTS)
    assert DBTaskResult.objects.count() == 1  # the last attempt queues nothing more
