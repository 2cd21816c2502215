"""The libvirt API surface: functions by module, since-versions, flag enums and error codes, read
from libvirt's own API description (libvirt-api.xml): the installed one or a shipped snapshot."""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache

from avocado_cert.base import paths, xmlsafe
from avocado_cert.base.errors import CertError

FALLBACK_API_XML = "/usr/share/libvirt/api/libvirt-api.xml"
SNAPSHOT_RE = re.compile(r"^libvirt-api-(\d+\.\d+\.\d+)\.xml$")
VERSION_RE = re.compile(r"^\d+\.\d+\.\d+$")
TYPE_WORD_RE = re.compile(r"\bvir[A-Za-z0-9]+")
CONSTANT_RE = re.compile(r"\bVIR_[A-Z0-9_]+")
ERROR_ENUM = "virErrorNumber"
UNUSED_RE = re.compile(r"unused|not used|use 0|pass 0|set to 0", re.IGNORECASE)


def version_key(version):
    return tuple(int(part) for part in re.findall(r"\d+", version or "0"))


@dataclass
class Function:
    name: str
    module: str  # the header it is declared in: libvirt-domain, libvirt-network, virterror, ...
    since: str
    args: list  # (name, C type, info)
    flag_types: tuple  # enum types whose values its flags argument takes
    summary: str = ""

    @property
    def first_arg_type(self):
        return self.args[0][1] if self.args else ""


@dataclass
class Surface:
    path: str
    functions: dict  # name -> Function
    enums: dict  # enum type -> {constant name: value}
    constants: dict  # constant name -> (enum type, value)
    since: dict = field(default_factory=dict)  # constant name -> since-version

    @property
    def level(self):
        """The newest since-version of any function: the libvirt release the file describes."""
        return max((f.since for f in self.functions.values()), key=version_key, default="0.0.0")

    def modules(self):
        """{module: [function names, sorted]}, modules sorted."""
        out = {}
        for func in self.functions.values():
            out.setdefault(func.module, []).append(func.name)
        return {module: sorted(names) for module, names in sorted(out.items())}

    def flag_values(self, name):
        """{constant: value} of every enum value the function's flags argument accepts."""
        values = {}
        for enum_type in self.functions[name].flag_types:
            values.update(self.enums.get(enum_type, {}))
        return values

    def error_codes(self):
        """{VIR_ERR_* name: number} (virErrorNumber)."""
        return dict(self.enums.get(ERROR_ENUM, {}))

    def undefined_flag(self, name, start=30):
        """A flag bit no enum of the function defines (for probing virCheckFlags)."""
        used = 0
        for value in self.flag_values(name).values():
            used |= value
        for bit in range(start, 0, -1):
            if not used & (1 << bit):
                return 1 << bit
        raise CertError(f"{name}: every flag bit is defined")


def _int(text):
    try:
        return int(text, 0)
    except (TypeError, ValueError):
        return None


def _flag_types(args, summary, enum_types, constants):
    """Enum types named (or whose values are named) in the info of the flags argument; failing
    that, flag enums whose values the function's description names ("Current valid bits:")."""
    found = []
    for arg_name, _arg_type, info in args:
        if arg_name != "flags":
            continue
        for word in TYPE_WORD_RE.findall(info):
            if word in enum_types and word not in found:
                found.append(word)
        for word in CONSTANT_RE.findall(info):
            owner = constants.get(word, (None,))[0]
            if owner and owner not in found:
                found.append(owner)
        if not found and not UNUSED_RE.search(info):
            for word in CONSTANT_RE.findall(summary):
                owner = constants.get(word, ("",))[0]
                if "Flag" in owner and owner not in found:
                    found.append(owner)
    return tuple(found)


def parse(root, path):
    """A Surface from the parsed <api> element of libvirt-api.xml."""
    if root.tag != "api":
        raise CertError(f"not a libvirt API description (root element <{root.tag}>, expected <api>)", path)
    enums, constants, since = {}, {}, {}
    pending = [e for e in root.iter("enum") if e.get("type") and e.get("name")]
    # Some values name another constant (VIR_DOMAIN_MEM_LIVE = VIR_DOMAIN_AFFECT_LIVE): resolve in passes.
    while pending:
        unresolved = []
        for enum in pending:
            text = enum.get("value")
            value = _int(text)
            if value is None and text in constants:
                value = constants[text][1]
            if value is None:
                unresolved.append(enum)
                continue
            enums.setdefault(enum.get("type"), {})[enum.get("name")] = value
            constants[enum.get("name")] = (enum.get("type"), value)
            since[enum.get("name")] = enum.get("version", "")
        if len(unresolved) == len(pending):
            break
        pending = unresolved
    functions = {}
    for node in root.iter("function"):
        name = node.get("name")
        if not name:
            raise CertError("a <function> without a name", path)
        args = [(a.get("name", ""), a.get("type", ""), a.get("info", "")) for a in node.findall("arg")]
        info = " ".join((node.findtext("info") or "").split())
        functions[name] = Function(
            name=name,
            module=node.get("file", "unknown"),
            since=node.get("version", ""),
            args=args,
            flag_types=_flag_types(args, info, enums, constants),
            summary=info[:200],
        )
    if not functions:
        raise CertError("the API description lists no functions", path)
    return Surface(path=path, functions=functions, enums=enums, constants=constants, since=since)


def snapshots():
    """{version: path} of the snapshots shipped under data/api/."""
    folder = paths.data_path("api")
    try:
        entries = os.listdir(folder)
    except OSError:
        return {}
    found = {}
    for entry in entries:
        match = SNAPSHOT_RE.match(entry)
        if match:
            found[match.group(1)] = os.path.join(folder, entry)
    return dict(sorted(found.items(), key=lambda item: version_key(item[0])))


def installed_path():
    """The installed libvirt-api.xml (pkg-config, then the usual place), or None."""
    if shutil.which("pkg-config"):
        try:
            answer = subprocess.run(
                ["pkg-config", "--variable=libvirt_api", "libvirt"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            answer = None
        candidate = answer.stdout.strip() if answer is not None and answer.returncode == 0 else ""
        if candidate and os.path.isfile(candidate):
            return candidate
    return FALLBACK_API_XML if os.path.isfile(FALLBACK_API_XML) else None


def locate(spec=None):
    """Which file to read: a path, a snapshot version (9.0.0), or None for the installed file
    (the newest shipped snapshot where libvirt's development files are not installed)."""
    if spec:
        if VERSION_RE.match(spec) and not os.path.exists(spec):
            shipped = snapshots()
            if spec not in shipped:
                raise CertError(
                    f"no API snapshot for libvirt {spec} (shipped: {', '.join(shipped) or 'none'})"
                )
            return shipped[spec]
        if not os.path.isfile(spec):
            raise CertError("no such API description file", spec)
        return os.path.abspath(spec)
    found = installed_path()
    if found:
        return found
    shipped = snapshots()
    if not shipped:
        raise CertError("no libvirt-api.xml installed and no snapshot shipped under data/api")
    return list(shipped.values())[-1]


@lru_cache(maxsize=8)
def _load(path, mtime):  # pylint: disable=unused-argument
    return parse(xmlsafe.parse(path, "libvirt API description"), path)


def load(spec=None):
    """Load the API surface; any problem is a one-line CertError naming the file."""
    path = locate(spec)
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError as details:
        raise CertError(f"cannot read libvirt API description: {details.strerror}", path) from None
    return _load(path, mtime)


def companion_functions(surface):
    """{function: file} of the hypervisor-specific APIs beside the main file (libvirt-qemu-api.xml,
    libvirt-lxc-api.xml): real functions that tests may tag, outside the main API's coverage."""
    folder, base = os.path.split(surface.path)
    found = {}
    for flavour in ("qemu", "lxc"):
        path = os.path.join(folder, base.replace("libvirt-api", f"libvirt-{flavour}-api", 1))
        if path == surface.path or not os.path.isfile(path):
            continue
        root = xmlsafe.parse(path, f"libvirt {flavour} API description")
        for node in root.iter("function"):
            found[node.get("name")] = os.path.basename(path)
    return found
