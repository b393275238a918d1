# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A throwaway certificate authority and a server certificate for 127.0.0.1 / localhost / ::1, for TLS tests."""

from __future__ import annotations

import collections
import datetime
import ipaddress
import os
import pathlib
import shutil
import subprocess

TestCA = collections.namedtuple("TestCA", "ca_cert ca_key server_cert server_key")
TestCA.__test__ = False  # not a pytest class


def make_test_ca(directory, backend=None, common_name="glpi-double test CA"):
    """Create ``ca.pem``, ``ca.key``, ``server.pem``, ``server.key`` in ``directory``; return their paths (strings).

    ``backend``: "cryptography" (the Python package), "openssl" (the command line tool) or None (the package when importable).
    """
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = TestCA(*(str(directory / name) for name in ("ca.pem", "ca.key", "server.pem", "server.key")))
    if backend is None:
        try:
            import cryptography  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
            backend = "cryptography"
        except ImportError:
            backend = "openssl"
    if backend == "cryptography":
        _with_cryptography(paths, common_name)
    elif backend == "openssl":
        _with_openssl(paths, directory, common_name)
    else:
        raise ValueError("backend must be cryptography or openssl")
    for key in (paths.ca_key, paths.server_key):
        os.chmod(key, 0o600)
    return paths


def _with_cryptography(paths, common_name):
    # pylint: disable=import-outside-toplevel
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    ca_cert = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                            encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
               .sign(ca_key, hashes.SHA256()))
    server_key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.IPAddress(ipaddress.ip_address("::1"))]
    server_cert = (x509.CertificateBuilder()
                   .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])).issuer_name(ca_name)
                   .public_key(server_key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName(names), critical=False)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
                   .sign(ca_key, hashes.SHA256()))
    pem_key = {"encoding": serialization.Encoding.PEM, "format": serialization.PrivateFormat.PKCS8,
               "encryption_algorithm": serialization.NoEncryption()}
    pathlib.Path(paths.ca_key).write_bytes(ca_key.private_bytes(**pem_key))
    pathlib.Path(paths.ca_cert).write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    pathlib.Path(paths.server_key).write_bytes(server_key.private_bytes(**pem_key))
    pathlib.Path(paths.server_cert).write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))


def _with_openssl(paths, directory, common_name):
    openssl = shutil.which("openssl")
    if not openssl:
        raise FileNotFoundError("the openssl command is missing (Debian package openssl)")
    ext = directory / "server.ext"
    ext.write_text("basicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n"
                   "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nauthorityKeyIdentifier=keyid\n")
    csr = directory / "server.csr"
    commands = [
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", paths.ca_key, "-out", paths.ca_cert, "-days", "2", "-subj", "/CN=" + common_name,
         "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        [openssl, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", paths.server_key, "-out", str(csr), "-subj", "/CN=localhost"],
        [openssl, "x509", "-req", "-in", str(csr), "-CA", paths.ca_cert, "-CAkey", paths.ca_key, "-CAcreateserial",
         "-out", paths.server_cert, "-days", "1", "-sha256", "-extfile", str(ext)],
    ]
    for command in commands:
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for leftover in (csr, ext, directory / "ca.srl"):
        if leftover.exists():
            leftover.unlink()
