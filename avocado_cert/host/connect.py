"""Opening libvirt connections the same way everywhere in the suite, whatever the transport.

libvirt.open() offers SASL no credential callbacks, so a SASL-authenticated transport refuses it
("no worthy mechs"). Connections here are opened with openAuth: credentials come from the URI's
authfile= (or LIBVIRT_AUTH_FILE), or from the caller, and nothing ever prompts.
"""

import libvirt

ASKED = (libvirt.VIR_CRED_AUTHNAME, libvirt.VIR_CRED_PASSPHRASE)


def _answer(given):
    def callback(credentials, _data):
        for credential in credentials:
            value = given.get(credential[0])
            if value is None:
                return -1  # nothing interactive: a credential nobody gave fails the authentication
            credential[4] = value
        return 0

    return callback


def open_uri(uri, readonly=False, authname=None, passphrase=None):
    """A connection to uri; authname/passphrase answer SASL where the URI's auth file does not."""
    given = {}
    if authname is not None:
        given[libvirt.VIR_CRED_AUTHNAME] = authname
    if passphrase is not None:
        given[libvirt.VIR_CRED_PASSPHRASE] = passphrase
    flags = libvirt.VIR_CONNECT_RO if readonly else 0
    return libvirt.openAuth(uri, [list(ASKED), _answer(given), None], flags)


def uri_params(uri):
    """The query parameters of a libvirt URI (pkipath, authfile, socket, ...) as a dict."""
    query = uri.split("?", 1)[1] if "?" in uri else ""
    params = {}
    for part in query.split("&"):
        if part:
            key, _sep, value = part.partition("=")
            params[key] = value
    return params


def transport_of(uri):
    """'unix', 'tcp', 'tls', 'ssh', ... of a URI: qemu+tls://... says it; without '+', a host name
    means TLS (libvirt's default) and none means the local socket; the test driver has none."""
    scheme, _sep, rest = uri.partition("://")
    if "+" in scheme:
        return scheme.split("+", 1)[1]
    if scheme == "test":
        return ""
    return "tls" if rest and not rest.startswith("/") else "unix"
