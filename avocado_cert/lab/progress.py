"""Live progress of a certification run, read from `avocado run`'s own output lines:
" (3/7) /path/tests/host/test_connection.py:Class.test;variant:  PASS (0.11 s)"."""

import re

LINE = re.compile(r"^\s*\((\d+)/(\d+)\)\s+(\S+?):\S*?:\s+(STARTED|[A-Z]+)\b")
JOB_LOG = re.compile(r"^JOB LOG\s*:\s*(\S.*)$")


class Progress:
    """Tests finished of the total, and the area of the newest test started."""

    def __init__(self):
        self.done = 0
        self.total = 0
        self.area = ""
        self.job_log = ""

    def feed(self, line):
        """True when the line moved the progress."""
        found = JOB_LOG.match(line)
        if found:
            self.job_log = found.group(1).strip()
            return False
        found = LINE.match(line)
        if not found:
            return False
        _index, total, path, status = found.groups()
        self.total = int(total)
        if status == "STARTED":
            self.area = area_of(path)
        else:
            self.done = min(self.done + 1, self.total)
        return True

    def finished(self, count):
        """The job ended with `count` results (None: unknown, the lines' count stands)."""
        if count is not None:
            self.done = count
            self.total = max(self.total, count)


def area_of(path):
    """The API area of a test file: the folder under tests/ (tests/<area>/test_x.py)."""
    parts = path.replace("\\", "/").split("/")
    if "tests" not in parts[:-1]:
        return ""
    index = len(parts) - 1 - parts[::-1].index("tests")
    return parts[index + 1] if index + 1 < len(parts) - 1 else ""
