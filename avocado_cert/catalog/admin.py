"""Local administration of a catalog database (`avocado cert catalog admin ...`): migrations, the
published configuration, the first administrator, vendors, accounts, keys and tokens."""

from avocado_cert.base.datafile import read_bytes
from avocado_cert.base.errors import CertError
from avocado_cert.catalog import auth, published, register
from avocado_cert.catalog.app import create_app
from avocado_cert.offline import signing, suitehash


class Admin:
    """The local operator: acts as an administrator without a token (it holds the database)."""

    def __init__(self, settings):
        self.app = create_app(settings)
        self.sessions = self.app.extensions["catalog"].sessions

    def _run(self, func):
        with self.sessions() as session:
            try:
                result = func(session)
                session.commit()
                return result
            except (register.Invalid, register.NotFound, register.Conflict, auth.Denied) as details:
                raise CertError(str(details)) from None

    def init(self):
        return self._run(published.seed)

    def publish_criteria(self, path):
        return self._run(lambda s: published.publish_criteria(s, path))

    def publish_profile(self, path):
        return self._run(lambda s: published.publish_profile(s, path))

    def publish_release(self, version, sha256):
        return self._run(lambda s: published.publish_release(s, version, sha256))

    def publish_this_suite(self):
        """Publish the suite of this installation as a release (its version and hash)."""
        description, _contents = suitehash.snapshot()
        added = self.publish_release(description["version"], description["sha256"])
        return description["version"], description["sha256"], added

    def create_account(self, username, password=None, vendor=None, admin=False):
        def work(session):
            vend = register.vendor(session, vendor) if vendor else None
            account = register.create_account(session, None, username, password, vend, admin)
            return auth.new_token(session, account, "created with the account")

        return self._run(work)

    def token(self, username, label=""):
        return self._run(lambda s: auth.new_token(s, register.account(s, username), label))

    def set_disabled(self, username, disabled):
        """Disable an account (its sessions end, its tokens are revoked) or enable it again."""
        self._run(lambda s: auth.set_disabled(s, _Operator(), register.account(s, username), disabled))

    def create_vendor(self, slug, name, contact="", url=""):
        def work(session):
            return register.create_vendor(session, _Operator(), slug, name, contact, url).slug

        return self._run(work)

    def add_key(self, vendor, pubkey_path, label=""):
        pem = read_bytes(pubkey_path, "public key")
        signing.parse_public(pem, pubkey_path)

        def work(session):
            return register.add_key(session, _Operator(), register.vendor(session, vendor), pem, label).key_id

        return self._run(work)


class _Operator:
    """The local operator as an actor: an administrator with no account row."""

    id = None
    is_admin = True
    vendor_id = None
