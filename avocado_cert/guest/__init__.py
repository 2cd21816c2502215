"""The certification guest: a tiny Linux image built from Debian packages (recipe, build, cache),
the choice of virt type that boots it, and its serial console."""
