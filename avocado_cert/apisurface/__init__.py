"""The libvirt API surface: libvirt-api.xml, libvirt-python's bindings, the read-only table, coverage."""
