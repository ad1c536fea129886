from tests.mail_server import smtp_server  # noqa: F401
