"""Starts and stops everything a user needs: the action server, Rasa and the web chat page.

Used by `make run` (the usual ports, until Ctrl-C), by the end-to-end tests and by the benchmark
(free ports, a temporary conversation store). Run `python tools/stack.py --help`.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "referral.tar.gz"
CHANNELS = ("components.socketio_channel.CustomPayloadSocketIOInput", "components.rest_channel.GuardedRestInput")
# Test and benchmark clients send turn after turn from one address, far faster than a person:
# their stacks are not rate limited unless a test asks for limits (channel_settings).
UNTHROTTLED = {
    "rate_limit_per_conversation": {"burst": 1_000_000, "per_minute": 1_000_000},
    "rate_limit_per_address": {"burst": 1_000_000, "per_minute": 1_000_000},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def quiet_env() -> Dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="3",
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        SANIC_REGISTER="false",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
    )
    return env


def write_endpoints(action_port: int, db_path: Path, retention_hours: float = 24) -> Path:
    """An endpoints file like endpoints.yml, pointing at the given action port and database."""
    text = (ROOT / "endpoints.yml").read_text(encoding="utf-8")
    text = text.replace("http://127.0.0.1:5055/webhook", f"http://127.0.0.1:{action_port}/webhook")
    text = text.replace('db: "var/conversations.db"', f'db: "{db_path}"')
    text = text.replace("retention_hours: 24", f"retention_hours: {retention_hours}")
    path = db_path.parent / "endpoints.yml"
    path.write_text(text, encoding="utf-8")
    return path


def write_credentials(
    web_port: int,
    directory: Path,
    channel_settings: Optional[Dict[str, Any]] = None,
    extra_origins: Optional[List[str]] = None,
) -> Path:
    """credentials.yml with the chat page's origin on `web_port` and the given settings changed."""
    from rasa.shared.utils.io import read_yaml_file, write_yaml

    credentials = read_yaml_file(ROOT / "credentials.yml")
    for name in CHANNELS:
        section = dict(credentials[name])
        origins = [o.replace(":8080", f":{web_port}") for o in section.get("allowed_origins") or []]
        section["allowed_origins"] = origins + list(extra_origins or [])
        section.update(channel_settings or {})
        credentials[name] = section
    path = directory / "credentials.yml"
    write_yaml(credentials, path)
    return path


def die_with_parent() -> None:
    """In a server's process: the kernel sends it SIGTERM if stack.py dies, even by SIGKILL."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: stop() still stops the servers on every normal exit


def wait_for(url: str, timeout: float, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with code {process.returncode} while starting")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{name} did not answer at {url} within {timeout:.0f} s")


@dataclass
class Stack:
    """The three servers. `start()` blocks until each one answers."""

    rasa_port: int = 5005
    action_port: int = 5055
    web_port: int = 8080
    model: Path = MODEL
    state_dir: Optional[Path] = None
    log_dir: Optional[Path] = None
    with_web: bool = True
    retention_hours: float = 24
    temporary: bool = False  # a test or benchmark stack: its conversations are deleted at stop
    host: str = "127.0.0.1"  # where Rasa and the page listen; beyond localhost REST needs a token
    rest_token: Optional[str] = None  # REFERRAL_REST_TOKEN for Rasa (else the environment's)
    channel_settings: Dict[str, Any] = field(default_factory=dict)  # credentials.yml overrides
    extra_origins: List[str] = field(default_factory=list)  # allowed besides the page's own
    die_with_parent: bool = False  # `make run`: servers stop even if stack.py is killed
    processes: List[subprocess.Popen] = field(default_factory=list)
    by_name: Dict[str, subprocess.Popen] = field(default_factory=dict)
    startup_seconds: float = 0.0

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    @property
    def web_url(self) -> str:
        return f"http://localhost:{self.web_port}"

    @classmethod
    def on_free_ports(cls, **kwargs) -> "Stack":
        temp = Path(tempfile.mkdtemp(prefix="referral-stack-"))
        kwargs["channel_settings"] = {**UNTHROTTLED, **kwargs.get("channel_settings", {})}
        return cls(
            rasa_port=free_port(),
            action_port=free_port(),
            web_port=free_port(),
            state_dir=temp,
            log_dir=temp,
            temporary=True,
            **kwargs,
        )

    def _spawn(self, name: str, args: List[str], **env: str) -> subprocess.Popen:
        if self.log_dir:
            out = open(self.log_dir / f"{name}.log", "wb")
        else:
            out = None  # `make run`: the servers' own progress lines go to the terminal
        popen = dict(
            cwd=ROOT,
            env={**quiet_env(), **env},
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
            start_new_session=True,  # Ctrl-C reaches stack.py only, which stops the servers
        )
        if not self.die_with_parent:  # tests and benchmarks: no signal handling of ours to race
            process = subprocess.Popen(args, **popen)
            self.processes.append(process)
        else:
            # `make run`: a stop signal arriving between the start of a server and its entry in
            # the list would leave that server running, so signals wait until it is listed.
            mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})

            def in_the_server_process() -> None:
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # the server must hear SIGTERM
                die_with_parent()

            try:
                process = subprocess.Popen(args, preexec_fn=in_the_server_process, **popen)
                self.processes.append(process)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        self.by_name[name] = process
        return process

    def start(self, progress=lambda message: None) -> "Stack":
        if not self.model.exists():
            raise RuntimeError(f"No trained model at {self.model}: run `make train` first")
        started = time.monotonic()
        state_dir = self.state_dir or ROOT / "var"
        state_dir.mkdir(parents=True, exist_ok=True)
        endpoints = write_endpoints(self.action_port, state_dir / "conversations.db", self.retention_hours)
        credentials = write_credentials(self.web_port, state_dir, self.channel_settings, self.extra_origins)
        python = sys.executable
        rasa_env = {"REFERRAL_REST_TOKEN": self.rest_token} if self.rest_token else {}

        progress(f"Starting the action server on :{self.action_port} ...")
        actions = self._spawn(
            "actions",
            [python, "-m", "rasa_sdk", "--actions", "actions.server", "--port", str(self.action_port)],
            SANIC_HOST="127.0.0.1",  # only Rasa, on this machine, calls the actions
        )
        progress(f"Starting Rasa on :{self.rasa_port} (loading the model takes a few seconds) ...")
        rasa = self._spawn(
            "rasa",
            [
                # Rasa with our patches enabled (components/patches/), its CLI otherwise unchanged.
                python,
                "-m",
                "components.rasa_cli",
                "run",
                "--model",
                str(self.model),
                "--port",
                str(self.rasa_port),
                "--interface",
                self.host,
                # The allowed origins (CORS for REST, origin checks for socket.io) are in the
                # credentials; Rasa's --cors would add a second, conflicting set of headers.
                "--credentials",
                str(credentials),
                "--endpoints",
                str(endpoints),
            ],
            **rasa_env,
        )
        if self.with_web:
            progress(f"Starting the web chat page on :{self.web_port} ...")
            web = self._spawn(
                "web",
                [
                    python,
                    str(ROOT / "tools" / "serve_web.py"),
                    "--host",
                    self.host,
                    "--port",
                    str(self.web_port),
                    "--rasa-url",
                    f"http://localhost:{self.rasa_port}",
                ],
            )
        try:
            wait_for(f"{self.actions_url}/health", 60, actions, "The action server")
            wait_for(f"{self.rasa_url}/", 180, rasa, "Rasa")
            if self.with_web:
                wait_for(f"{self.web_url}/", 30, web, "The web page server")
        except Exception:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started
        return self

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM to every server's process group, then SIGKILL to any still there after `timeout`."""
        for process in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + timeout
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for process in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()
        self.processes.clear()
        self.by_name.clear()
        if self.temporary and self.state_dir:
            # The logs stay for diagnosis (they hold no conversation text); the conversations go.
            for path in self.state_dir.glob("conversations.db*"):
                path.unlink(missing_ok=True)

    def memory_mb(self, name: str = "rasa") -> float:
        """Resident memory of one server (Linux), in MB."""
        status = Path(f"/proc/{self.by_name[name].pid}/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) / 1024

    def pids(self) -> List[int]:
        return [p.pid for p in self.processes if p.poll() is None]

    def log(self, name: str) -> str:
        path = (self.log_dir or ROOT / "var") / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--action-port", type=int, default=5055)
    parser.add_argument("--web-port", type=int, default=8080)
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address Rasa and the page listen on (beyond localhost, set REFERRAL_REST_TOKEN)",
    )
    parser.add_argument("--state-dir", type=Path, help="conversations and settings (default var/)")
    args = parser.parse_args()
    stack = Stack(
        args.rasa_port,
        args.action_port,
        args.web_port,
        state_dir=args.state_dir,
        host=args.host,
        die_with_parent=True,
    )
    say = lambda message: print(f"==> {message}", flush=True)  # noqa: E731

    def request_stop(*_: object) -> None:
        raise KeyboardInterrupt

    # SIGTERM (systemd, docker, `kill`) and Ctrl-C stop the same way, even where the launcher
    # started us with SIGINT ignored (a shell's background job does that).
    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        stack.start(say)
        say(f"Ready in {stack.startup_seconds:.1f} s.")
        say(f"Web chat:      {stack.web_url}")
        say(f"REST channel:  {stack.rasa_url}/webhooks/rest/webhook")
        say(f"Action server: {stack.actions_url}")
        say("Press Ctrl-C to stop.")
        while all(p.poll() is None for p in stack.processes):
            time.sleep(1)
        say("A server stopped unexpectedly; stopping the others.")
        sys.exit(1)
    except KeyboardInterrupt:
        pass
    finally:
        # A second signal (systemd signals every process, make passes its SIGTERM on) must not
        # cut the stop short and leave a server behind.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        say("Stopping ...")
        stack.stop()
        say("Stopped.")


if __name__ == "__main__":
    main()
