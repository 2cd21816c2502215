"""Helpers of the network suites: prefixed networks, ports, update fragments and XML read-back."""

import random
import uuid

import libvirt
from lxml import etree

from avocado_cert.base import naming, xmlsafe
from avocado_cert.testing import xmlbuild

SECTIONS = {
    "dhcp-host": libvirt.VIR_NETWORK_SECTION_IP_DHCP_HOST,
    "dhcp-range": libvirt.VIR_NETWORK_SECTION_IP_DHCP_RANGE,
    "dns-host": libvirt.VIR_NETWORK_SECTION_DNS_HOST,
    "portgroup": libvirt.VIR_NETWORK_SECTION_PORTGROUP,
}
# Where each section's elements live in the network XML.
SECTION_PATHS = {
    "dhcp-host": "ip/dhcp/host",
    "dhcp-range": "ip/dhcp/range",
    "dns-host": "dns/host",
    "portgroup": "portgroup",
}


class NetworkSpec:
    """A fresh isolated network: name, bridge and /24 subnet (first three octets)."""

    def __init__(self, forward=None):
        self.name = naming.unique("net")
        self.bridge = naming.netdev()
        self.subnet = f"10.{random.randint(100, 250)}.{random.randint(0, 255)}"
        self.forward = forward

    def xml(self):
        return xmlbuild.to_xml(xmlbuild.network(self.name, self.bridge, self.subnet, self.forward))

    def address(self, host):
        return f"{self.subnet}.{host}"


def random_mac():
    return "52:54:00:" + ":".join(f"{random.randint(0, 255):02x}" for _ in range(3))


def port_xml(owner_name, mac, inbound=1000, outbound=1000):
    """A network port owned by a (prefixed) domain name; returns (uuid, xml)."""
    root = xmlbuild.template("network-port")
    port_uuid = str(uuid.uuid4())
    root.find("uuid").text = port_uuid
    root.find("owner/name").text = owner_name
    root.find("owner/uuid").text = str(uuid.uuid4())
    root.find("mac").set("address", mac)
    root.find("bandwidth/inbound").set("average", str(inbound))
    root.find("bandwidth/outbound").set("average", str(outbound))
    return port_uuid, xmlbuild.to_xml(root)


# --- fragments given to virNetworkUpdate ---------------------------------------------------------
def dhcp_host(mac, name, ip):
    return xmlsafe.tostring(etree.Element("host", mac=mac, name=name, ip=ip))


def dhcp_range(start, end):
    return xmlsafe.tostring(etree.Element("range", start=start, end=end))


def dns_host(ip, hostname):
    host = etree.Element("host", ip=ip)
    etree.SubElement(host, "hostname").text = hostname
    return xmlsafe.tostring(host)


def portgroup(name, inbound=None):
    group = etree.Element("portgroup", name=name)
    if inbound is not None:
        bandwidth = etree.SubElement(group, "bandwidth")
        etree.SubElement(bandwidth, "inbound", average=str(inbound))
    return xmlsafe.tostring(group)


# --- reading the network XML back ----------------------------------------------------------------
def section_items(xml, section):
    """The elements of one update section in a network XML, as attribute dicts (text children too)."""
    items = []
    for element in xmlsafe.fromstring(xml, "network XML").findall(SECTION_PATHS[section]):
        item = dict(element.attrib)
        for child in element:
            if child.text and child.text.strip():
                item.setdefault(child.tag, child.text.strip())
        bandwidth = element.find("bandwidth/inbound")
        if bandwidth is not None:
            item["inbound"] = bandwidth.get("average")
        items.append(item)
    return items


def has_item(xml, section, **match):
    return any(all(item.get(k) == v for k, v in match.items()) for item in section_items(xml, section))
