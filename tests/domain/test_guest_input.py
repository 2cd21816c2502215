"""Input the guest receives: an NMI injected into the domain is counted by the guest kernel, and keys
sent to the domain reach the guest's keyboard as key events."""

import libvirt

from avocado_cert.testing import CertTest

NMI_COUNT = (
    "awk '/^ *NMI:/ {n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i; print n}' /proc/interrupts"
)
# The evdev node of the PS/2 keyboard that QEMU's send-key drives.
KEYBOARD_EVENT = (
    "for d in /sys/class/input/event*; do grep -q 'AT Translated' $d/device/name && echo ${d##*/}; done; true"
)
KEY_EVENTS = "/tmp/acert-keys"
EV_KEY = 1
KEY_A = 30  # Linux input keycode of A
EVENT_WORDS = 12  # struct input_event on 64-bit guests: 24 bytes, read as 12 unsigned 16-bit words


class GuestInput(CertTest):
    """
    :avocado: tags=area:domain,cap:domain.guest_input
    """

    def test_inject_nmi(self):
        """
        An NMI injected into the domain is received by the guest: its NMI counter goes up.

        :avocado: tags=api:virDomainInjectNMI
        """
        guest = self.running_guest("the guest counts NMIs")
        before = guest.read_int(NMI_COUNT)
        self.assertEqual(guest.dom.injectNMI(0), 0)
        self.wait_for(
            lambda: guest.read_int(NMI_COUNT) > before, 30, step=0.5, what="the guest's NMI count to rise"
        )

    def _key_events(self, guest):
        """(type, code, value) of each input event the guest recorded."""
        words = [int(w) for w in guest.check(f"od -An -tu2 -v {KEY_EVENTS}").split()]
        events = []
        for start in range(0, len(words) - EVENT_WORDS + 1, EVENT_WORDS):
            event = words[start : start + EVENT_WORDS]
            events.append((event[8], event[9], event[10] | event[11] << 16))
        return events

    def test_send_key(self):
        """
        A key sent with the Linux keycode set reaches the guest's keyboard: it sees the key pressed
        and released.

        :avocado: tags=api:virDomainSendKey
        """
        # A fresh boot: on a restored guest the shell of the console was seen to exit when the reader ended.
        guest = self.boot_guest("the guest reads its keyboard")
        device = guest.check(KEYBOARD_EVENT).strip()
        self.require(device, "the guest has no PS/2 keyboard")
        guest.check(f"cat /dev/input/{device} > {KEY_EVENTS} & echo $! > {KEY_EVENTS}.pid")
        self.assertEqual(guest.dom.sendKey(libvirt.VIR_KEYCODE_SET_LINUX, 50, [KEY_A], 1, 0), 0)

        def pressed_and_released():
            keys = [(code, value) for kind, code, value in self._key_events(guest) if kind == EV_KEY]
            return (KEY_A, 1) in keys and (KEY_A, 0) in keys

        self.wait_for(pressed_and_released, 30, step=0.5, what="the guest to see key A pressed and released")
        guest.check(f"kill $(cat {KEY_EVENTS}.pid)")
