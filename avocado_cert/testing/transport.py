"""What the transport security tests stand on: URIs with other credentials, a foreign CA made with
certtool, and the credentials of a libvirt client auth file."""

import configparser
import os
import shutil
import subprocess

from avocado_cert.base import paths
from avocado_cert.host import connect

# Network transports: anyone who reaches the port may try to connect.
NETWORK = ("tcp", "tls", "ssh", "libssh", "libssh2")


def with_params(uri, **changes):
    """uri with query parameters set (a value of None removes the parameter), order kept."""
    base = uri.split("?", 1)[0]
    params = connect.uri_params(uri)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{base}?{query}" if query else base


def auth_file_credentials(path):
    """(authname, password) of the first [credentials-*] group of a libvirt client auth file."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path, encoding="utf-8")
    for section in parser.sections():
        if section.startswith("credentials-"):
            group = parser[section]
            return group.get("authname"), group.get("password")
    return None, None


def _certtool(*args):
    subprocess.run(["certtool", *args], check=True, capture_output=True, timeout=120)


def foreign_client_pki(folder, trusted_cacert):
    """A pkipath whose client certificate a CA of its own signed (not the server's CA).

    cacert.pem holds both CAs: the client's own sanity check passes and the server's certificate
    still verifies, so only the server can refuse the handshake."""
    if shutil.which("certtool") is None:
        return None
    os.makedirs(folder, exist_ok=True)
    ca_key = os.path.join(folder, "foreign-cakey.pem")
    ca_cert = os.path.join(folder, "foreign-cacert.pem")
    key = os.path.join(folder, "clientkey.pem")
    _certtool("--generate-privkey", "--outfile", ca_key)
    _certtool(
        "--generate-self-signed",
        "--load-privkey",
        ca_key,
        "--template",
        paths.cfg_path("host", "tls-ca.info"),
        "--outfile",
        ca_cert,
    )
    _certtool("--generate-privkey", "--outfile", key)
    _certtool(
        "--generate-certificate",
        "--load-privkey",
        key,
        "--load-ca-certificate",
        ca_cert,
        "--load-ca-privkey",
        ca_key,
        "--template",
        paths.cfg_path("host", "tls-client.info"),
        "--outfile",
        os.path.join(folder, "clientcert.pem"),
    )
    with open(os.path.join(folder, "cacert.pem"), "w", encoding="utf-8") as out:
        for path in (trusted_cacert, ca_cert):
            with open(path, encoding="utf-8") as src:
                out.write(src.read())
    return folder


def no_client_pki(folder, trusted_cacert):
    """A pkipath with the server's CA and no client certificate at all."""
    os.makedirs(folder, exist_ok=True)
    shutil.copyfile(trusted_cacert, os.path.join(folder, "cacert.pem"))
    return folder
