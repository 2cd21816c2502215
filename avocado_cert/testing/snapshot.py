"""XML of snapshots, checkpoints and backups, built from the templates in data/xml."""

from lxml import etree

from avocado_cert.testing import xmlbuild


def snapshot(name, description=None, memory=None, memory_file=None, disks=None):
    """A <domainsnapshot>; memory: 'no', 'internal' or 'external' (with memory_file); disks: a list of
    (target, mode, file) with mode 'internal', 'external' (file is the new overlay) or 'no'."""
    root = xmlbuild.template("snapshot")
    root.find("name").text = name
    if description is not None:
        root.find("description").text = description
    if memory:
        element = etree.SubElement(root, "memory", snapshot=memory)
        if memory_file:
            element.set("file", memory_file)
    if disks:
        disks_el = etree.SubElement(root, "disks")
        for target, mode, path in disks:
            disk = etree.SubElement(disks_el, "disk", name=target, snapshot=mode)
            if path:
                etree.SubElement(disk, "source", file=path)
    return xmlbuild.to_xml(root)


def checkpoint(name, description=None, disks=None):
    """A <domaincheckpoint>; disks: a list of (target, mode) with mode 'bitmap' or 'no'."""
    root = xmlbuild.template("checkpoint")
    root.find("name").text = name
    if description is not None:
        root.find("description").text = description
    if disks:
        disks_el = etree.SubElement(root, "disks")
        for target, mode in disks:
            etree.SubElement(disks_el, "disk", name=target, checkpoint=mode)
    return xmlbuild.to_xml(root)


def push_backup(target_file, disk="vda", incremental=None):
    """A push-mode <domainbackup> of one disk to a qcow2 file, full or since a checkpoint."""
    root = xmlbuild.template("backup-push")
    element = root.find("disks/disk")
    element.set("name", disk)
    element.find("target").set("file", target_file)
    if incremental:
        inc = etree.Element("incremental")
        inc.text = incremental
        root.insert(0, inc)
    return xmlbuild.to_xml(root)
