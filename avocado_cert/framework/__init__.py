"""What avocado-cert adds to or mends in Avocado itself: the fork-server spawner's server, the safeloader mends."""
