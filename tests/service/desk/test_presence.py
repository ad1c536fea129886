"""The collision warning: an agent's heartbeat says they are replying, colleagues polling the case
see their name until the heartbeats stop (a short TTL) or the agent says they stopped."""

from __future__ import annotations

import time

from modules.service.desk.services import presence
from tests.service.conftest import make_case
from tests.tenancy import REP_EMAIL, TenantFixture, grant


def test_a_colleague_sees_who_is_replying_and_the_writer_does_not_see_themself(alpha: TenantFixture) -> None:
    case = make_case(alpha, contact=None)
    grant(alpha, "sales_rep", "service.view", "service.change")
    with alpha.active():
        admin = alpha.user()
        admin.full_name = "Ada Admin"
        admin.save(update_fields=["full_name"])
    url = f"/service/desk/cases/{case.pk}/replying/"
    writer, colleague = alpha.client(), alpha.client(REP_EMAIL)

    before = colleague.get(url).json()
    beat = writer.post(url, {"typing": "1"})
    during = colleague.get(url).json()
    own_view = writer.get(url).json()
    writer.post(url, {"typing": "0"})
    after = colleague.get(url).json()

    assert before == {"replying": []}
    assert beat.status_code == 200
    assert during == {"replying": ["Ada Admin"]}
    assert own_view == {"replying": []}
    assert after == {"replying": []}


def test_an_entry_expires_without_heartbeats(alpha: TenantFixture, monkeypatch) -> None:
    case = make_case(alpha, contact=None)
    with alpha.active():
        presence.mark_replying(case, alpha.user())
        later = time.time() + presence.TTL + 1
        monkeypatch.setattr(presence.time, "time", lambda: later)

        assert presence.replying(case) == []


def test_bad_input_and_the_wrong_tenant_or_role_are_refused(alpha: TenantFixture, beta: TenantFixture) -> None:
    case = make_case(alpha, contact=None)
    url = f"/service/desk/cases/{case.pk}/replying/"

    bad = alpha.client().post(url, {"typing": "\x00"})
    rep = alpha.client(REP_EMAIL).post(url, {"typing": "1"})
    intruder = beta.client().post(url, {"typing": "1"})
    with alpha.active():
        nobody = presence.replying(case)

    assert (bad.status_code, list(bad.json()["errors"])) == (400, ["typing"])
    assert rep.status_code == 403
    assert intruder.status_code == 404
    assert nobody == []
