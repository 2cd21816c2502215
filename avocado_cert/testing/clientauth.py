"""What the client-side connection tests stand on: an auth callback that answers libvirt's credential
requests and records them, and a test-driver state file that asks for a user and password."""

import libvirt

from avocado_cert.testing import xmlbuild

# The credential types libvirt documents (virConnectCredentialType).
DOCUMENTED_CREDENTIALS = {
    libvirt.VIR_CRED_USERNAME: "VIR_CRED_USERNAME",
    libvirt.VIR_CRED_AUTHNAME: "VIR_CRED_AUTHNAME",
    libvirt.VIR_CRED_LANGUAGE: "VIR_CRED_LANGUAGE",
    libvirt.VIR_CRED_CNONCE: "VIR_CRED_CNONCE",
    libvirt.VIR_CRED_PASSPHRASE: "VIR_CRED_PASSPHRASE",
    libvirt.VIR_CRED_ECHOPROMPT: "VIR_CRED_ECHOPROMPT",
    libvirt.VIR_CRED_NOECHOPROMPT: "VIR_CRED_NOECHOPROMPT",
    libvirt.VIR_CRED_REALM: "VIR_CRED_REALM",
    libvirt.VIR_CRED_EXTERNAL: "VIR_CRED_EXTERNAL",
}


def auth_node_xml(user, password):
    """A test driver state file's XML (<node>) that admits one user with that password."""
    root = xmlbuild.template("test-node-auth")
    element = root.find("auth/user")
    element.text = user
    element.set("password", password)
    return xmlbuild.to_xml(root)


class Credentials:
    """An openAuth callback: answers each request from `answers` (type -> value), records what was
    asked, and refuses (-1) a type it has no answer for."""

    def __init__(self, answers):
        self.answers = dict(answers)
        self.requests = []

    def auth(self, flags_types=None):
        """The auth argument of libvirt.openAuth: [types offered, callback, opaque]."""
        types = list(flags_types if flags_types is not None else self.answers)
        return [types, self.callback, None]

    def callback(self, creds, _opaque):
        for cred in creds:
            cred_type, prompt = cred[0], cred[1]
            self.requests.append((cred_type, prompt))
            if cred_type not in self.answers:
                return -1
            cred[4] = self.answers[cred_type]
        return 0

    @property
    def types_asked(self):
        return [cred_type for cred_type, _prompt in self.requests]
