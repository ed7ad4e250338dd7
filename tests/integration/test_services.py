"""The scaled set-up's services start wherever the checkout lives, a private
(0700) folder included, such as a clone under /root on a fresh machine."""

import hashlib
import shutil
import socket
import subprocess

from harness.servers import free_port, wait_for
from troubleshooter.paths import ROOT


def test_services_start_from_a_checkout_in_a_private_folder(tmp_path):
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    checkout = private / "clone"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "services.sh", checkout / "scripts" / "services.sh")
    pg, redis = free_port(), free_port()
    script = ["bash", str(checkout / "scripts" / "services.sh")]
    try:
        out = subprocess.run([*script, "start", str(pg), str(redis)], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        for port in (pg, redis):
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
    finally:
        subprocess.run([*script, "stop", str(pg), str(redis)], capture_output=True, timeout=60)
        # where services.sh keeps PostgreSQL's data when its user cannot reach the checkout
        digest = hashlib.sha256(str(checkout).encode()).hexdigest()[:12]
        shutil.rmtree(f"/tmp/troubleshooter-pg-{digest}-{pg}", ignore_errors=True)
    # Redis exits shortly after its SIGTERM
    wait_for(lambda: not any(_open(port) for port in (pg, redis)), 15, "both services to stop after stop")


def _open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False
