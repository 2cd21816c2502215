"""Result bundles: one signed, self-checking tarball of a certification job.

Layout (every path relative to the archive root):
  job/...                 the job directory's regular files (results.json, cert/report.json,
                          cert/environment.json, cert/variants.json, logs, ...); links are left out
  profiles/NAME.yaml      each profile the job ran, byte for byte
  criteria/VERSION.yaml   the criteria each profile was scored with
  suite.json              the suite hash: version, root, and the sha256 of every test file
  suite/tests/...         the certification test files themselves (what "required tests" are read from)
  MANIFEST.json           what the bundle holds, the sha256 and size of every file above, and its
                          origin: the vendor, product and version it is submitted for (origin.py)
  MANIFEST.sig            the Ed25519 signature of MANIFEST.json
The archive is reproducible: sorted members, fixed owner, mode and time, so bundling the same
job with the same key twice gives the same bytes.
"""

import datetime
import hashlib
import json
import os
import tempfile
import zlib

from avocado_cert.base import paths
from avocado_cert.base.datafile import load_json, read_bytes, sha256_bytes
from avocado_cert.base.errors import CertError
from avocado_cert.offline import origin as origins
from avocado_cert.offline import signing, suitehash
from avocado_cert.offline.safetar import Limits
from avocado_cert.report import certfiles, jobreport
from avocado_cert.report import writer as report

FORMAT = 1
KIND = "avocado-cert-bundle"
MANIFEST = "MANIFEST.json"
SIGNATURE = "MANIFEST.sig"
SUITE = "suite.json"
JOB = "job"
SUITE_FILES = "suite/tests"
REPORT = f"{JOB}/{report.CERT_DIR}/report.json"
RESULTS = f"{JOB}/results.json"
ENVIRONMENT = f"{JOB}/{report.CERT_DIR}/{certfiles.ENVIRONMENT}"
VARIANTS = f"{JOB}/{report.CERT_DIR}/{jobreport.VARIANTS_FILE}"
HOST_SAFETY = f"{JOB}/{report.CERT_DIR}/{certfiles.HOST_SAFETY}"
REQUIRED_JOB_FILES = (RESULTS, REPORT, ENVIRONMENT, VARIANTS)
COMPRESSLEVEL = 1  # logs compress well even so; level 6 costs twice the time for 20% less


def job_files(job_dir):
    """Sorted (member name, path) of the job directory's regular files; links are not followed."""
    found = []
    folders = [(job_dir, JOB)]
    while folders:
        folder, member = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, f"{member}/{entry.name}"))
                elif entry.is_file(follow_symlinks=False):
                    found.append((f"{member}/{entry.name}", entry.path))
    return sorted(found)


def _checked_copy(path, sha256, what):
    """The bytes of a file the job used, provided it is still exactly what the job used."""
    data = read_bytes(path, what)
    if sha256_bytes(data) != sha256:
        raise CertError(f"the {what} changed since the job ran (sha256 differs from the report's)", path)
    return data


def _inputs(job_dir, rep):
    """{member name: bytes} of the profiles and criteria, and their manifest entries."""
    extra, profiles, criteria = {}, {}, {}
    crit_files = (rep.get("settings") or {}).get("criteria_files") or {}
    scored = rep["score"]["profiles"]
    for name, prof in sorted(rep["profiles"].items()):
        member = f"profiles/{name}.yaml"
        extra[member] = _checked_copy(prof["path"], prof["sha256"], f"profile '{name}'")
        profiles[name] = {"file": member, "sha256": prof["sha256"]}
        crit = scored.get(name, {}).get("criteria")
        if not crit or name not in crit_files:
            raise CertError(f"the report names no criteria file for profile '{name}'", job_dir)
        data = _checked_copy(crit_files[name], crit["sha256"], f"criteria of profile '{name}'")
        member = f"criteria/{crit['version']}.yaml"
        if member in extra and extra[member] != data:
            member = f"criteria/{crit['version']}-{crit['sha256'][:12]}.yaml"
        extra[member] = data
        criteria[name] = {"file": member, "version": crit["version"], "sha256": crit["sha256"]}
    return extra, profiles, criteria


def _job_start(rep):
    """The job's start (epoch seconds) as the report records it, or None."""
    try:
        return datetime.datetime.fromisoformat(str((rep.get("job") or {}).get("started"))).timestamp()
    except ValueError:
        return None


def check_suite_unchanged(job_dir, rep, root=None):
    """Refuse a suite edited after the job started: the bundle would not hash what the job ran."""
    started = _job_start(rep)
    if started is None:
        return
    root = root or paths.suite_dir()
    for rel in suitehash.suite_files(root):
        if os.path.getmtime(os.path.join(root, rel)) > started:
            raise CertError(
                f"the suite changed since the job ran ({rel} was modified after the job started); "
                "run the job again to bundle it",
                job_dir,
            )


def _created(rep):
    """When the job was scored: the bundle's date, and the fixed time of its members."""
    stamp = (rep.get("job") or {}).get("scored_at") or ""
    try:
        when = datetime.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp, 0
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return stamp, int(when.timestamp())


_OWNER_MODE = b"0000644\x000000000\x000000000\x00"
_MAGIC_TO_PREFIX = b"ustar\x0000" + bytes(80)  # magic, version, empty uname, gname, devmajor, devminor


def _tar_header(name, size, mtime, kind=b"0"):
    """One ustar header block (owner root, mode 0644, the given time), or None if name is too long."""
    encoded = name.encode("utf-8")
    prefix = b""
    if len(encoded) > 100:
        cut = encoded.rfind(b"/", 0, 156)
        if cut <= 0 or len(encoded) - cut - 1 > 100:
            return None
        prefix, encoded = encoded[:cut], encoded[cut + 1 :]
    head = encoded.ljust(100, b"\x00") + _OWNER_MODE + f"{size:011o}\x00{mtime:011o}\x00".encode("ascii")
    tail = kind + bytes(100) + _MAGIC_TO_PREFIX + prefix.ljust(155, b"\x00") + bytes(12)
    checksum = sum(head) + sum(tail) + 8 * 32  # the checksum field counts as eight spaces
    return head + f"{checksum:06o}\x00 ".encode("ascii") + tail


def _pax_record(key, value):
    """A PAX record "LEN key=value\\n", whose length counts its own digits."""
    body = f" {key}={value}\n".encode("utf-8")
    length = len(body) + 1
    while len(str(length)) + len(body) != length:
        length += 1
    return str(length).encode("ascii") + body


class _Writer:
    """A deterministic tar.gz writer (ustar headers, PAX for long names) that hashes what it writes.

    Written by hand rather than with tarfile: 40,000 members a second instead of 5,000."""

    def __init__(self, stream, mtime, limits):
        self.stream = stream
        self.zlib = zlib.compressobj(COMPRESSLEVEL, zlib.DEFLATED, 31)
        self.pending = []
        self.pending_size = 0
        self.mtime = mtime
        self.limits = limits
        self.total = 0

    def _put(self, data):
        self.pending.append(data)
        self.pending_size += len(data)
        if self.pending_size >= 1 << 20:
            self._flush()

    def _flush(self):
        self.stream.write(self.zlib.compress(b"".join(self.pending)))
        self.pending, self.pending_size = [], 0

    def add(self, name, data):
        size = len(data)
        if size > self.limits.member_size:
            raise CertError(
                f"{name} is too large for a bundle ({size} bytes, limit {self.limits.member_size})"
            )
        self.total += size
        if self.total > self.limits.total_size:
            raise CertError(f"the job is too large for a bundle (limit {self.limits.total_size} bytes)")
        header = _tar_header(name, size, self.mtime)
        if header is None:
            record = _pax_record("path", name)
            self._put(_tar_header("././@PaxHeader", len(record), self.mtime, b"x"))
            self._put(record + bytes(-len(record) % 512))
            header = _tar_header("long-name", size, self.mtime)
        self._put(header)
        self._put(data)
        self._put(bytes(-size % 512))
        return {"sha256": hashlib.sha256(data).hexdigest(), "size": size}

    def close(self):
        self._put(bytes(1024))
        self._flush()
        self.stream.write(self.zlib.flush())


def _load_report(job_dir):
    path = os.path.join(job_dir, report.CERT_DIR, "report.json")
    if not os.path.isfile(path):
        raise CertError("no cert/report.json: not a certification job (run it with --cert-profile)", job_dir)
    rep = load_json(path, "certification report")
    if not isinstance(rep, dict) or not isinstance(rep.get("profiles"), dict) or "score" not in rep:
        raise CertError("malformed certification report: no profiles or score", path)
    return rep


def _output_folder(output, force):
    """The folder a new bundle is written in, refusing what cannot become the bundle before any work."""
    if os.path.isdir(output):
        raise CertError("is a folder: name the bundle file to write", output)
    if os.path.lexists(output) and not force:
        raise CertError("already exists (give --force to replace it)", output)
    out_dir = os.path.dirname(os.path.abspath(output)) or "."
    if not os.path.isdir(out_dir):
        raise CertError("no such folder for the bundle", out_dir)
    if not os.access(out_dir, os.W_OK):
        raise CertError("cannot write the bundle: the folder is not writable", out_dir)
    return out_dir


def _publish(temp, output, force):
    """Move the finished bundle into place; without force, never over a file that appeared meanwhile."""
    if force:
        os.replace(temp, output)
        return
    try:
        os.link(temp, output)  # fails if output exists: no check-then-write race
    except FileExistsError:
        raise CertError("already exists (give --force to replace it)", output) from None
    os.unlink(temp)


def build(job_dir, private_key, output, limits=None, origin=None, force=False):
    """Bundle a finished certification job into output (written atomically); return the manifest.

    origin (origin.make) names the vendor, product and version the bundle is submitted for; it is
    signed with everything else. An existing output is replaced only with force."""
    limits = limits or Limits()
    if origin is not None and origins.problems(origin):
        raise CertError(origins.problems(origin)[0])
    out_dir = _output_folder(output, force)
    job_dir = os.path.abspath(job_dir)
    if not os.path.isdir(job_dir):
        raise CertError("no such job directory", job_dir)
    rep = _load_report(job_dir)
    files = job_files(job_dir)
    names = {name for name, _path in files}
    for needed in REQUIRED_JOB_FILES:
        if needed not in names:
            raise CertError(f"no {needed[len(JOB) + 1:]}: not a finished certification job", job_dir)
    check_suite_unchanged(job_dir, rep)
    extra, profiles, criteria = _inputs(job_dir, rep)
    suite, suite_contents = suitehash.snapshot()
    ran = (rep.get("suite") or {}).get("sha256")
    if ran and ran != suite["sha256"]:
        raise CertError(
            f"the suite changed since the job ran (sha256 {ran[:16]} then, {suite['sha256'][:16]} now); "
            "run the job again to bundle it",
            job_dir,
        )
    extra[SUITE] = (json.dumps(suite, indent=1, sort_keys=True) + "\n").encode("utf-8")
    for rel, data in suite_contents.items():
        extra[f"{SUITE_FILES}/{rel}"] = data
    created, mtime = _created(rep)
    try:
        handle, temp = tempfile.mkstemp(prefix=".bundle-", suffix=".part", dir=out_dir)
    except OSError as details:
        raise CertError(f"cannot write the bundle: {details.strerror}", output) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            writer = _Writer(stream, mtime, limits)
            entries = {}
            for name, path in files:
                entries[name] = writer.add(name, read_bytes(path, "job file"))
            for name in sorted(extra):
                entries[name] = writer.add(name, extra[name])
            manifest = {
                "format": FORMAT,
                "kind": KIND,
                "created": created,
                "signer": signing.key_id(private_key.public_key()),
                "job": {
                    "id": (rep.get("job") or {}).get("id", ""),
                    "verdict": rep.get("verdict", ""),
                    "report": REPORT,
                    "results": RESULTS,
                    "environment": ENVIRONMENT,
                    "variants": VARIANTS,
                },
                "suite": {"file": SUITE, "version": suite["version"], "sha256": suite["sha256"]},
                "profiles": profiles,
                "criteria": criteria,
                "files": entries,
            }
            if origin is not None:
                manifest["origin"] = dict(origin)
            # Compact: the C encoder is ten times faster than an indented dump of 40,000 entries.
            raw = (json.dumps(manifest, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")
            writer.add(MANIFEST, raw)
            writer.add(SIGNATURE, signing.sign(private_key, raw))
            writer.close()
        os.chmod(temp, 0o644)
        _publish(temp, output, force)
    except OSError as details:
        _discard(temp)
        raise CertError(f"cannot write the bundle: {details.strerror}", output) from None
    except BaseException:
        _discard(temp)
        raise
    return manifest


def _discard(temp):
    if os.path.lexists(temp):
        os.unlink(temp)
