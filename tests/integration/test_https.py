# SPDX-License-Identifier: Apache-2.0
"""TERMINATED_HTTPS through the real ballastd: TLS with SNI picking the right
certificate, X-Forwarded-Proto and X-SSL-* headers, mTLS (MANDATORY refuses a
client without certificate, OPTIONAL lets it in), L7 rules on the client
certificate, re-encryption to members (pool tls_enabled) verified against a CA,
keep-alive and a certificate replaced by a reload without dropping a connection."""
import json
import shutil
import socket
import ssl

import pytest

from conftest import VIP, free_port, lb_config, listener, pool
from httputil import http_member_fixture  # noqa: F401  (fixture)
from httputil import http_config, http_request, open_pipes, pattern_body, read_response
from tlsutil import client_context, make_certs, peer_common_name


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_certs(tmp_path_factory.mktemp("certs"))


def https_config(port, members, certs, pool_kw=None, **tls):
    fields = {"default_tls_container_ref": certs.default}
    fields.update(tls)
    p = pool(members, protocol="HTTP", **(pool_kw or {}))
    return lb_config([listener(port, p, protocol="TERMINATED_HTTPS", **fields)])


def tls_connect(port, certs, server_name="www.example.com", cert=None, check_name=True):
    ctx = client_context(certs, cert=cert)
    ctx.check_hostname = check_name
    raw = socket.create_connection((VIP, port), timeout=5)
    return ctx.wrap_socket(raw, server_hostname=server_name)


def request(s, target="/", headers=None):
    h = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    s.sendall(f"GET {target} HTTP/1.1\r\nHost: www.example.com\r\n{h}\r\n".encode())
    status, hdrs, body = read_response(s)
    return status, hdrs, json.loads(body) if body.startswith(b"{") else body


def _hdr(report, name):
    return [v for k, v in report["headers"] if k.lower() == name.lower()]


def test_https_terminates_and_forwards_with_sni(ballastd, http_member, certs):
    m = http_member()
    port = free_port()
    ballastd(https_config(port, [m], certs, sni_container_refs=[certs.sni_a, certs.sni_wild],
                          insert_headers={"X-Forwarded-Proto": "true",
                                          "X-Forwarded-Port": "true"}))
    for name, cn in [("www.example.com", "www.example.com"), ("a.example.com", "a.example.com"),
                     ("x.wild.example.com", "*.wild.example.com"),
                     ("unknown.example.org", "www.example.com")]:
        # a name no certificate has gets the default one (its name cannot match)
        s = tls_connect(port, certs, server_name=name, check_name=name != "unknown.example.org")
        assert peer_common_name(s) == cn, name
        status, _, r = request(s)
        assert status == 200 and _hdr(r, "X-Forwarded-Proto") == ["https"]
        assert _hdr(r, "X-Forwarded-Port") == [str(port)]
        s.close()


def test_keep_alive_over_tls_and_many_requests(ballastd, http_member, certs):
    a, b = http_member(name="a"), http_member(name="b")
    port = free_port()
    ballastd(https_config(port, [a, b], certs))
    s = tls_connect(port, certs)
    names = [request(s, f"/{i}")[2]["member"] for i in range(6)]
    assert sorted(names) == ["a"] * 3 + ["b"] * 3
    # a body bigger than one TLS record and one buffer
    s.sendall(b"GET /big/200000 HTTP/1.1\r\nHost: x\r\n\r\n")
    status, _, body = read_response(s)
    assert status == 200 and body == b"x" * 200000
    s.close()


def test_large_bodies_over_tls_are_copied_not_spliced(ballastd, http_member, certs):
    # TLS on the client side: records must be decrypted, so no pipe may carry the bytes.
    m = http_member()
    port = free_port()
    b = ballastd(https_config(port, [m], certs), workers=1)
    pipes = open_pipes(b.proc.pid)
    s = tls_connect(port, certs)
    s.sendall(b"GET /pattern/700000 HTTP/1.1\r\nHost: x\r\n\r\n")
    status, _, body = read_response(s)
    assert status == 200 and body == pattern_body(700000)
    s.sendall(b"POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 300000\r\n\r\n"
              + pattern_body(300000))
    assert read_response(s)[0] == 200
    s.close()
    assert m.requests[-1]["body"].encode("latin-1") == pattern_body(300000)
    assert open_pipes(b.proc.pid) == pipes  # no pipe was ever borrowed
    # TLS on the member side only (a plain listener, a re-encrypting pool): the same.
    tm = http_member(tls=certs.member)
    port2 = free_port()
    b2 = ballastd(http_config(port2, [tm], pool_kw={"tls_enabled": True,
                                                  "ca_tls_container_ref": certs.ca}), workers=1)
    pipes2 = open_pipes(b2.proc.pid)
    status, _, body, s = http_request(port2, "/pattern/700000")
    assert status == 200 and body == pattern_body(700000)
    status, _, _, s = http_request(port2, "/up", method="POST", body=pattern_body(300000), sock=s)
    s.close()
    assert status == 200 and tm.requests[-1]["body"].encode("latin-1") == pattern_body(300000)
    assert open_pipes(b2.proc.pid) == pipes2


def test_mtls_mandatory_refuses_a_client_without_certificate(ballastd, http_member, certs):
    m = http_member()
    port = free_port()
    ballastd(https_config(port, [m], certs, client_authentication="MANDATORY",
                          client_ca_tls_container_ref=certs.ca,
                          insert_headers={"X-SSL-Client-CN": "true",
                                          "X-SSL-Client-Verify": "true",
                                          "X-SSL-Client-Has-Cert": "true"}))
    with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
        s = tls_connect(port, certs)
        request(s)  # TLS 1.3: the refusal arrives with the first read
    assert m.requests == []
    s = tls_connect(port, certs, cert=certs.client)
    status, _, r = request(s)
    s.close()
    assert status == 200
    assert _hdr(r, "X-SSL-Client-CN") == ["client-ok"]
    assert _hdr(r, "X-SSL-Client-Verify") == ["0"]
    assert _hdr(r, "X-SSL-Client-Has-Cert") == ["1"]
    # a certificate from another CA is refused too
    with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
        s = tls_connect(port, certs, cert=certs.other_client)
        request(s)


def test_mtls_optional_and_l7_rule_on_the_certificate(ballastd, http_member, certs):
    web, vip_ = http_member(name="web"), http_member(name="vip")
    port = free_port()
    pools = [pool([vip_], protocol="HTTP", name="vip")]
    ls = listener(port, pool([web], protocol="HTTP", name="web"), protocol="TERMINATED_HTTPS",
                  default_tls_container_ref=certs.default, client_authentication="OPTIONAL",
                  client_ca_tls_container_ref=certs.ca,
                  l7policies=[{"action": "REDIRECT_TO_POOL", "redirect_pool": {"name": "vip"},
                               "rules": [{"type": "SSL_DN_FIELD", "key": "CN",
                                          "compare_type": "EQUAL_TO", "value": "client-ok"}]}])
    ballastd(lb_config([ls], pools=pools))
    s = tls_connect(port, certs)
    assert request(s)[2]["member"] == "web"
    s.close()
    s = tls_connect(port, certs, cert=certs.client)
    assert request(s)[2]["member"] == "vip"
    s.close()


def test_reencryption_to_members_verified_against_the_ca(ballastd, http_member, certs):
    m = http_member(tls=certs.member)
    port = free_port()
    ballastd(https_config(port, [m], certs, pool_kw={
        "tls_enabled": True, "ca_tls_container_ref": certs.ca}))
    s = tls_connect(port, certs)
    status, _, r = request(s)
    assert status == 200 and r["member"] == m.name
    status, _, r = request(s)  # the member connection is reused, TLS and all
    s.close()
    assert m.conns == 1


def test_reencryption_refuses_a_member_the_ca_did_not_sign(ballastd, http_member, certs):
    m = http_member(tls=certs.expired)
    port = free_port()
    bd = ballastd(https_config(port, [m], certs, pool_kw={
        "tls_enabled": True, "ca_tls_container_ref": certs.ca,
        "ballast_retry_policy": {"num_retries": 0}}))
    s = tls_connect(port, certs)
    status, _, _ = request(s)
    s.close()
    assert status == 502 and m.requests == []
    assert "member TLS handshake failed" in bd.log()


def test_certificate_replaced_by_reload_keeps_open_connections(ballastd, http_member, certs,
                                                               tmp_path):
    m = http_member()
    port = free_port()
    cert = tmp_path / "site.pem"
    shutil.copy(certs.default, cert)
    cfg = https_config(port, [m], certs, default_tls_container_ref=str(cert))
    bd = ballastd(cfg)
    old = tls_connect(port, certs, server_name="www.example.com")
    assert peer_common_name(old) == "www.example.com"
    assert request(old)[0] == 200
    shutil.copy(certs.sni_a, cert)
    assert bd.reload(cfg)["ok"]
    new = tls_connect(port, certs, server_name="a.example.com")
    assert peer_common_name(new) == "a.example.com"
    assert request(old)[0] == 200, "the connection from before the reload still works"
    old.close()
    new.close()
