"""The community's test lab (centralized mode): lab hosts and their inventory, certification
requests matched to them, and the workers that run the certifications on a distributed task queue."""
