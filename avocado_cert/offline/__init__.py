"""Offline mode: signed bundles, their safe reading and verification, reproduction and run diffs."""
