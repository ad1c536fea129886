from tests.imap_server import imap_server  # noqa: F401
from tests.mail_server import smtp_server  # noqa: F401
