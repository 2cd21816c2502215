"""What certification tests stand on: CertTest, the object factory, XML builders."""

from avocado_cert.testing.certtest import CertTest
from avocado_cert.testing.objects import Objects

__all__ = ["CertTest", "Objects"]
