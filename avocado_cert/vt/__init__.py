"""Certification inside Avocado-VT jobs: Cartesian files, the test provider, the adapter, VT results."""
