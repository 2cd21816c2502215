"""Avocado-VT test type `acert`: one avocado-cert certification test (cert_test) of one profile variant.

The test itself is the native suite's CertTest method; avocado_cert.vt.adapter runs it and reports its
outcome as this test's.
"""

from avocado_cert.vt import adapter as vtadapter


def run(test, params, env):  # pylint: disable=unused-argument
    vtadapter.run(test, params)
