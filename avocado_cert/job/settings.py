"""A certification job's settings: the plan applied to Avocado's job config (references, the Avocado-VT
job file, the spawner, parallelism), leaving alone what the user set explicitly."""

from avocado_cert.base.errors import CertError
from avocado_cert.vt import job as vt


def _given_on_command_line(argv, flag):
    return any(arg == flag or arg.startswith(flag + "=") for arg in argv)


def apply_to_config(the_plan, config, argv):
    """Fill the job settings the profile decides, leaving alone what the user set explicitly.

    Returns the line that tells the user how many tests run at a time, and why."""
    given = config.get("resolver.references")
    if the_plan.runner == "vt":
        config["vt.config"] = vt.write_job_config(the_plan)
        config["vt.short_names_when_config"] = True
        config["resolver.references"] = vt.translate_references(the_plan, given)
    elif not given:
        config["resolver.references"] = list(the_plan.references)
    if the_plan.runner != "vt" and not _given_on_command_line(argv, "--spawner"):
        # Forked from a pre-loaded server: a test starts in milliseconds instead of a new interpreter.
        config["run.spawner"] = "forkserver"
    if _given_on_command_line(argv, "--max-parallel-tasks"):
        chosen = config.get("run.max_parallel_tasks")
        if the_plan.runner == "vt" and str(chosen) != "1":
            raise CertError(
                "--max-parallel-tasks: Avocado-VT runs its tests one at a time; use 1 or leave it out"
            )
        return f"avocado-cert: up to {chosen} test(s) at a time (--max-parallel-tasks)"
    # Avocado-VT's packaged config makes every job serial; a certification job sets its own.
    config["run.max_parallel_tasks"] = the_plan.parallel
    config["nrunner.max_parallel_tasks"] = the_plan.parallel
    if the_plan.runner == "vt":
        return "avocado-cert: the tests run through Avocado-VT, one at a time (run.max_parallel_tasks = 1)"
    return (
        f"avocado-cert: up to {the_plan.parallel} test(s) at a time (run.max_parallel_tasks = "
        f"{the_plan.parallel}: the profile's parallel:, parallel_per_cpu: x CPUs, or the CPU count)"
    )
