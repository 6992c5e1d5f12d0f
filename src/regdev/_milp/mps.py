"""Write a model as free-format MPS, atomically."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import highspy

from regdev._milp.builder import MilpModel
from regdev._milp.highs import new_highs


def _highs_write(lp: highspy.HighsLp, tmp: Path, dest: Path) -> None:
    h = new_highs()
    h.passModel(lp)
    if h.writeModel(str(tmp)) == highspy.HighsStatus.kError:
        msg = f"HiGHS could not write the model to {dest}"
        raise OSError(msg)


def write_mps(model: MilpModel | highspy.HighsLp, path: str | os.PathLike[str]) -> Path:
    """Write ``model`` to ``path`` in free MPS format (HiGHS ``writeModel``), atomically.

    HiGHS writes into a temporary sibling ending in ``.mps`` (it picks the
    format by the extension), which is flushed to disk and then renamed over
    ``path``: a reader never sees half a file.  The objective sense is kept in
    an ``OBJSENSE`` section and there is no constant offset, so re-solving the
    file gives the model's objective.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    lp = model.lp if isinstance(model, MilpModel) else model
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp.mps", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _highs_write(lp, tmp, dest)
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o666 & ~umask)  # mkstemp makes 0600; use the usual file mode
        tmp.replace(dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return dest
