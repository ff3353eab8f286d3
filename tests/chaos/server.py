"""The Odoo server the chaos run hurts: started in prefork mode in its own process group,
one of its workers SIGKILLed, the whole server stopped and started again."""

import os
import signal
import subprocess
import time
import urllib.request

# Odoo's prefork master spawns its HTTP workers first, then the gevent server (its own
# command line), then the cron workers: ordered by start time, the first ``workers``
# children that are not the gevent one are HTTP workers, the later ones cron workers.
# (Debian's python3 has no setproctitle: the workers carry no title to tell them by.)


class OdooServer:
    def __init__(self, command, port, log_path, workers=2):
        self.command, self.port, self.log_path, self.workers = command, port, log_path, workers
        self.process = None

    def start(self, timeout=180):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Odoo exited with {self.process.returncode}: "
                                   f"see {self.log_path}")
            try:
                with urllib.request.urlopen(
                        f"http://127.0.0.1:{self.port}/web/health", timeout=5) as answer:
                    if answer.status == 200 and self._ready():
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"Odoo did not answer on port {self.port} within {timeout} s")

    def _ready(self):
        http, cron = self.children()
        return len(http) >= self.workers and cron

    def children(self):
        """``(HTTP worker pids, cron worker pids)`` of the running master."""
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    command = cmdline.read()
            except OSError:
                continue
            # fields[1] is the parent pid, fields[19] the start time (stat fields 4, 22)
            if int(fields[1]) == self.process.pid and b"gevent" not in command.split(b"\0"):
                pids.append((int(fields[19]), int(entry)))
        ordered = [pid for _start, pid in sorted(pids)]
        return ordered[:self.workers], ordered[self.workers:]

    def kill_worker(self, kind):
        """SIGKILL the HTTP or cron worker that used the most CPU over the last half
        second (the one at work, most likely mid-transaction); returns its pid."""
        http, cron = self.children()
        candidates = http if kind == "http" else cron
        if not candidates:
            raise RuntimeError(f"no {kind} worker to kill")
        before = {pid: _cpu_ticks(pid) for pid in candidates}
        time.sleep(0.5)
        victim = max(candidates, key=lambda pid: _cpu_ticks(pid) - before[pid])
        os.kill(victim, signal.SIGKILL)
        return victim

    def stop(self, grace=30):
        """SIGTERM to the group (Odoo's graceful stop), SIGKILL after ``grace`` seconds."""
        if not self.process or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        # workers left behind by the master (none expected) go with the group
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def restart(self):
        self.stop()
        self.start()


def _cpu_ticks(pid):
    """User + system CPU time of ``pid`` in clock ticks (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # stat fields 14 and 15
