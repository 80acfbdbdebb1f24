# SPDX-License-Identifier: Apache-2.0
"""TLS configuration through the real ballastd in file mode: certificate refs
(paths, ids under --certs), a certificate that cannot be read refuses the start
or the reload (the running configuration stays), replacing a certificate file
is picked up by a reload. The handshakes themselves are in tests/unit/net."""
import os
import shutil

import pytest

from conftest import free_port, lb_config, listener, pool
from tlsutil import make_certs


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_certs(tmp_path_factory.mktemp("certs"))


def tls_config(port, member_port, **tls):
    fields = {"default_tls_container_ref": "default"}
    fields.update(tls)
    p = pool([member_port], protocol="HTTP")
    return lb_config([listener(port, p, protocol="TERMINATED_HTTPS", **fields)])


def test_start_with_ids_from_certs_dir(ballastd, certs):
    port = free_port()
    cfg = tls_config(port, free_port(), sni_container_refs=["sni_a", "sni_wild"],
                     client_authentication="OPTIONAL", client_ca_tls_container_ref=certs.ca,
                     client_crl_container_ref="https://barbican.example/v1/secrets/crl")
    # certs.crl is crl.pem: the URL's last segment "crl" names it in --certs.
    bd = ballastd(cfg, extra_args=("--certs", certs.dir))
    assert bd.stats()["generation"] == 1


def test_missing_certificate_refuses_start(ballastd, certs):
    bd = ballastd(tls_config(free_port(), free_port(), default_tls_container_ref="nothere"),
                  start=False, extra_args=("--certs", certs.dir))
    assert bd.wait_exit(timeout=5.0) != 0
    errors = bd.log_lines("error")
    assert len(errors) == 1, bd.log()
    assert "loadbalancer.listeners[0].default_tls_container_ref: 'nothere': " in errors[0]
    assert os.path.join(certs.dir, "nothere.pem") in errors[0], errors[0]


def test_bad_certificate_on_reload_keeps_running_config(ballastd, certs):
    port, mport = free_port(), free_port()
    bd = ballastd(tls_config(port, mport), extra_args=("--certs", certs.dir))
    ans = bd.reload(tls_config(port, mport, default_tls_container_ref=certs.ca))
    assert ans["ok"] is False, ans
    assert f"default_tls_container_ref: '{certs.ca}': " in ans["error"], ans
    assert "no private key" in ans["error"], ans
    assert bd.stats()["generation"] == 1


def test_relative_paths_resolve_against_the_config_file(ballastd, certs):
    port, mport = free_port(), free_port()
    bd = ballastd(tls_config(port, mport), extra_args=("--certs", certs.dir))
    # A path ref is relative to lb.json's directory: copy the PEM there.
    shutil.copy(certs.sni_a, os.path.join(bd.workdir, "site.pem"))
    ans = bd.reload(tls_config(port, mport, default_tls_container_ref="site.pem"))
    assert ans["ok"] is True, ans
    # Replacing the file and reloading builds a new context from it.
    shutil.copy(certs.ca, os.path.join(bd.workdir, "site.pem"))
    ans = bd.reload()
    assert ans["ok"] is False and "site.pem" in ans["error"], ans
    shutil.copy(certs.default, os.path.join(bd.workdir, "site.pem"))
    assert bd.reload()["ok"] is True
    assert bd.stats()["generation"] == 3


def test_terminated_https_needs_a_certificate(ballastd):
    cfg = lb_config([listener(free_port(), pool([free_port()], protocol="HTTP"),
                              protocol="TERMINATED_HTTPS")])
    bd = ballastd(cfg, start=False)
    assert bd.wait_exit(timeout=5.0) != 0
    assert "An SNI or default certificate container reference must be provided for " \
           "TERMINATED_HTTPS protocol listeners." in bd.log()
