"""The systemd units in deploy/: systemd itself reads them without a complaint, and rates the
main service's exposure low (where systemd-analyze is installed; skipped, saying so, where not)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).parent.parent / "deploy"
INSTALLED = "/opt/nearmiss/venv/bin/nearmiss"
ANALYZE = shutil.which("systemd-analyze")
pytestmark = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed on this machine")


@pytest.fixture
def units(tmp_path) -> Path:
    """Returns a folder of the units as installed, their command pointed at this environment's."""
    here = str(Path(sys.executable).parent / "nearmiss")
    for unit in DEPLOY.glob("nearmiss*.*"):
        if unit.suffix in (".service", ".timer"):
            name = unit.name.replace("@.", "@9103.")  # a template is checked as one of its instances
            (tmp_path / name).write_text(unit.read_text().replace(INSTALLED, here))
    return tmp_path


def analyze(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([ANALYZE, *args], capture_output=True, text=True, timeout=60, cwd=cwd)


def test_systemd_reads_every_unit_without_a_complaint(units):
    names = sorted(f"./{unit.name}" for unit in units.iterdir())
    assert len(names) == 4
    result = analyze("verify", *names, cwd=units)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr  # an unknown key is only a warning


@pytest.mark.parametrize("unit", ["nearmiss.service", "nearmiss-worker@9103.service", "nearmiss-backup.service"])
def test_each_service_s_exposure_is_low(units, unit):
    result = analyze("security", "--offline=true", "--threshold=25", f"./{unit}", cwd=units)
    if "--offline" in result.stderr and "unrecognized" in result.stderr:
        pytest.skip("this systemd-analyze cannot rate a unit file offline (systemd 252 or newer can)")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
