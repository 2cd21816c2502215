"""avocado-cert: certify a libvirt implementation against versioned success criteria."""

from avocado_cert.version import VERSION

__version__ = VERSION
