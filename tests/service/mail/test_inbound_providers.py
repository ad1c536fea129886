"""Each e-mail provider's inbound webhook, with a payload as the provider documents it, signed or
authenticated as the provider does with the support address's own keys, opens a case; the same
call unsigned, wrongly signed, or from another workspace is refused and writes nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from modules.service.mail.models import InboundMail
from modules.service.mail.services.addresses import basic_auth_credential, inbound_token, update_address
from modules.service.models import Case
from tests.service.mail.conftest import customer_mail, make_address
from tests.service.mail.fake_providers import API_KEY, FakeProviders, postal_keys, running_fake_providers, sns_sign
from tests.tenancy import TenantFixture, schema_snapshot

SIGNING_KEY = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"
SVIX_SECRET = "whsec_" + base64.b64encode(b"relata-svix-test-secret-32-bytes").decode()


@pytest.fixture
def fake() -> Iterator[FakeProviders]:
    with running_fake_providers() as running:
        yield running


@pytest.fixture
def provider_urls(settings: Any, fake: FakeProviders) -> FakeProviders:
    settings.SERVICE_MAIL_PROVIDER_API_URLS = {name: f"{fake.url}/{name}/" for name in ("brevo", "mailtrap", "resend")}
    settings.AMAZON_SNS_URL_PATTERN = r"^http://127\.0\.0\.1:\d+/sns/"
    return fake


def _address(tenant: TenantFixture, key: str = SIGNING_KEY, api_key: str = "") -> str:
    """A support address with the provider's keys; its URL token."""
    address = make_address(tenant)
    with tenant.active():
        update_address(address, by=None, inbound_signing_key=key, inbound_api_key=api_key)
        return inbound_token(address)


def _path(token: str, slug: str) -> str:
    return f"/service/mail/inbound/{token}/{slug}/"


def _basic(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(basic_auth_credential(token).encode()).decode()}


def _wrong_basic() -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"relata:guessed").decode()}


def _opened(tenant: TenantFixture, subject: str) -> None:
    with tenant.active():
        assert Case.objects.get().subject == subject


def _nothing(tenant: TenantFixture) -> None:
    with tenant.active():
        assert not Case.objects.exists()
        assert not InboundMail.objects.exists()


def _post_json(tenant: TenantFixture, path: str, body: str, **extra: str) -> Any:
    return tenant.client(None).post(path, body, content_type="application/json", **extra)


def _check_basic_auth_provider(tenant: TenantFixture, slug: str, body: str, subject: str) -> None:
    token = _address(tenant)
    path = _path(token, slug)

    unsigned = _post_json(tenant, path, body)
    wrong = _post_json(tenant, path, body, **_wrong_basic())
    _nothing(tenant)
    response = _post_json(tenant, path, body, **_basic(token))

    assert unsigned.status_code == 401
    assert unsigned["WWW-Authenticate"].startswith("Basic")
    assert wrong.status_code == 403
    assert "signature" in wrong.json()["errors"]
    assert response.status_code == 200, response.content
    assert response.json() == {"outcome": "opened"}
    _opened(tenant, subject)


def test_postmark(alpha: TenantFixture):
    mail = customer_mail(subject="Through Postmark")
    payload = {
        "FromFull": {"Email": "carla@customer-co.example", "Name": "Carla Customer"},
        "Headers": [{"Name": "Return-Path", "Value": "<carla@customer-co.example>"}],
        "RawEmail": mail.as_string(),
        "MessageID": "22c74902-a0c1-4511-804f-341342852c90",
    }
    _check_basic_auth_provider(alpha, "postmark", json.dumps(payload), "Through Postmark")


def test_mailjet(alpha: TenantFixture):
    mail = customer_mail(subject="Through Mailjet")
    payload = {
        "Sender": "carla@customer-co.example",
        "Recipient": "help@acme-support.example",
        "From": str(mail["From"]),
        "Subject": "Through Mailjet",
        "Headers": {name: str(value) for name, value in mail.items() if name != "Content-Type"},
        "Parts": [{"Headers": {"Content-Type": "text/plain; charset=utf-8"}, "ContentRef": "Text-part"}],
        "Text-part": "It blinks red since Monday.",
        "SpamAssassinScore": "0.1",
    }
    _check_basic_auth_provider(alpha, "mailjet", json.dumps(payload), "Through Mailjet")


def test_sparkpost(alpha: TenantFixture):
    mail = customer_mail(subject="Through SparkPost")
    relay = {
        "content": {"email_rfc822": mail.as_string(), "email_rfc822_is_base64": False, "subject": "Through SparkPost"},
        "customer_id": "1337",
        "friendly_from": "carla@customer-co.example",
        "msg_from": "carla@customer-co.example",
        "rcpt_to": "help@acme-support.example",
        "webhook_id": "4839201967643219",
        "protocol": "smtp",
    }
    payload = [{"msys": {"relay_message": relay}}]
    _check_basic_auth_provider(alpha, "sparkpost", json.dumps(payload), "Through SparkPost")


def test_brevo_with_an_attachment_fetched_by_the_api_key(alpha: TenantFixture, provider_urls: FakeProviders):
    provider_urls.files["tok-1"] = b"%PDF-1.4 the invoice"
    mail = customer_mail(subject="Through Brevo")
    item = {
        "Uuid": ["5ab4e56a-bf39-4d6e-8e0c-6bd0b7b7f7a1"],
        "MessageId": str(mail["Message-ID"]),
        "Headers": {name: str(value) for name, value in mail.items() if name != "Content-Type"},
        "RawTextBody": "It blinks red since Monday.",
        "RawHtmlBody": "",
        "Attachments": [
            {
                "Name": "invoice.pdf",
                "ContentType": "application/pdf",
                "ContentLength": 20,
                "ContentID": None,
                "DownloadToken": "tok-1",
            }
        ],
    }
    body = json.dumps({"items": [item]})
    token = _address(alpha, api_key=API_KEY)

    assert _post_json(alpha, _path(token, "brevo"), body).status_code == 401
    response = _post_json(alpha, _path(token, "brevo"), body, **_basic(token))

    assert response.status_code == 200, response.content
    _opened(alpha, "Through Brevo")
    with alpha.active():
        assert [a.name for a in Case.objects.get().messages.get().attachments.all()] == ["invoice.pdf"]


def test_sendgrid_raw_mime(alpha: TenantFixture):
    mail = customer_mail(subject="Through SendGrid")
    token = _address(alpha)
    form = {
        "email": mail.as_string(),
        "to": "help@acme-support.example",
        "from": str(mail["From"]),
        "envelope": json.dumps({"to": ["help@acme-support.example"], "from": "carla@customer-co.example"}),
        "charsets": json.dumps({"to": "UTF-8", "from": "UTF-8", "subject": "UTF-8"}),
        "spam_score": "0.1",
    }

    unsigned = alpha.client(None).post(_path(token, "sendgrid"), form)
    wrong = alpha.client(None).post(_path(token, "sendgrid"), form, **_wrong_basic())
    response = alpha.client(None).post(_path(token, "sendgrid"), form, **_basic(token))

    assert (unsigned.status_code, wrong.status_code, response.status_code) == (401, 403, 200)
    _opened(alpha, "Through SendGrid")


def test_mailgun_signed_with_the_addresss_key(alpha: TenantFixture):
    mail = customer_mail(subject="Through Mailgun")
    token = _address(alpha)
    stamp, nonce = str(int(time.time())), "6b1bd8b1d6c7a1c07a4d2e6c2c0ed95fd4f5a5f8b3b0f1a9e2"
    signature = hmac.new(SIGNING_KEY.encode(), f"{stamp}{nonce}".encode(), hashlib.sha256).hexdigest()
    form = {
        "body-mime": mail.as_string(),
        "recipient": "help@acme-support.example",
        "sender": "carla@customer-co.example",
        "timestamp": stamp,
        "token": nonce,
    }

    unsigned = alpha.client(None).post(_path(token, "mailgun"), form)
    forged = alpha.client(None).post(_path(token, "mailgun"), {**form, "signature": "0" * 64})
    response = alpha.client(None).post(_path(token, "mailgun"), {**form, "signature": signature})

    assert (unsigned.status_code, forged.status_code, response.status_code) == (403, 403, 200)
    _opened(alpha, "Through Mailgun")


def test_mandrill_signed_over_the_url_and_fields(alpha: TenantFixture):
    mail = customer_mail(subject="Through Mandrill")
    token = _address(alpha)
    path = _path(token, "mandrill")
    events = json.dumps(
        [
            {
                "event": "inbound",
                "ts": int(time.time()),
                "msg": {
                    "raw_msg": mail.as_string(),
                    "email": "help@acme-support.example",
                    "from_email": "carla@customer-co.example",
                    "subject": "Through Mandrill",
                },
            }
        ]
    )
    signed = f"http://{alpha.host}{path}mandrill_events{events}"
    signature = base64.b64encode(hmac.new(SIGNING_KEY.encode(), signed.encode(), hashlib.sha1).digest()).decode()

    unsigned = alpha.client(None).post(path, {"mandrill_events": events})
    response = alpha.client(None).post(path, {"mandrill_events": events}, HTTP_X_MANDRILL_SIGNATURE=signature)

    assert (unsigned.status_code, response.status_code) == (403, 200)
    _opened(alpha, "Through Mandrill")


def test_mailersend_signed_body(alpha: TenantFixture):
    mail = customer_mail(subject="Through MailerSend")
    token = _address(alpha)
    body = json.dumps(
        {
            "type": "inbound.message",
            "inbound_id": "inb-1",
            "url": "https://example.invalid",
            "created_at": "2025-01-01T00:00:00.000000Z",
            "data": {
                "id": "msg-1",
                "raw": mail.as_string(),
                "sender": {"email": "carla@customer-co.example"},
                "recipients": {"rcptTo": [{"email": "help@acme-support.example"}]},
            },
        }
    )
    signature = hmac.new(SIGNING_KEY.encode(), body.encode(), hashlib.sha256).hexdigest()

    unsigned = _post_json(alpha, _path(token, "mailersend"), body)
    forged = _post_json(alpha, _path(token, "mailersend"), body, HTTP_SIGNATURE="f" * 64)
    response = _post_json(alpha, _path(token, "mailersend"), body, HTTP_SIGNATURE=signature)

    assert (unsigned.status_code, forged.status_code, response.status_code) == (403, 403, 200)
    _opened(alpha, "Through MailerSend")


def test_postal_signed_with_its_private_key(alpha: TenantFixture):
    private, public = postal_keys()
    mail = customer_mail(subject="Through Postal")
    token = _address(alpha, key=public)
    body = json.dumps(
        {
            "id": 12345,
            "rcpt_to": "help@acme-support.example",
            "mail_from": "carla@customer-co.example",
            "token": "abcdef",
            "subject": "Through Postal",
            "message": base64.b64encode(mail.as_bytes()).decode(),
            "base64": True,
            "size": 812,
        }
    )
    signature = base64.b64encode(private.sign(body.encode(), padding.PKCS1v15(), hashes.SHA1())).decode()  # noqa: S303  # Postal's scheme

    unsigned = _post_json(alpha, _path(token, "postal"), body)
    forged = _post_json(
        alpha, _path(token, "postal"), body, HTTP_X_POSTAL_SIGNATURE=base64.b64encode(b"x" * 256).decode()
    )
    response = _post_json(alpha, _path(token, "postal"), body, HTTP_X_POSTAL_SIGNATURE=signature)

    assert (unsigned.status_code, forged.status_code, response.status_code) == (403, 403, 200)
    _opened(alpha, "Through Postal")


def _svix(body: str, secret: str = SVIX_SECRET, stamp: int | None = None) -> dict[str, str]:
    stamp = int(time.time()) if stamp is None else stamp
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"msg_2Lh9KRb0pzN4LePd3XiA0r7u.{stamp}.{body}".encode(), hashlib.sha256).digest()
    return {
        "HTTP_SVIX_ID": "msg_2Lh9KRb0pzN4LePd3XiA0r7u",
        "HTTP_SVIX_TIMESTAMP": str(stamp),
        "HTTP_SVIX_SIGNATURE": "v1," + base64.b64encode(digest).decode(),
    }


def test_resend_svix_signed_and_fetched_by_the_api_key(alpha: TenantFixture, provider_urls: FakeProviders):
    mail = customer_mail(subject="Through Resend")
    provider_urls.raw["4ef9a417-02e9-4d39-ad75-9611e0fcc33c"] = mail.as_bytes()
    token = _address(alpha, key=SVIX_SECRET, api_key=API_KEY)
    body = json.dumps(
        {
            "type": "email.received",
            "created_at": "2025-01-01T00:00:00.000Z",
            "data": {
                "email_id": "4ef9a417-02e9-4d39-ad75-9611e0fcc33c",
                "from": "carla@customer-co.example",
                "to": ["help@acme-support.example"],
                "subject": "Through Resend",
            },
        }
    )

    unsigned = _post_json(alpha, _path(token, "resend"), body)
    stale = _post_json(alpha, _path(token, "resend"), body, **_svix(body, stamp=int(time.time()) - 3600))
    other_secret = _post_json(alpha, _path(token, "resend"), body, **_svix(body, secret="whsec_" + "QUJD" * 8))
    _nothing(alpha)
    response = _post_json(alpha, _path(token, "resend"), body, **_svix(body))

    assert (unsigned.status_code, stale.status_code, other_secret.status_code) == (403, 403, 403)
    assert response.status_code == 200, response.content
    _opened(alpha, "Through Resend")
    assert provider_urls.unauthorised == 0


def test_mailtrap_signed_and_fetched_by_the_api_token(alpha: TenantFixture, provider_urls: FakeProviders):
    mail = customer_mail(subject="Through Mailtrap")
    provider_urls.raw["9cf3a2"] = mail.as_bytes()
    token = _address(alpha, api_key=API_KEY)
    body = json.dumps(
        {
            "events": [
                {
                    "event": "inbound.message_received",
                    "inbox_id": 4242,
                    "message_id": "9cf3a2",
                    "timestamp": int(time.time() * 1000),
                }
            ]
        }
    )
    signature = hmac.new(SIGNING_KEY.encode(), body.encode(), hashlib.sha256).hexdigest()

    unsigned = _post_json(alpha, _path(token, "mailtrap"), body)
    response = _post_json(alpha, _path(token, "mailtrap"), body, HTTP_MAILTRAP_SIGNATURE=signature)

    assert (unsigned.status_code, response.status_code) == (403, 200)
    _opened(alpha, "Through Mailtrap")


def _ses_notification(raw: bytes, cert_url: str) -> dict[str, Any]:
    ses = {
        "notificationType": "Received",
        "mail": {"source": "carla@customer-co.example"},
        "receipt": {
            "action": {"type": "SNS", "topicArn": "arn:aws:sns:eu-west-1:123456789012:inbound", "encoding": "BASE64"}
        },
        "content": base64.b64encode(raw).decode(),
    }
    message = {
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": "arn:aws:sns:eu-west-1:123456789012:inbound",
        "Subject": "Amazon SES Email Receipt Notification",
        "Message": json.dumps(ses),
        "Timestamp": "2025-01-01T00:00:00.000Z",
    }
    return sns_sign(message, cert_url)


def test_amazon_ses_through_sns_signed_by_aws(alpha: TenantFixture, provider_urls: FakeProviders):
    mail = customer_mail(subject="Through Amazon SES")
    token = _address(alpha)
    path = _path(token, "amazon-ses")
    signed = _ses_notification(mail.as_bytes(), f"{provider_urls.url}/sns/cert.pem")
    headers = {"HTTP_X_AMZ_SNS_MESSAGE_TYPE": "Notification", **_basic(token)}
    tampered = {**signed, "Message": signed["Message"].replace("Received", "Received ")}
    foreign_cert = sns_sign({k: v for k, v in signed.items() if k != "Signature"}, "https://attacker.example/cert.pem")

    challenge = _post_json(alpha, path, json.dumps(signed), HTTP_X_AMZ_SNS_MESSAGE_TYPE="Notification")
    refused = [_post_json(alpha, path, json.dumps(body), **headers).status_code for body in (tampered, foreign_cert)]
    _nothing(alpha)
    response = _post_json(alpha, path, json.dumps(signed), **headers)

    assert challenge.status_code == 401
    assert refused == [403, 403]
    assert response.status_code == 200, response.content
    _opened(alpha, "Through Amazon SES")


def test_amazon_sns_subscription_is_confirmed_only_when_signed(alpha: TenantFixture, provider_urls: FakeProviders):
    token = _address(alpha)
    message = {
        "Type": "SubscriptionConfirmation",
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": "2336412f37",
        "TopicArn": "arn:aws:sns:eu-west-1:123456789012:inbound",
        "Message": "You have chosen to subscribe to the topic.",
        "Timestamp": "2025-01-01T00:00:00.000Z",
        "SubscribeURL": f"{provider_urls.url}/sns/confirm?Action=ConfirmSubscription&Token=2336412f37",
    }
    signed = sns_sign(message, f"{provider_urls.url}/sns/cert.pem")
    headers = {"HTTP_X_AMZ_SNS_MESSAGE_TYPE": "SubscriptionConfirmation", **_basic(token)}

    forged = _post_json(alpha, _path(token, "amazon-ses"), json.dumps({**signed, "Token": "other"}), **headers)
    assert forged.status_code == 403
    assert provider_urls.confirmed == []
    response = _post_json(alpha, _path(token, "amazon-ses"), json.dumps(signed), **headers)

    assert response.json() == {"outcome": "subscribed"}
    assert len(provider_urls.confirmed) == 1


def test_another_workspace_or_no_key_takes_nothing(alpha: TenantFixture, beta: TenantFixture):
    mail = customer_mail(subject="Through Mailgun")
    address = make_address(alpha)  # no signing key stored
    with alpha.active():
        token = inbound_token(address)
    stamp, nonce = str(int(time.time())), "nonce"
    form = {
        "body-mime": mail.as_string(),
        "timestamp": stamp,
        "token": nonce,
        "signature": hmac.new(SIGNING_KEY.encode(), f"{stamp}{nonce}".encode(), hashlib.sha256).hexdigest(),
    }
    before = schema_snapshot(beta.tenant)

    no_key = alpha.client(None).post(_path(token, "mailgun"), form)
    on_beta = beta.client(None).post(_path(token, "postmark"), "{}", content_type="application/json", **_basic(token))

    assert no_key.status_code == 403
    assert on_beta.status_code == 404
    assert schema_snapshot(beta.tenant) == before
    _nothing(alpha)


def test_a_signed_body_that_is_not_an_inbound_message_is_refused_naming_the_body(alpha: TenantFixture):
    token = _address(alpha)
    for body in ("not json", json.dumps({"RecordType": "Bounce"}), json.dumps([1, 2])):
        response = _post_json(alpha, _path(token, "postmark"), body, **_basic(token))
        assert response.status_code == 400, body
        assert "body" in response.json()["errors"]
    _nothing(alpha)
