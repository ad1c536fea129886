"""The production static pipeline: `make run` and deployments run collectstatic with whitenoise's
manifest storage, which refuses a file that points at a missing one (a source map, a font)."""

from pathlib import Path

from django.core.management import call_command
from django.test import override_settings
from whitenoise.compress import Compressor

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Compressing every script and source map (gzip and brotli) was most of this test's time; the
# stylesheets are still compressed, which is enough to see the compression step run.
SKIP_COMPRESS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "js", "map")


def test_collectstatic_with_the_production_storage_succeeds(tmp_path: Path) -> None:
    with override_settings(
        STATIC_ROOT=tmp_path, STORAGES=PRODUCTION_STORAGES, WHITENOISE_SKIP_COMPRESS_EXTENSIONS=SKIP_COMPRESS
    ):
        call_command("collectstatic", "--noinput", verbosity=0)

    manifest = (tmp_path / "staticfiles.json").read_text()
    for asset in (
        "vendor/tabler.min.css",
        "vendor/chart.umd.min.js",
        "vendor/fullcalendar.min.js",
        "vendor/sortable.min.js",
        "css/relata.css",
    ):
        assert f'"{asset}"' in manifest
    assert list(tmp_path.glob("css/relata.*.css.gz")), "the stylesheets are compressed"
