"""Verifying a result bundle offline: each rule a small function that passes or fails with a detail.

    result = verify(bundle_path, public_key_bytes, releases=None, published_criteria=None, vendor=None)
    result.ok, result.rules, result.origin, result.to_dict()

releases maps suite sha256 -> version (default: data/releases.yaml); published_criteria maps
criteria version -> sha256 (default: the published data/criteria/VERSION.yaml files); vendor, when
given, is the vendor whose key public_key_bytes is: the signed origin must name it. Nothing is
written; an archive that cannot be read safely is a failed "structure" rule with result.fatal set.
"""

import datetime
import json
import os
import re
from dataclasses import dataclass, field

import yaml

from avocado_cert.base import outcome, paths
from avocado_cert.base.datafile import check_mapping, sha256_bytes
from avocado_cert.base.errors import CertError
from avocado_cert.offline import bundle as layout
from avocado_cert.offline import origin as origins
from avocado_cert.offline import safetar, signing, suitehash, suiteindex
from avocado_cert.plan import criteria as criteria_mod
from avocado_cert.plan import profile, variants
from avocado_cert.report import jobreport, results, scoring
from avocado_cert.vt import job as vt

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, when PyYAML was built with it
SHOWN = 3  # problems named in one rule's detail; the count says how many more


@dataclass
class Rule:
    name: str
    title: str
    passed: bool
    detail: str

    def to_dict(self):
        return {"name": self.name, "title": self.title, "passed": self.passed, "detail": self.detail}


@dataclass
class Verification:
    bundle: str
    key_id: str = ""
    fatal: str = ""
    rules: list = field(default_factory=list)
    origin: dict = None  # the manifest's origin as signed (None: unbound or unreadable)
    job_id: str = ""
    verdict: str = ""

    @property
    def ok(self):
        return not self.fatal and bool(self.rules) and all(rule.passed for rule in self.rules)

    @property
    def failed(self):
        return [rule for rule in self.rules if not rule.passed]

    def to_dict(self):
        return {
            "bundle": self.bundle,
            "ok": self.ok,
            "key_id": self.key_id,
            "fatal": self.fatal or None,
            "origin": self.origin,
            "job_id": self.job_id,
            "verdict": self.verdict,
            "rules": [rule.to_dict() for rule in self.rules],
        }


class Broken(Exception):
    """A rule cannot be checked because something it needs is missing or malformed."""


def _listing(problems):
    shown = "; ".join(problems[:SHOWN])
    more = len(problems) - SHOWN
    return shown + (f"; and {more} more" if more > 0 else "")


VT_TESTS = f"{layout.JOB}/cert/{vt.TESTS_FILE}"


def read_by_rules(name):
    """Whether verify's rules (and the re-scoring, which the catalog also runs) read a bundle member;
    the job's logs are not read."""
    return name in (
        VT_TESTS,
        layout.MANIFEST,
        layout.SIGNATURE,
        layout.SUITE,
        layout.RESULTS,
        layout.REPORT,
        layout.ENVIRONMENT,
        layout.VARIANTS,
        layout.HOST_SAFETY,
    ) or name.startswith(("profiles/", "criteria/", layout.SUITE_FILES + "/"))


class Context:
    """What the rules read: the bundle's members, the kept contents, parsed lazily and once."""

    def __init__(self, members, kept, public_key, releases, published, vendor=None):
        self.members = members
        self.kept = kept
        self.public_key = public_key
        self.releases = releases
        self.published = published
        self.vendor = vendor
        self._parsed = {}
        self.cache = {}

    def raw(self, name):
        if name not in self.kept:
            raise Broken(f"{name} is missing")
        return self.kept[name]

    def json(self, name, kind=dict):
        if name not in self._parsed:
            try:
                self._parsed[name] = json.loads(self.raw(name))
            except (ValueError, UnicodeDecodeError) as details:
                self._parsed[name] = Broken(f"{name}: malformed JSON ({str(details)[:100]})")
        value = self._parsed[name]
        if isinstance(value, Broken):
            raise value
        if not isinstance(value, kind):
            raise Broken(f"{name}: expected a JSON {kind.__name__}")
        return value

    @property
    def manifest(self):
        data = self.json(layout.MANIFEST)
        if data.get("kind") != layout.KIND or data.get("format") != layout.FORMAT:
            raise Broken(f"{layout.MANIFEST}: not a format-{layout.FORMAT} {layout.KIND} manifest")
        for key in ("files", "profiles", "criteria", "suite"):
            if not isinstance(data.get(key), dict):
                raise Broken(f"{layout.MANIFEST}: '{key}' is missing or not a mapping")
        return data

    @property
    def report(self):
        rep = self.json(layout.REPORT)
        if not isinstance(rep.get("profiles"), dict) or not isinstance(rep.get("score"), dict):
            raise Broken(f"{layout.REPORT}: no profiles or score")
        return rep

    @property
    def suite(self):
        suite = self.json(layout.SUITE)
        if not isinstance(suite.get("files"), dict) or not isinstance(suite.get("root"), str):
            raise Broken(f"{layout.SUITE}: no files or root")
        return suite

    def entries(self):
        data = self.json(layout.RESULTS)
        tests = data.get("tests")
        if not isinstance(tests, list) or not all(isinstance(t, dict) and "id" in t for t in tests):
            raise Broken(f"{layout.RESULTS}: no list of test entries with ids")
        return tests

    def variants(self):
        listed = self.json(layout.VARIANTS, list)
        if not all(isinstance(v, dict) and "id" in v and "profile" in v for v in listed):
            raise Broken(f"{layout.VARIANTS}: entries need an id and a profile")
        return listed

    def suite_source(self, rel):
        return self.raw(f"{layout.SUITE_FILES}/{rel}")

    def relative(self, test):
        """A results test name relative to the suite root (absolute names outside it stay as they are)."""
        if "root" not in self.cache:
            self.cache["root"] = self.suite["root"].rstrip("/") + "/"
        root = self.cache["root"]
        return test[len(root) :] if test.startswith(root) else test

    def criteria_of(self, name):
        key = ("criteria", name)
        if key not in self.cache:
            self.cache[key] = self._criteria_of(name)
        return self.cache[key]

    def profile_of(self, name):
        key = ("profile", name)
        if key not in self.cache:
            self.cache[key] = self._profile_of(name)
        return self.cache[key]

    def _criteria_of(self, name):
        entry = self.manifest["criteria"].get(name)
        if not isinstance(entry, dict) or "file" not in entry:
            raise Broken(f"{layout.MANIFEST}: no criteria for profile '{name}'")
        raw = self.raw(entry["file"])
        try:
            document = yaml.load(raw, Loader=SAFE_LOADER)
            return criteria_mod.parse(document, raw, entry["file"])
        except (yaml.YAMLError, CertError) as details:
            raise Broken(f"{entry['file']}: {str(details).splitlines()[0]}") from None

    def _profile_of(self, name):
        entry = self.manifest["profiles"].get(name)
        if not isinstance(entry, dict) or "file" not in entry:
            raise Broken(f"{layout.MANIFEST}: no profile file for profile '{name}'")
        raw = self.raw(entry["file"])
        try:
            document = yaml.load(raw, Loader=SAFE_LOADER)
            data = check_mapping(document, profile.PROFILE_FIELDS, "profile", entry["file"])
            data["axes"] = profile.check_axes(data["axes"], entry["file"])
        except (yaml.YAMLError, CertError) as details:
            raise Broken(f"{entry['file']}: {str(details).splitlines()[0]}") from None
        return profile.Profile(path=entry["file"], sha256=sha256_bytes(raw), **data)


# --- the rules -------------------------------------------------------------------------------


def rule_structure(ctx):
    manifest = ctx.manifest
    ctx.raw(layout.SIGNATURE)
    problems = []
    limits = safetar.Limits()
    for name, entry in manifest["files"].items():
        try:
            if name not in ctx.members:  # members were checked as they were read
                safetar.check_name(name, limits)
        except CertError as details:
            problems.append(f"manifest lists {details}")
        if name in (layout.MANIFEST, layout.SIGNATURE):
            problems.append(f"the manifest lists {name} itself")
        if (
            not isinstance(entry, dict)
            or not SHA256_RE.match(str(entry.get("sha256", "")))
            or not isinstance(entry.get("size"), int)
        ):
            problems.append(f"manifest entry of {name} has no sha256 and size")
    needed = list(layout.REQUIRED_JOB_FILES) + [layout.SUITE]
    for kind in ("profiles", "criteria"):
        if not manifest[kind]:
            problems.append(f"the manifest names no {kind}")
        needed.extend(e.get("file", "") for e in manifest[kind].values() if isinstance(e, dict))
    problems.extend(f"{name} is not in the manifest" for name in needed if name not in manifest["files"])
    if problems:
        return False, _listing(problems)
    return True, f"manifest format {manifest['format']}, {len(manifest['files'])} files"


def rule_hashes(ctx):
    listed = ctx.manifest["files"]
    problems = []
    for name, entry in sorted(listed.items()):
        member = ctx.members.get(name)
        if member is None:
            problems.append(f"{name} is missing from the bundle")
        elif not isinstance(entry, dict) or member.sha256 != entry.get("sha256"):
            problems.append(f"{name} does not match its sha256 in the manifest")
        elif member.size != entry.get("size"):
            problems.append(f"{name} does not match its size in the manifest")
    extra = sorted(set(ctx.members) - set(listed) - {layout.MANIFEST, layout.SIGNATURE})
    problems.extend(f"{name} is in the bundle but not in the manifest" for name in extra)
    if problems:
        return False, _listing(problems)
    return True, f"all {len(listed)} files match their sha256"


def rule_signature(ctx):
    return signing.check(ctx.public_key, ctx.raw(layout.MANIFEST), ctx.raw(layout.SIGNATURE))


def rule_origin(ctx):
    origin = ctx.manifest.get("origin")
    if origin is None:
        if ctx.vendor:
            return False, f"the bundle names no vendor: it is not bound to {ctx.vendor}"
        return True, origins.describe(None)
    found = origins.problems(origin)
    if found:
        return False, _listing(found)
    if ctx.vendor and origin["vendor"] != ctx.vendor:
        return False, f"signed for vendor {origin['vendor']}, not {ctx.vendor} (whose key was given)"
    whose = f", a key of {ctx.vendor}" if ctx.vendor else ""
    return (
        True,
        f"submitted for {origins.describe(origin)}, signed by key id {signing.key_id(ctx.public_key)[:16]}{whose}",
    )


def rule_suite(ctx):
    suite = ctx.suite
    files = suite["files"]
    recomputed = suitehash.digest(files, str(suite.get("version", "")))
    problems = []
    if recomputed != suite.get("sha256") or suite.get("sha256") != ctx.manifest["suite"].get("sha256"):
        problems.append("the suite hash does not match its file list, version and the manifest")
    for rel, digest in sorted(files.items()):
        member = ctx.members.get(f"{layout.SUITE_FILES}/{rel}")
        if member is None or member.sha256 != digest:
            problems.append(f"test file {rel} is missing or differs from the suite's list")
    bundled = {
        n[len(layout.SUITE_FILES) + 1 :] for n in ctx.members if n.startswith(layout.SUITE_FILES + "/")
    }
    problems.extend(f"test file {rel} is not part of the suite hash" for rel in sorted(bundled - set(files)))
    version = str(suite.get("version", ""))
    if version != str((ctx.report.get("suite") or {}).get("version")):
        problems.append(f"suite version {version} is not the version the report was made by")
    ran = (ctx.report.get("suite") or {}).get("sha256")
    if ran and ran != suite.get("sha256"):
        problems.append(
            f"the bundled suite {str(suite.get('sha256'))[:16]} is not the suite the job ran ({str(ran)[:16]})"
        )
    if problems:
        return False, _listing(problems)
    released = ctx.releases.get(recomputed)
    if released is None:
        return (
            False,
            f"suite {version} sha256 {recomputed[:16]} is not a released suite (a development tree?)",
        )
    if released != version:
        return (
            False,
            f"suite hash {recomputed[:16]} is release {released}, but the bundle says version {version}",
        )
    return True, f"released suite {version} (sha256 {recomputed[:16]}, {len(files)} files)"


def rule_inputs(ctx):
    manifest, rep = ctx.manifest, ctx.report
    problems = []
    if set(manifest["profiles"]) != set(rep["profiles"]) or set(manifest["criteria"]) != set(rep["profiles"]):
        problems.append("the profiles of the manifest are not those of the report")
    for name, prof in sorted(rep["profiles"].items()):
        bundled = ctx.profile_of(name)
        if bundled.sha256 != prof.get("sha256") or bundled.name != name:
            problems.append(f"profile '{name}' is not the file the report names (sha256)")
        crit = ctx.criteria_of(name)
        scored = rep["score"]["profiles"].get(name, {}).get("criteria", {})
        if crit.sha256 != scored.get("sha256") or crit.version != scored.get("version"):
            problems.append(f"the criteria of profile '{name}' are not those the report was scored with")
    if problems:
        return False, _listing(problems)
    return True, "profiles and criteria are the files the report was scored with"


def rule_criteria(ctx):
    problems, named = [], []
    for name in sorted(ctx.manifest["criteria"]):
        crit = ctx.criteria_of(name)
        published = ctx.published.get(crit.version)
        if crit.state != "published":
            problems.append(f"criteria {crit.version} of profile '{name}' are a {crit.state}")
        elif published is None:
            problems.append(f"criteria version {crit.version} of profile '{name}' is not a published version")
        elif published != crit.sha256:
            problems.append(
                f"criteria {crit.version} of profile '{name}' differ from the published {crit.version} "
                f"(sha256 {crit.sha256[:12]}, published {published[:12]})"
            )
        named.append(f"{crit.version} (sha256 {crit.sha256[:12]})")
    if problems:
        return False, _listing(problems)
    return True, "published criteria " + ", ".join(sorted(set(named)))


def required_tests(ctx, prof):
    """{relative test name: tags} of every test the profile requires, read from the bundled suite."""
    files = ctx.suite["files"]
    required, problems = {}, []
    for area in prof.areas:
        sources = suiteindex.area_files(files, area)
        if not sources:
            problems.append(f"profile '{prof.name}' names area '{area}', which has no tests in the suite")
        for rel in sources:
            for test, tags in suiteindex.tests_in_source(ctx.suite_source(rel), rel):
                required[f"{rel}:{test}"] = tags
    for ref in prof.tests:
        rel, _sep, pattern = ref.partition(":")
        rel = ctx.relative(rel) if os.path.isabs(rel) else os.path.normpath(rel).replace(os.sep, "/")
        sources = [rel] if rel in files else suiteindex.area_files(files, rel)
        if not sources:
            problems.append(f"profile '{prof.name}' runs '{ref}', which is not part of the suite")
        for source in sources:
            for test, tags in suiteindex.tests_in_source(ctx.suite_source(source), source):
                if not pattern or re.search(pattern, test):
                    required[f"{source}:{test}"] = tags
    return required, problems


def _expected(ctx):
    """{(relative test, variant id): tags} every profile requires, and problems finding them."""
    if "expected" not in ctx.cache:
        ctx.cache["expected"] = _find_expected(ctx)
    return ctx.cache["expected"]


def _find_expected(ctx):
    expected, problems = {}, []
    listed = ctx.variants()
    for name in sorted(ctx.report["profiles"]):
        prof = ctx.profile_of(name)
        ran = [v["id"] for v in listed if v["profile"] == name]
        full = [v.id for v in variants.cross(prof)]
        problems.extend(f"variant {vid} of profile '{name}' did not run" for vid in full if vid not in ran)
        tests, missing_refs = required_tests(ctx, prof)
        problems.extend(missing_refs)
        for vid in ran:
            for test, tags in tests.items():
                expected[(test, vid)] = tags
    return expected, problems


def partial(ctx):
    """Whether the report says the run is INCOMPLETE: then results it lacks are what a partial run
    (one test file, a variant, an interruption) honestly lacks, not a sign of tampering."""
    rep = ctx.report
    return rep.get("verdict") == scoring.INCOMPLETE and rep["score"].get("verdict") == scoring.INCOMPLETE


def _reported(ctx):
    """The (relative test, variant) pairs the report lists (its results and its own MISSING ones)."""
    if "reported" in ctx.cache:
        return ctx.cache["reported"]
    expected, _problems = _expected(ctx)
    infos = _vt_tests(ctx)
    found = set()
    for entry in ctx.report.get("tests") or []:
        if not isinstance(entry, dict):
            continue
        name, vid = str(entry.get("test", "")), entry.get("variant")
        if name in infos:
            found.add((infos[name]["test"], vid))
            continue
        parts = ctx.relative(name).split("/")
        for start in range(len(parts)):  # the report names tests relative to the suite's parent
            if ("/".join(parts[start:]), vid) in expected:
                found.add(("/".join(parts[start:]), vid))
                break
    ctx.cache["reported"] = found
    return found


def _vt_tests(ctx):
    """{Avocado-VT test name: what it certifies} of a job run through Avocado-VT, else {}."""
    if VT_TESTS not in ctx.kept:
        return {}
    infos = ctx.json(VT_TESTS)
    if not all(isinstance(i, dict) and {"test", "variant", "name"} <= set(i) for i in infos.values()):
        raise Broken(f"{VT_TESTS}: entries need a test, a variant and a name")
    return infos


def _records(ctx):
    """Records of the raw results (results.json and variants.json), read once."""
    if "records" not in ctx.cache:
        variant_profiles = {v["id"]: v["profile"] for v in ctx.variants()}
        entries = ctx.entries()
        infos = _vt_tests(ctx)
        if infos:
            # Avocado-VT's results carry no params: vt-tests.json says which test x variant each one is.
            entries = vt.entries(entries, infos)
        ctx.cache["records"] = results.records(entries, variant_profiles)
    return ctx.cache["records"]


def _present(ctx):
    infos = _vt_tests(ctx)
    present = set()
    for rec in _records(ctx):
        test = infos[rec.test]["test"] if rec.test in infos else ctx.relative(rec.test)
        present.add((test, rec.variant))
    return present


def rule_tests(ctx):
    expected, found_problems = _expected(ctx)
    present = _present(ctx)
    missing = sorted(set(expected) - present)
    extra = sorted(present - set(expected))
    problems = [f"result for {test} [{vid}], which the profile does not run" for test, vid in extra]
    not_run = [p for p in found_problems if p.endswith("did not run")]
    problems.extend(p for p in found_problems if p not in not_run)
    if partial(ctx) and not problems:
        if missing or not_run:
            return True, (
                f"INCOMPLETE run: {len(expected) - len(missing)} of the {len(expected)} test x variant results "
                f"the profiles require are present"
                + (f", {len(not_run)} variant(s) did not run" if not_run else "")
            )
    problems = not_run + problems
    problems.extend(f"no result for {test} [{vid}]" for test, vid in missing)
    if problems:
        return False, _listing(problems)
    return True, f"all {len(expected)} test x variant results the profiles require are present"


def _tag_info(tags):
    return {
        "area": (sorted(tags.get("area") or ()) or [""])[0],
        "caps": tuple(sorted(tags.get("cap") or ())),
        "apis": tuple(sorted(tags.get("api") or ())),
    }


def _summary(prof_score):
    return {
        "verdict": prof_score.get("verdict"),
        "failed_required": prof_score.get("failed_required"),
        "incomplete_required": prof_score.get("incomplete_required"),
        "capabilities": [
            (c.get("id"), c.get("status"), c.get("outcome"), c.get("accepted"))
            for c in prof_score.get("capabilities") or []
        ],
        "areas": {
            name: (a.get("tests"), a.get("score")) for name, a in (prof_score.get("areas") or {}).items()
        },
    }


def rescore(ctx, only=None):
    """The score re-computed from the raw results, the bundled criteria and the report's date.

    Every required test without a result counts as MISSING; with only (a set of (test, variant)),
    only those do (what a partial run's own report counted)."""
    rep = ctx.report
    root = ctx.suite["root"].rstrip("/")
    expected_rel, _problems = _expected(ctx)
    if only is not None:
        expected_rel = {key: tags for key, tags in expected_rel.items() if key in only}
    vt_names = {(info["test"], info["variant"]): name for name, info in _vt_tests(ctx).items()}
    expected = {
        (vt_names.get((test, vid), f"{root}/{test}"), vid): _tag_info(tags)
        for (test, vid), tags in expected_rel.items()
    }
    variant_profiles = {v["id"]: v["profile"] for v in ctx.variants()}
    recs = list(_records(ctx))
    recs.extend(jobreport.missing_records(recs, expected, variant_profiles))
    crits = {name: ctx.criteria_of(name) for name in rep["profiles"]}
    today = scored_on(ctx)
    return scoring.score(recs, crits, today=today, interrupted=bool(rep["score"].get("interrupted"))), recs


def scored_on(ctx):
    try:
        return datetime.date.fromisoformat(str(ctx.report["score"].get("scored_on")))
    except ValueError:
        raise Broken(f"{layout.REPORT}: score.scored_on is not a date") from None


def _differences(rep, score):
    problems = []
    for name, computed in score["profiles"].items():
        claimed = _summary(rep["score"]["profiles"].get(name) or {})
        mine = _summary(computed)
        for key in ("verdict", "failed_required", "incomplete_required", "capabilities", "areas"):
            if claimed[key] != mine[key]:
                problems.append(
                    f"profile '{name}': the report's {key.replace('_', ' ')} differ from the raw results'"
                )
    return problems


def rule_verdict(ctx):
    rep = ctx.report
    score, recs = rescore(ctx)
    problems = []
    if score["verdict"] != rep.get("verdict") or score["verdict"] != rep["score"].get("verdict"):
        problems.append(f"the report says {rep.get('verdict')}, the raw results give {score['verdict']}")
    details = _differences(rep, score)
    if details and not problems and partial(ctx):
        # A partial run's report counts as MISSING only the tests it was asked to run.
        details = _differences(rep, rescore(ctx, only=_reported(ctx) | _present(ctx))[0])
    problems.extend(details)
    if problems:
        return False, _listing(problems)
    counted = sum(1 for rec in recs if rec.outcome != outcome.MISSING)
    if score["verdict"] == scoring.INCOMPLETE and len(recs) > counted:
        return (
            True,
            f"INCOMPLETE, re-computed from {counted} results ({len(recs) - counted} required missing)",
        )
    return True, f"{score['verdict']}, re-computed from {counted} results"


def rule_environment(ctx):
    env = ctx.json(layout.ENVIRONMENT)
    rep = ctx.report
    listed = ctx.variants()
    problems = []
    if rep.get("environment") != env:
        problems.append("the report's environment is not the environment manifest")
    if listed != rep.get("variants"):
        problems.append("the report's variants are not those of variants.json")
    targets = env.get("targets") or {}
    uris = {v.get("params", {}).get("uri") for v in listed} - {None}
    problems.extend(f"no environment recorded for {uri}" for uri in sorted(uris - set(targets)))
    problems.extend(f"environment of {uri}, which no variant uses" for uri in sorted(set(targets) - uris))
    for variant in listed:
        params = variant.get("params") or {}
        target = targets.get(params.get("uri")) or {}
        driver = str(params.get("driver", ""))
        if target and driver and str(target.get("driver", "")).lower() != driver.lower():
            problems.append(
                f"variant {variant['id']} is driver {driver}, the host reported {target.get('driver')}"
            )
    suite_version = (env.get("host") or {}).get("suite_version")
    if suite_version != (rep.get("suite") or {}).get("version"):
        problems.append(f"the environment was recorded by suite {suite_version}, not the report's")
    known = {v["id"] for v in listed}
    for rec in _records(ctx):
        if rec.variant not in known:
            problems.append(f"result {rec.id} has a variant the job did not define")
            break
    job_id = ctx.json(layout.RESULTS).get("job_id")
    if job_id != (rep.get("job") or {}).get("id"):
        problems.append("results.json is from another job than the report")
    if layout.HOST_SAFETY in ctx.kept and ctx.json(layout.HOST_SAFETY) != rep.get("host_safety"):
        problems.append("the report's host safety record is not host-safety.json")
    if problems:
        return False, _listing(problems)
    return (
        True,
        f"{len(targets)} target(s) recorded, consistent with {len(listed)} variant(s) and the results",
    )


def rule_waivers(ctx):
    rep = ctx.report
    today = scored_on(ctx)
    problems, applied = [], 0
    start = str(ctx.json(layout.RESULTS).get("start") or "")[:10]
    try:
        if start and today < datetime.date.fromisoformat(start):
            problems.append(f"scored on {today}, before the job started ({start})")
    except ValueError:
        problems.append(f"{layout.RESULTS}: start is not a date")
    for name, prof in sorted(rep["score"]["profiles"].items()):
        crit = ctx.criteria_of(name)
        for cap in prof.get("capabilities") or []:
            waiver = cap.get("waiver")
            if not waiver:
                continue
            applied += 1
            known = crit.waiver_for(cap.get("id"), name)
            if known is None or known.to_dict() != waiver:
                problems.append(f"the waiver of {cap.get('id')} on '{name}' is not in the criteria")
            elif known.expired(today):
                problems.append(
                    f"the waiver of {cap.get('id')} on '{name}' expired on {known.expires} and was applied"
                )
    if problems:
        return False, _listing(problems)
    return True, f"{applied} waiver(s) applied, none expired on {today}"


RULES = (
    ("structure", "the bundle's layout and manifest are complete", rule_structure),
    ("hashes", "every file matches its SHA-256 in the manifest", rule_hashes),
    ("signature", "the manifest's signature verifies with the given key", rule_signature),
    (
        "origin",
        "the signed origin names a vendor, product and version (the key's vendor, if given)",
        rule_origin,
    ),
    ("suite", "the suite hash is a released suite", rule_suite),
    ("inputs", "the profiles and criteria are those the report was scored with", rule_inputs),
    ("criteria", "the criteria version is a published one", rule_criteria),
    ("tests", "every test the profile requires has a result", rule_tests),
    ("verdict", "the verdict re-computed from the raw results equals the report's", rule_verdict),
    ("environment", "the environment manifest agrees with the results", rule_environment),
    ("waivers", "no expired waiver was applied", rule_waivers),
)
# Untrusted content may be any JSON or YAML shape, or a profile's test filter may not compile.
_CONTENT_ERRORS = (
    Broken,
    CertError,
    KeyError,
    TypeError,
    ValueError,
    AttributeError,
    IndexError,
    RecursionError,
    re.error,
)


def load_published_criteria(folder=None):
    """{version: sha256} of the criteria files marked published in a folder (default data/criteria)."""
    folder = folder or paths.criteria_dir()
    found = {}
    try:
        names = sorted(os.listdir(folder))
    except OSError as details:
        raise CertError(f"cannot read the criteria folder: {details.strerror}", folder) from None
    for name in names:
        if not name.endswith(".yaml") or not criteria_mod.VERSION_RE.match(name[:-5]):
            continue
        try:
            crit = criteria_mod.load(os.path.join(folder, name))
        except CertError:
            continue  # a malformed file publishes nothing
        if crit.state == "published":
            found[crit.version] = crit.sha256
    return found


def run_rules(ctx):
    out = []
    for name, title, check in RULES:
        try:
            passed, detail = check(ctx)
        except _CONTENT_ERRORS as details:
            passed, detail = False, f"cannot be checked: {_message(details)}"
        out.append(Rule(name, title, bool(passed), detail))
    return out


def _message(details):
    text = str(details).splitlines()[0] if str(details) else ""
    if isinstance(details, (Broken, CertError)):
        return text
    return f"malformed content ({type(details).__name__}: {text[:120]})"


def verify(bundle_path, public_key_bytes, releases=None, published_criteria=None, limits=None, vendor=None):
    """Check everything about a bundle that can be checked offline; return a Verification."""
    public_key = signing.parse_public(public_key_bytes)
    if releases is None:
        releases = suitehash.load_releases()
    if published_criteria is None:
        published_criteria = load_published_criteria()
    result = Verification(bundle=bundle_path, key_id=signing.key_id(public_key))
    try:
        members, kept = safetar.scan(bundle_path, limits, keep=read_by_rules)
    except CertError as details:
        result.fatal = str(details)
        result.rules = [Rule("structure", RULES[0][1], False, str(details))]
        return result
    ctx = Context(members, kept, public_key, releases, published_criteria, vendor)
    result.rules = run_rules(ctx)
    try:
        manifest = ctx.manifest
        result.origin = manifest.get("origin") if isinstance(manifest.get("origin"), dict) else None
        result.job_id = str((manifest.get("job") or {}).get("id", ""))
        result.verdict = str((manifest.get("job") or {}).get("verdict", ""))
    except _CONTENT_ERRORS:
        pass  # the structure rule has said why
    return result
