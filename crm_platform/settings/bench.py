"""Settings for `make bench`: local settings plus a bench-only tenant app whose migrations it times.

``loadtests.benchapp`` exists only so the fleet-migration benchmark has a real Django migration
(an ADD COLUMN) to apply across every tenant schema; no other settings module installs it.
"""

import os

from .local import *  # noqa: F403  (settings modules extend base by design)
from .local import INSTALLED_APPS, TENANT_APPS, env

TENANT_APPS = [*TENANT_APPS, "loadtests.benchapp"]
INSTALLED_APPS = [*INSTALLED_APPS, "loadtests.benchapp"]
# The multiprocessing executor runs one worker per CPU the benchmark may use (nproc).
TENANT_MULTIPROCESSING_MAX_PROCESSES = env.int("TENANT_MIGRATION_PROCESSES", default=len(os.sched_getaffinity(0)))
