"""Domain events: lifecycle events in order for a domain the test drives, reboot, device and metadata
events, per-domain filtering, deregistration, and the older domainEventRegister API."""

import libvirt

from avocado_cert.testing import events
from avocado_cert.testing.events import EventTest

LIFECYCLE = libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE
# A user alias (ua- prefix) lets the test name the device in both the request and the events.
TABLET_ALIAS = "ua-acert-tablet"
TABLET_XML = f"<input type='tablet' bus='usb'><alias name='{TABLET_ALIAS}'/></input>"


class DomainEventTest(EventTest):
    """
    :avocado: disable
    """


class DomainLifecycleEvents(DomainEventTest):
    """
    :avocado: tags=area:event,cap:event.domain
    """

    def test_lifecycle_order(self):
        """
        Define, start, suspend, resume, destroy and undefine each raise their lifecycle event, with its
        detail, for that domain, in that order.

        :avocado: tags=api:virConnectDomainEventRegisterAny,api:virConnectDomainEventDeregisterAny
        :avocado: tags=api:virEventRegisterDefaultImpl,api:virEventRunDefaultImpl
        """
        collector = events.Collector()
        self.subscriptions.domain(LIFECYCLE, collector.lifecycle("lifecycle"))
        dom = self.define_domain()
        name = dom.name()
        dom.create()
        dom.suspend()
        dom.resume()
        dom.destroy()
        dom.undefine()
        self.expect_sequence(
            collector,
            name,
            [
                (libvirt.VIR_DOMAIN_EVENT_DEFINED, libvirt.VIR_DOMAIN_EVENT_DEFINED_ADDED),
                (libvirt.VIR_DOMAIN_EVENT_STARTED, libvirt.VIR_DOMAIN_EVENT_STARTED_BOOTED),
                (libvirt.VIR_DOMAIN_EVENT_SUSPENDED, libvirt.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED),
                (libvirt.VIR_DOMAIN_EVENT_RESUMED, libvirt.VIR_DOMAIN_EVENT_RESUMED_UNPAUSED),
                (libvirt.VIR_DOMAIN_EVENT_STOPPED, libvirt.VIR_DOMAIN_EVENT_STOPPED_DESTROYED),
                (libvirt.VIR_DOMAIN_EVENT_UNDEFINED, libvirt.VIR_DOMAIN_EVENT_UNDEFINED_REMOVED),
            ],
        )

    def test_filtered_by_domain(self):
        """
        A callback registered for one domain gets that domain's events and none of another's.

        :avocado: tags=api:virConnectDomainEventRegisterAny
        """
        mine, control = events.Collector(), events.Collector()
        first, second = self.define_domain(), self.define_domain()
        self.subscriptions.domain(LIFECYCLE, mine.lifecycle("lifecycle"), dom=first)
        self.subscriptions.domain(LIFECYCLE, control.lifecycle("lifecycle"))
        for dom in (first, second):
            dom.create()
            dom.destroy()
        stopped = [(libvirt.VIR_DOMAIN_EVENT_STARTED, None), (libvirt.VIR_DOMAIN_EVENT_STOPPED, None)]
        self.expect_sequence(control, second.name(), stopped)
        self.expect_sequence(mine, first.name(), stopped)
        others = {e.name for e in mine.settle()} - {first.name()}
        self.assertFalse(others, f"a callback for {first.name()} received events of {others}")

    def test_deregister_stops_delivery(self):
        """
        After virConnectDomainEventDeregisterAny the callback receives nothing more, while another
        callback still does; deregistering twice is refused.

        :avocado: tags=api:virConnectDomainEventDeregisterAny,api:virConnectDomainEventRegisterAny
        """
        gone, control = events.Collector(), events.Collector()
        subscription = self.subscriptions.domain(LIFECYCLE, gone.lifecycle("lifecycle"))
        dom = self.define_domain()
        name = dom.name()
        self.expect_sequence(gone, name, [(libvirt.VIR_DOMAIN_EVENT_DEFINED, None)])
        # libvirt refuses a second callback with the same event and filter: the control filters by domain.
        self.subscriptions.domain(LIFECYCLE, control.lifecycle("lifecycle"), dom=dom)
        subscription.cancel()
        received = len(gone.settle())
        dom.create()
        dom.destroy()
        dom.undefine()
        self.expect_sequence(
            control,
            name,
            [(libvirt.VIR_DOMAIN_EVENT_STOPPED, None), (libvirt.VIR_DOMAIN_EVENT_UNDEFINED, None)],
        )
        self.assertEqual(
            len(gone.settle()), received, f"events after deregistration: {gone.history[received:]}"
        )
        self.expect_error(libvirt.VIR_ERR_INVALID_ARG, self.conn.domainEventDeregisterAny, subscription.key)

    def test_legacy_register(self):
        """
        The older virConnectDomainEventRegister delivers lifecycle events; after
        virConnectDomainEventDeregister nothing more arrives.

        :avocado: tags=api:virConnectDomainEventRegister,api:virConnectDomainEventDeregister
        """
        legacy, control = events.Collector(), events.Collector()
        subscription = self.subscriptions.domain_legacy(legacy.lifecycle("legacy"))
        self.subscriptions.domain(LIFECYCLE, control.lifecycle("lifecycle"))
        dom = self.define_domain()
        name = dom.name()
        self.expect_sequence(
            legacy, name, [(libvirt.VIR_DOMAIN_EVENT_DEFINED, libvirt.VIR_DOMAIN_EVENT_DEFINED_ADDED)]
        )
        subscription.cancel()
        received = len(legacy.settle())
        dom.undefine()
        self.expect_sequence(control, name, [(libvirt.VIR_DOMAIN_EVENT_UNDEFINED, None)])
        self.assertEqual(
            len(legacy.settle()), received, f"events after deregistration: {legacy.history[received:]}"
        )


class DomainDeviceEvents(DomainEventTest):
    """
    :avocado: tags=area:event,cap:event.domain_other
    """

    def test_reboot(self):
        """
        A reset of a running domain raises the REBOOT event for it.

        :avocado: tags=api:virConnectDomainEventRegisterAny
        """
        collector = events.Collector()
        dom = self.define_domain()
        self.subscriptions.domain(libvirt.VIR_DOMAIN_EVENT_ID_REBOOT, collector.simple("reboot"), dom=dom)
        dom.create()
        self.assertEqual(dom.reset(0), 0)
        self.expect_sequence(collector, dom.name(), [(None, None)], kind="reboot")

    def test_device_added_removed(self):
        """
        Hot-plugging a device raises DEVICE_ADDED with its alias; unplugging it raises DEVICE_REMOVED.

        :avocado: tags=api:virConnectDomainEventRegisterAny
        """
        added, removed = events.Collector(), events.Collector()
        dom = self.define_domain()
        self.subscriptions.domain(
            libvirt.VIR_DOMAIN_EVENT_ID_DEVICE_ADDED, added.with_alias("added"), dom=dom
        )
        self.subscriptions.domain(
            libvirt.VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, removed.with_alias("removed"), dom=dom
        )
        dom.create()
        dom.attachDeviceFlags(TABLET_XML, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        got = added.wait(lambda h: [e for e in h if e.extra == TABLET_ALIAS], self.event_timeout)
        self.assertTrue(got, f"no DEVICE_ADDED for {TABLET_ALIAS}: {added.history}")
        dom.detachDeviceFlags(TABLET_XML, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        got = removed.wait(lambda h: [e for e in h if e.extra == TABLET_ALIAS], self.event_timeout)
        self.assertTrue(got, f"no DEVICE_REMOVED for {TABLET_ALIAS}: {removed.history}")
        self.assertEqual({e.name for e in added.history + removed.history}, {dom.name()})

    def test_metadata_change(self):
        """
        Changing a domain's description, title or namespaced metadata raises METADATA_CHANGE with the
        type (and namespace) changed.

        :avocado: tags=api:virConnectDomainEventRegisterAny
        """
        collector = events.Collector()
        dom = self.define_domain()
        self.subscriptions.domain(
            libvirt.VIR_DOMAIN_EVENT_ID_METADATA_CHANGE, collector.metadata("metadata"), dom=dom
        )
        config = libvirt.VIR_DOMAIN_AFFECT_CONFIG
        uri = "http://avocado-cert.example/acert-event"
        dom.setMetadata(libvirt.VIR_DOMAIN_METADATA_DESCRIPTION, "acert description", None, None, config)
        dom.setMetadata(libvirt.VIR_DOMAIN_METADATA_TITLE, "acert title", None, None, config)
        dom.setMetadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT, "<acert>1</acert>", "acert", uri, config)
        self.expect_sequence(
            collector,
            dom.name(),
            [
                (libvirt.VIR_DOMAIN_METADATA_DESCRIPTION, None),
                (libvirt.VIR_DOMAIN_METADATA_TITLE, None),
                (libvirt.VIR_DOMAIN_METADATA_ELEMENT, None),
            ],
        )
        element = [e for e in collector.of(dom.name()) if e.event == libvirt.VIR_DOMAIN_METADATA_ELEMENT][0]
        self.assertEqual(element.extra, uri, "METADATA_CHANGE for an element names its namespace")
