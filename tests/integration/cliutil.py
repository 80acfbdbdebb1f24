# SPDX-License-Identifier: Apache-2.0
"""
Helpers for the `ballast` CLI tests (tests/integration/test_cli_*.py): run
build/ballast (next to BALLASTD) against an ApiBallastd, and normalise the
parts of its output that vary between runs (ids, timestamps, VIP ports) so
whole tables and documents can be compared with golden text.
"""
import os
import re
import subprocess

from conftest import BALLASTD, scaled

BALLAST = os.path.join(os.path.dirname(BALLASTD), "ballast")
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIME_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
# Names of the environment that would point the client elsewhere.
FOREIGN_ENV = ("OS_CLOUD", "OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_TOKEN", "OS_ENDPOINT",
               "OS_AUTH_TYPE", "OS_PROJECT_NAME", "OS_PROJECT_ID", "BALLAST_URL", "BALLAST_TOKEN",
               "OS_CLIENT_CONFIG_FILE")


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_ENV}
    env.update(extra)
    return env


class Result:
    def __init__(self, p):
        self.rc = p.returncode
        self.out = p.stdout
        self.err = p.stderr

    def __repr__(self):
        return f"<rc={self.rc} out={self.out!r} err={self.err!r}>"


def ballast(server, *args, env=None, ok=True, cwd=None, timeout=30):
    """Runs build/ballast with --os-url pointing at `server` (None: no URL given)."""
    argv = [BALLAST, *args]
    if server is not None:
        argv[1:1] = ["--os-url", f"http://127.0.0.1:{server.port}"]
    p = subprocess.run(argv, env=env or clean_env(), capture_output=True, text=True,
                       timeout=scaled(timeout), cwd=cwd)
    r = Result(p)
    if ok:
        assert r.rc == 0, f"ballast {' '.join(args)}: {r}"
    return r


def normalise(text, ids=None):
    """Each distinct id becomes 00000000-0000-0000-0000-00000000000N in order of
    first appearance (or the UUID `ids` maps it to), each timestamp
    2000-01-01T00:00:00: same widths, so golden tables keep their alignment."""
    names = dict(ids or {})

    def uid(m):
        if m.group(0) not in names:
            names[m.group(0)] = f"00000000-0000-0000-0000-{len(names) + 1:012d}"
        return names[m.group(0)]

    return TIME_RE.sub("2000-01-01T00:00:00", UUID_RE.sub(uid, text))


def table_rows(text):
    """The cells of a cliff table, as lists of stripped strings (header first)."""
    return [[c.strip() for c in line.strip("|").split("|")]
            for line in text.splitlines() if line.startswith("|")]
