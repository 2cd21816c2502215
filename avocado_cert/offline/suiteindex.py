"""The certification tests of a suite, read statically from its source (nothing is imported).

Follows the rules Avocado's loader (avocado.core.safeloader) applies to this suite: a test class
derives (in the same file, or through an imported base whose name ends in "Test") from CertTest
or avocado's Test; its test methods are its own "test*" methods, then those of its same-file
bases; `:avocado: disable` hides a class, `:avocado: enable` shows one; tags combine as Avocado
combines them. Imported bases are not followed: the suite keeps its test methods in tests/.
"""

import ast
import functools
import re

DIRECTIVE_RE = re.compile(r"^\s*:avocado:[ \t]+([a-zA-Z0-9][a-zA-Z0-9_:,=\-.]*)\s*$")


def directives(docstring):
    return [m.group(1) for m in map(DIRECTIVE_RE.match, (docstring or "").splitlines()) if m]


def tags_of(docstring):
    """{key: set of values} of the `:avocado: tags=key:value,...` lines of a docstring."""
    tags = {}
    for item in directives(docstring):
        if not item.startswith("tags="):
            continue
        for tag in item[len("tags=") :].split(","):
            if tag:
                key, _sep, value = tag.partition(":")
                tags.setdefault(key, set())
                if value:
                    tags[key].add(value)
    return tags


def _base_name(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _looks_like_test_base(name):
    return name == "Test" or name.endswith("Test")


def _own_methods(node, class_tags):
    """[name, tags] of a class body's test methods; class tags replace method tags key by key."""
    info = []
    for item in node.body:
        if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) or not item.name.startswith("test"):
            continue
        if "property" in [getattr(d, "id", None) for d in item.decorator_list]:
            continue
        tags = tags_of(ast.get_docstring(item))
        tags.update({key: set(values) for key, values in class_tags.items()})
        if item.name not in [name for name, _tags in info]:
            info.append([item.name, tags])
    return info


def _class_info(name, classes, seen=()):
    """([method, tags], class tags) of a class, with what it inherits from same-file bases.

    Mirrors Avocado's safeloader: a base's class tags fill the keys the class's own methods lack;
    the class's tags are forced onto inherited methods; an overriding method keeps its own."""
    node = classes[name]
    class_tags = tags_of(ast.get_docstring(node))
    info = _own_methods(node, class_tags)
    for base in node.bases:
        if not isinstance(base, ast.Name) or base.id not in classes or base.id in seen + (name,):
            continue
        inherited, base_tags = _class_info(base.id, classes, seen + (name,))
        if not inherited:
            continue
        for _method, tags in info:
            for key, values in base_tags.items():
                tags.setdefault(key, set(values))
        for _method, tags in inherited:
            tags.update({key: set(values) for key, values in class_tags.items()})
        for method, tags in inherited:
            mine = next((entry for entry in info if entry[0] == method), None)
            if mine is None:
                info.append([method, tags])
            else:
                for key, values in tags.items():
                    mine[1].setdefault(key, values)
    return info, class_tags


def tests_in_source(source, where="<source>"):
    """[(Class.method, {tag key: set of values})] of one test file's source, in file order."""
    return [
        (name, {key: set(values) for key, values in tags.items()}) for name, tags in _tests(source, where)
    ]


@functools.lru_cache(maxsize=4096)
def _tests(source, where):
    """The parse of one source, kept: a service verifies many bundles of the same released suite."""
    try:
        tree = ast.parse(source, filename=where)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    memo = {}

    def is_test_class(name, seen=()):
        if name in memo:
            return memo[name]
        node = classes.get(name)
        if node is None or name in seen:
            return _looks_like_test_base(name)
        found = any(is_test_class(_base_name(b), seen + (name,)) for b in node.bases if _base_name(b))
        memo[name] = found
        return found

    found = []
    for name, node in classes.items():
        flags = directives(ast.get_docstring(node))
        if "disable" in flags or not ("enable" in flags or is_test_class(name)):
            continue
        for method, tags in _class_info(name, classes)[0]:
            found.append((f"{name}.{method}", tags))
    return found


def area_files(files, area):
    """The Python files of one area folder (at any depth) among the suite's relative paths."""
    prefix = f"{area}/"
    return [rel for rel in sorted(files) if rel.startswith(prefix) and rel.endswith(".py")]
