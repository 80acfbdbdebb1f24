# SPDX-License-Identifier: Apache-2.0
"""
A certificate set for TLS tests, made with the `openssl` command in a
directory (the same set tests/unit/net/test_tls.c makes with the C API):

  make_certs(dir) -> Certs with these PEM paths:
    ca           CA certificate ("ballast test CA"): trust anchor for everything below
    ca_key       its key (kept so tests can sign more)
    default      certificate + chain + key for www.example.com (a listener's default)
    sni_a        ... for a.example.com (SAN a.example.com, alt.example.com)
    sni_wild     ... for *.wild.example.com
    member       ... for member.example.com and 127.0.0.1 (a pool member's server cert)
    client       ... client certificate CN=client-ok, O=ballast, OU=tests
    revoked      ... client certificate CN=client-revoked, revoked in `crl`
    other_client ... client certificate signed by another CA (not trusted)
    crl          CRL of `ca` listing `revoked`
    expired      ... certificate for expired.example.com that is no longer valid

Each "certificate + key" file holds the leaf, the CA certificate (the chain)
and the unencrypted RSA key, as an Octavia Barbican container turns into a
PEM. Keys are RSA 2048 so Octavia's default cipher list (ECDHE-RSA/DHE-RSA
for TLS 1.2) works. ssl_context(...) helpers build Python clients.

Refs for ballast: a file path works in file mode; in API mode copy a PEM to
<certs dir>/<id>.pem and use the id (or any URL ending in /<id>).
"""
import os
import ssl
import subprocess
from dataclasses import dataclass

CA_CNF = """
[ ca ]
default_ca = testca
[ testca ]
dir = {d}
database = {d}/index.txt
crlnumber = {d}/crlnumber
serial = {d}/serial
default_md = sha256
default_crl_days = 30
[ v3_ca ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
"""


@dataclass
class Certs:
    dir: str
    ca: str
    ca_key: str
    default: str
    sni_a: str
    sni_wild: str
    member: str
    client: str
    revoked: str
    other_client: str
    crl: str
    expired: str


def _run(*args, cwd=None):
    subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=cwd)


def _key(path):
    _run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path)


def _ca(d, name, subj):
    key, crt = os.path.join(d, name + ".key"), os.path.join(d, name + ".crt")
    _key(key)
    _run("req", "-x509", "-new", "-key", key, "-out", crt, "-subj", subj, "-days", "30",
         "-config", os.path.join(d, "ca.cnf"), "-extensions", "v3_ca")
    return crt, key


def _leaf(d, name, subj, sans, ca, ca_key, client=False, days="30", start=None):
    """Signs a leaf; returns the combined PEM (leaf, CA, key) and the leaf alone."""
    key, csr = os.path.join(d, name + ".key"), os.path.join(d, name + ".csr")
    crt, ext = os.path.join(d, name + ".crt"), os.path.join(d, name + ".ext")
    _key(key)
    _run("req", "-new", "-key", key, "-out", csr, "-subj", subj)
    with open(ext, "w") as f:
        f.write("basicConstraints=CA:false\n")
        f.write("extendedKeyUsage=%s\n" % ("clientAuth" if client else "serverAuth"))
        if sans:
            f.write("subjectAltName=%s\n" % ",".join(sans))
    args = ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
            "-out", crt, "-extfile", ext, "-sha256"]
    if start:  # an expired certificate: signed with `ca` directly in the past
        args = ["ca", "-batch", "-config", os.path.join(d, "ca.cnf"), "-cert", ca,
                "-keyfile", ca_key, "-in", csr, "-out", crt, "-startdate", start[0],
                "-enddate", start[1], "-extfile", ext, "-notext", "-md", "sha256",
                "-outdir", d, "-policy", "any"]
    else:
        args += ["-days", days]
    _run(*args)
    pem = os.path.join(d, name + ".pem")
    with open(pem, "w") as out:
        for part in (crt, ca, key):
            with open(part) as f:
                out.write(f.read())
    return pem, crt


def make_certs(d):
    """Creates the whole set in directory `d` (created if missing); ~2 s."""
    d = str(d)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "ca.cnf"), "w") as f:
        f.write(CA_CNF.format(d=d) + "[ any ]\ncommonName = supplied\n")
    open(os.path.join(d, "index.txt"), "w").close()
    for name in ("crlnumber", "serial"):
        with open(os.path.join(d, name), "w") as f:
            f.write("1000\n")
    ca, ca_key = _ca(d, "ca", "/O=ballast/CN=ballast test CA")
    other_ca, other_key = _ca(d, "otherca", "/O=elsewhere/CN=other CA")
    default, _ = _leaf(d, "default", "/CN=www.example.com", ["DNS:www.example.com"], ca, ca_key)
    sni_a, _ = _leaf(d, "sni_a", "/CN=a.example.com",
                     ["DNS:a.example.com", "DNS:alt.example.com"], ca, ca_key)
    wild, _ = _leaf(d, "sni_wild", "/CN=*.wild.example.com", ["DNS:*.wild.example.com"], ca,
                    ca_key)
    member, _ = _leaf(d, "member", "/CN=member.example.com",
                      ["DNS:member.example.com", "IP:127.0.0.1"], ca, ca_key)
    client, _ = _leaf(d, "client", "/O=ballast/OU=tests/CN=client-ok", [], ca, ca_key,
                      client=True)
    revoked, revoked_crt = _leaf(d, "revoked", "/O=ballast/CN=client-revoked", [], ca, ca_key,
                                 client=True)
    other, _ = _leaf(d, "other_client", "/CN=client-other", [], other_ca, other_key,
                     client=True)
    expired, _ = _leaf(d, "expired", "/CN=expired.example.com", ["DNS:expired.example.com"],
                       ca, ca_key, start=("20200101000000Z", "20200201000000Z"))
    cnf = os.path.join(d, "ca.cnf")
    # `openssl ca` keeps its own index: record the revoked certificate there, then the CRL.
    _run("ca", "-config", cnf, "-cert", ca, "-keyfile", ca_key, "-revoke", revoked_crt)
    crl = os.path.join(d, "crl.pem")
    _run("ca", "-config", cnf, "-cert", ca, "-keyfile", ca_key, "-gencrl", "-out", crl)
    return Certs(d, ca, ca_key, default, sni_a, wild, member, client, revoked, other, crl,
                 expired)


def client_context(certs, cert=None, alpn=None, versions=None):
    """An ssl.SSLContext trusting the test CA, optionally presenting `cert` (a PEM
    path holding cert + key), offering `alpn`, limited to (min, max) TLSVersion."""
    ctx = ssl.create_default_context(cafile=certs.ca)
    if cert:
        ctx.load_cert_chain(cert)
    if alpn:
        ctx.set_alpn_protocols(alpn)
    if versions:
        ctx.minimum_version, ctx.maximum_version = versions
    return ctx


def peer_common_name(sslsock):
    """The CN of the certificate the server presented on an SSLSocket."""
    for rdn in sslsock.getpeercert()["subject"]:
        for k, v in rdn:
            if k == "commonName":
                return v
    return None


if __name__ == "__main__":
    # `tlsutil.py DIR`: makes the set in DIR (the C unit tests use this).
    import sys
    make_certs(sys.argv[1])
