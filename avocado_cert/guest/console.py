"""The guest's serial console, driven with aexpect through `virsh console`: wait for the boot marker
and the prompt, run shell commands and read their output and exit status."""

import os
import re
import shlex
import shutil
import sys
import time

import aexpect
from aexpect import exceptions as aexpect_errors

from avocado_cert.base.errors import CertError

# virsh prints this once it is attached to the console; the guest may be resumed after it.
_ATTACHED = r"Escape character is"


class ConsoleError(AssertionError):
    """The guest did not do what was asked on its console (no boot, no prompt, a command failed)."""


def _virsh():
    found = shutil.which("virsh")
    if not found:
        raise CertError("the guest console needs virsh (libvirt-clients)")
    return found


def _aexpect_path():
    """aexpect starts aexpect_helper from PATH: make sure this interpreter's bin/ is on it."""
    bindir = os.path.dirname(sys.executable)
    path = os.environ.get("PATH", "")
    if bindir not in path.split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + path


class GuestConsole:
    """One attached console of a domain whose guest prints `marker BOOT_ID` and then `prompt`."""

    # Take the console over from a stale client (VIR_DOMAIN_CONSOLE_FORCE), where the driver can.
    FORCE = True

    def __init__(self, uri, name, marker, prompt, log=None):
        self.uri = uri
        self.name = name
        self.marker = marker
        self.prompt = prompt
        self.log = log
        self.boot_id = None
        self._marker_re = re.compile(re.escape(marker) + r" (\S+)")
        self._session = None

    # --- attaching ---------------------------------------------------------------------------
    def attach(self, timeout=15.0):
        """Attach to the console (the domain must be running or paused); return once virsh is attached."""
        _aexpect_path()
        # Quoted: a remote URI carries &-separated parameters (pkipath, authfile).
        command = f"{_virsh()} -c {shlex.quote(self.uri)} console {self.name}" + (
            " --force" if self.FORCE else ""
        )
        self._session = aexpect.ShellSession(
            command,
            prompt=re.escape(self.prompt.rstrip()) + r"\s*$",
            output_func=self._log_line,
            output_prefix=f"[{self.name}] ",
        )
        try:
            self._session.read_until_output_matches([_ATTACHED], timeout=timeout)
        except aexpect_errors.ExpectError as details:
            self.close()
            raise ConsoleError(f"cannot attach to the console of {self.name}: {_tail(details)}") from None
        return self

    def _log_line(self, line):
        if self.log:
            self.log(line.rstrip())

    @property
    def session(self):
        if self._session is None:
            raise ConsoleError(f"the console of {self.name} is not attached")
        return self._session

    # --- booting -----------------------------------------------------------------------------
    def wait_boot(self, timeout=120.0, previous=None):
        """Wait for a boot marker (one whose boot id differs from previous) and then the prompt.

        Returns the new boot id."""
        deadline = time.monotonic() + timeout
        seen = ""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ConsoleError(
                    f"{self.name}: no boot marker and prompt within {timeout:g} s; console ended with: "
                    f"{seen[-300:]!r}"
                )
            try:
                _match, chunk = self.session.read_until_last_line_matches([self.session.prompt], timeout=left)
            except aexpect_errors.ExpectTimeoutError as details:
                seen += details.output
                continue
            except aexpect_errors.ExpectProcessTerminatedError as details:
                raise ConsoleError(
                    f"{self.name}: the console closed while booting: {_tail(details)}"
                ) from None
            seen += chunk
            boots = [boot for boot in self._marker_re.findall(seen.replace("\r", "")) if boot != previous]
            if boots:
                self.boot_id = boots[-1]
                return self.boot_id

    def wait_shell(self, timeout=30.0):
        """On a guest already at its shell (restored from a saved state): wake the prompt and read the
        boot id of the kernel that runs. Returns it."""
        try:
            self.session.sendline("")
            self.session.read_up_to_prompt(timeout=timeout)
        except aexpect_errors.ExpectError as details:
            raise ConsoleError(
                f"{self.name}: no shell prompt within {timeout:g} s: {_tail(details)}"
            ) from None
        self.boot_id = self.check("cat /proc/sys/kernel/random/boot_id", timeout).strip()
        return self.boot_id

    def wait_marker(self, timeout):
        """Wait only for the boot marker (no prompt); True if it came within timeout."""
        try:
            self.session.read_until_output_matches([self._marker_re.pattern], timeout=timeout)
        except aexpect_errors.ExpectError:
            return False
        return True

    def wait_closed(self, timeout=30.0):
        """Wait for the console to end (the domain stopped); True if it did within timeout."""
        deadline = time.monotonic() + timeout
        while self.session.is_alive():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
        return True

    # --- commands ----------------------------------------------------------------------------
    def run(self, command, timeout=30.0):
        """Run a shell command in the guest; return (exit status, output without carriage returns)."""
        try:
            status, output = self.session.cmd_status_output(command, timeout=timeout)
        except aexpect_errors.ShellError as details:
            raise ConsoleError(f"{self.name}: `{command}` did not complete: {_tail(details)}") from None
        return status, output.replace("\r", "")

    def check(self, command, timeout=30.0):
        """Run a command that must succeed; return its output."""
        status, output = self.run(command, timeout)
        if status != 0:
            raise ConsoleError(f"{self.name}: `{command}` exited with {status}: {output.strip()[-300:]}")
        return output

    def send(self, line):
        """Send a line without waiting for the prompt (e.g. a command that powers the guest off)."""
        self.session.sendline(line)

    def close(self):
        if self._session is not None:
            self._session.close()
            self._session = None


def _tail(details):
    text = str(getattr(details, "output", "") or details)
    return text.replace("\r", "").strip()[-300:] or type(details).__name__
