"""The host under test through libvirt: connections, environment, object inventory, pre/post checks."""
