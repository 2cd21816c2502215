"""The job directory of this account's last certification run, so that `avocado cert bundle latest`
finds it wherever the run put its results (--job-results-dir included)."""

import os

ENV_STATE = "XDG_STATE_HOME"


def _record_path():
    state = os.environ.get(ENV_STATE) or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(state, "avocado-cert", "last-job")


def record(job_dir):
    """Remember job_dir; a home that cannot be written only loses the convenience."""
    path = _record_path()
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        temp = f"{path}.{os.getpid()}"
        with open(temp, "w", encoding="utf-8") as out:
            out.write(os.path.abspath(job_dir) + "\n")
        os.replace(temp, path)
    except OSError:
        pass


def recorded():
    """The last certification run's job directory, if it is still there, else None."""
    try:
        with open(_record_path(), encoding="utf-8") as src:
            job_dir = src.read().strip()
    except OSError:
        return None
    return job_dir if job_dir and os.path.isdir(job_dir) else None
