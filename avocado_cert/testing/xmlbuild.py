"""XML builders for tests: the suite's builders, with domain() settling the variant's guest first.

A variant whose `guest` names an image gets that image's kernel, initrd and command line (built and
cached on first use) and a settled `domain_type: auto` before its domain XML is built.
"""

from avocado_cert.base import xmlbuild as base
from avocado_cert.guest import variant as guest_variant

template = base.template
to_xml = base.to_xml
network = base.network
dir_pool = base.dir_pool
volume = base.volume
secret = base.secret
nwfilter = base.nwfilter


def domain(params, name, memory_kib=None, vcpus=1, max_vcpus=None, boot=True, resolve=True):
    """A domain for this variant: test driver, or a QEMU guest that boots the suite's image."""
    if resolve:
        params = guest_variant.resolve(params)
    return base.domain(params, name, memory_kib=memory_kib, vcpus=vcpus, max_vcpus=max_vcpus, boot=boot)
