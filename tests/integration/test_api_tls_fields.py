# SPDX-License-Identifier: Apache-2.0
"""REST API: the TLS fields of listeners and pools are checked as Octavia
checks them (messages taken from the real Octavia API), and a tls_enabled pool
gets Octavia's defaults. The no-op provider is used; the ballast provider
refuses a TERMINATED_HTTPS listener whose certificate its store cannot read."""
import pytest

from apiutil import LISTENERS, POOLS, assert_fault, create_lb, free_port
from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)

DEFAULT_CIPHERS = (
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:"
    "DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-SHA256:DHE-RSA-AES128-SHA256:"
    "ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256")


@pytest.fixture
def lb(api):
    return create_lb(api, provider="noop_driver", vip_subnet_id="11111111-1111-1111-1111-111111111111")


def listener(api, lb, **kw):
    body = {"loadbalancer_id": lb["id"], "protocol": "HTTP", "protocol_port": free_port()}
    body.update(kw)
    return api.post(LISTENERS, {"listener": body})


def pool(api, lb, **kw):
    body = {"loadbalancer_id": lb["id"], "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}
    body.update(kw)
    return api.post(POOLS, {"pool": body})


LISTENER_CASES = [
    (dict(protocol="HTTP", default_tls_container_ref="x"),
     "Validation failure: Certificate container references are not allowed on HTTP protocol "
     "listeners."),
    (dict(protocol="UDP", default_tls_container_ref="x"),
     "Validation failure: UDP protocol listener does not support TLS."),
    (dict(protocol="HTTP", client_authentication="MANDATORY"),
     "Validation failure: Client authentication setting MANDATORY requires a client CA "
     "container reference."),
    (dict(protocol="TERMINATED_HTTPS", default_tls_container_ref="x",
          client_crl_container_ref="c"),
     "Validation failure: A client authentication CA reference is required to specify a client "
     "authentication revocation list."),
    (dict(protocol="HTTP", tls_ciphers="A B"),
     "Validation failure: Invalid characters in cipher string. Only alphanumeric, -, +, !, :, "
     "@, =, _, and . are allowed."),
    (dict(protocol="HTTP", alpn_protocols=["h3", "x"]),
     "Invalid input for field/attribute alpn_protocols. Value: '['h3', 'x']'. Value should be a "
     "valid ALPN protocol ID"),
    (dict(protocol="TERMINATED_HTTPS"),
     "Validation failure: An SNI or default certificate container reference must be provided "
     "for TERMINATED_HTTPS protocol listeners."),
    (dict(protocol="TERMINATED_HTTPS", default_tls_container_ref="x", tls_versions=[]),
     "Validation failure: Empty TLS version list. Either specify at least one TLS version or "
     "remove this parameter to use the default."),
]


@pytest.mark.parametrize("kw,message", LISTENER_CASES)
def test_listener_tls_checks(api, lb, kw, message):
    assert_fault(listener(api, lb, **kw), 400, message)


def test_terminated_https_gets_octavia_defaults(api, lb):
    r = listener(api, lb, protocol="TERMINATED_HTTPS", default_tls_container_ref="web")
    assert r.status == 201, r
    l = r.body["listener"]
    assert (l["tls_ciphers"], l["tls_versions"], l["alpn_protocols"]) == \
        (DEFAULT_CIPHERS, ["TLSv1.2", "TLSv1.3"], ["h2", "http/1.1", "http/1.0"])


def test_ballast_provider_refuses_a_certificate_it_cannot_read(api):
    lb = create_lb(api)
    r = listener(api, lb, protocol="TERMINATED_HTTPS", default_tls_container_ref="web")
    assert r.status == 400, r
    assert "default_tls_container_ref: 'web'" in r.body["faultstring"], r
    assert "No such file" in r.body["faultstring"], r


POOL_CASES = [
    (dict(crl_container_ref="c"),
     "Validation failure: A CA certificate reference is required to specify a revocation list."),
    (dict(tls_enabled=True, tls_versions=["TLSv9"]),
     "Validation failure: Invalid TLS versions: TLSv9"),
    (dict(tls_enabled=True, alpn_protocols=[]),
     "Validation failure: Empty ALPN protocol list. Either specify at least one ALPN protocol "
     "or remove this parameter to use the default."),
]


@pytest.mark.parametrize("kw,message", POOL_CASES)
def test_pool_tls_checks(api, lb, kw, message):
    assert_fault(pool(api, lb, **kw), 400, message)


def test_tls_pool_gets_octavia_defaults(api, lb):
    r = pool(api, lb, tls_enabled=True)
    assert r.status == 201, r
    p = r.body["pool"]
    assert (p["tls_ciphers"], p["tls_versions"], p["alpn_protocols"]) == \
        (DEFAULT_CIPHERS, ["TLSv1.2", "TLSv1.3"], ["h2", "http/1.1", "http/1.0"])
