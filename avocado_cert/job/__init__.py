"""A certification job in Avocado: the plan turned into the job's settings."""
