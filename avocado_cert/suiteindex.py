"""The certification tests of a suite, read statically from its source (nothing is imported).

Follows the rules Avocado's loader applies to this suite: a test class derives (in the same file,
or through an imported base whose name ends in "Test") from CertTest or avocado's Test; its test
methods are the "test*" methods of the class and of its same-file bases; `:avocado: disable`
hides a class, `:avocado: enable` shows one; class tags are merged into each method's tags.
"""

import ast
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
        for tag in item[len("tags="):].split(","):
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


def tests_in_source(source, where="<source>"):
    """[(Class.method, {tag key: set of values})] of one test file's source, in file order."""
    try:
        tree = ast.parse(source, filename=where)
    except (SyntaxError, ValueError):
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

    def methods(name, seen=()):
        node = classes.get(name)
        if node is None or name in seen:
            return []
        inherited = []
        for base in node.bases:
            inherited.extend(methods(_base_name(base), seen + (name,)))
        own = [f for f in node.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))]
        own_names = {f.name for f in own}
        merged = [m for m in inherited if m.name not in own_names]
        return merged + [f for f in own if f.name.startswith("test")]

    found = []
    for name, node in classes.items():
        flags = directives(ast.get_docstring(node))
        if "disable" in flags or not ("enable" in flags or is_test_class(name)):
            continue
        class_tags = tags_of(ast.get_docstring(node))
        for method in methods(name):
            tags = {key: set(values) for key, values in class_tags.items()}
            for key, values in tags_of(ast.get_docstring(method)).items():
                tags.setdefault(key, set()).update(values)
            found.append((f"{name}.{method.name}", tags))
    return found


def area_files(files, area):
    """The Python files of one area folder (at any depth) among the suite's relative paths."""
    prefix = f"{area}/"
    return [rel for rel in sorted(files) if rel.startswith(prefix) and rel.endswith(".py")]
