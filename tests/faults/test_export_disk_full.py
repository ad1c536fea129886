"""The disk fills up while an export's file is written: the job fails with a reason the user can
act on, and no file, whole or partial, is kept or offered for download.

A full disk is simulated at the storage write (mounting a tiny tmpfs needs privileges the test
machines do not give): the export storage writes the first chunk of the file, then the next
write fails with ``OSError(ENOSPC)`` as a full file system answers, leaving a partial file."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any
from unittest import mock

from django.core.files.storage import FileSystemStorage

from modules.dataio.exports import services
from modules.dataio.exports.choices import DISK_FULL_ERROR
from modules.dataio.exports.models import ExportJob
from modules.dataio.exports.storage import export_root
from tests.factories import CompanyFactory
from tests.tenancy import TenantFixture


class FillingStorage(FileSystemStorage):
    """Writes a file's first chunk, then finds the disk full."""

    def _save(self, name: str, content: Any) -> str:
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as partial:
            partial.write(next(iter(content.chunks(chunk_size=16))))
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_disk_full_export_fails_clearly_and_leaves_nothing_to_download(
    alpha: TenantFixture, settings: Any, tmp_path: Path
) -> None:
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.EXPORT_SYNC_ROWS = 1
    with alpha.active():
        for index in range(3):
            CompanyFactory(name=f"Disk full {index}")
    client = alpha.client()
    assert client.get("/exports/list/company/csv/?q=Disk+full").status_code == 302
    with alpha.active():
        job = ExportJob.objects.get(entity="company", query="q=Disk+full")
        full = FillingStorage(location=export_root(), base_url=None)
        with mock.patch.object(services, "private_storage", return_value=full):
            assert services.run_export(job.pk) is None
        job.refresh_from_db()

    assert (job.status, job.error, job.file_path, job.file_size) == ("failed", DISK_FULL_ERROR, "", 0)
    assert [path for path in export_root().rglob("*") if path.is_file()] == []  # the partial file is gone
    page = client.get(f"/exports/{job.pk}/")
    assert "The server ran out of disk space while writing this export" in page.content.decode()
    assert 'data-testid="export-download"' not in page.content.decode()
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404
    # A run delivered again does not retry a failed job behind the user's back.
    with alpha.active():
        assert services.run_export(job.pk) is None
        job.refresh_from_db()
    assert job.status == "failed"


def test_only_a_full_disk_or_quota_is_recorded_as_running_out_of_space() -> None:
    assert services.failure_reason(OSError(errno.EIO, "I/O error")) == "[Errno 5] I/O error"
    assert services.failure_reason(OSError(errno.EDQUOT, "Disk quota exceeded")) == DISK_FULL_ERROR
