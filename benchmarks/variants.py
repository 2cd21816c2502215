#!/usr/bin/env python3
"""Variant generation: 24,000 variants (500 APIs x 8 drivers x 6 arches); target under 1 s.

Prints the median over several runs of crossing the axes (core) and of turning them into Avocado
variants (the varianter's TreeNodes), which is what a job pays.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from avocado.core.tree import TreeNode  # noqa: E402  pylint: disable=wrong-import-position

from avocado_cert.plan import variants  # noqa: E402  pylint: disable=wrong-import-position
from avocado_cert.plan import profile
from benchmarks._common import median_time  # noqa: E402  pylint: disable=wrong-import-position

TARGET = 1.0


def big_profile():
    axes = {
        "api": {f"virApi{i:03d}": {"api": f"virApi{i:03d}"} for i in range(500)},
        "driver": {f"drv{i}": {"uri": f"drv{i}:///system"} for i in range(8)},
        "arch": {a: {"guest_arch": a} for a in ("x86_64", "aarch64", "ppc64le", "s390x", "i686", "riscv64")},
    }
    return profile.Profile(
        name="bench",
        description="",
        criteria="1.0",
        areas=[],
        tests=[],
        axes=axes,
        params={"guest": "none"},
        parallel=None,
        timeout=60,
        host="none",
        verified=True,
        notes="",
    )


def main():
    prof = big_profile()
    count = len(variants.cross(prof))
    cross, _ = median_time(lambda: variants.cross_many([prof]))

    def as_avocado():
        return [
            {"variant_id": v.id, "variant": [TreeNode("", v.params)], "paths": ["/"]}
            for v in variants.cross_many([prof])
        ]

    full, _ = median_time(as_avocado)
    print(f"variants: {count}")
    print(f"cross (core), median of 5: {cross:.3f} s")
    print(
        f"cross + Avocado variants (varianter), median of 5: {full:.3f} s  (target < {TARGET:.1f} s: "
        f"{'met' if full < TARGET else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
