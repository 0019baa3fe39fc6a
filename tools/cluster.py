"""`make cluster`: the assistant on Rasa's scale-out path, on one machine.

Several Rasa replicas and action servers behind nginx, conversations in PostgreSQL 15 (the SQL
tracker store with retention), turn locks in Redis 7 (components/lock_store.py). nginx serves the
same URLs as `make run`: REST and socket.io on :5005, the page on :8080. A server that exits is
started again (a small supervisor); Ctrl-C or SIGTERM stops everything. Data lives in
var/cluster/ (git-ignored). Used by `make cluster`, tests/e2e/test_cluster.py and
tools/bench_cluster.py (free ports, a temporary data folder). Run `python tools/cluster.py --help`.
"""

from __future__ import annotations

import argparse
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from stack import MODEL, UNTHROTTLED, die_with_parent, free_port, quiet_env, wait_for, write_credentials  # noqa: E402

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_USER = "referral"  # the database role Rasa connects as
PG_OS_USER = "postgres"  # PostgreSQL refuses to run as root: as root, it runs as this user
DATABASE = "referral"
LOCK_LEASE_SECONDS = 10
# A server that exits is started again after this pause; more than MAX_RESTARTS within a
# minute means something is wrong with it, and the cluster stops rather than loop.
RESTART_PAUSE_SECONDS = 1.0
MAX_RESTARTS = 5


def is_loopback(host: str) -> bool:
    sys.path.insert(0, str(ROOT))
    from components.rest_channel import listens_beyond_this_machine

    return not listens_beyond_this_machine(host)


def missing_programs() -> List[str]:
    """The Debian packages the cluster needs that are not installed (tools/setup.sh installs them)."""
    wanted = {"postgresql-15": str(PG_BIN / "postgres"), "redis-server": "redis-server", "nginx-light": "nginx"}
    return [
        package for package, program in wanted.items() if shutil.which(program) is None and not Path(program).exists()
    ]


@dataclass
class Server:
    """One supervised process: how to start it, how to know it is ready."""

    name: str
    args: List[str]
    ready_url: Optional[str] = None
    ready_check: Optional[Callable[[], bool]] = None
    env: Dict[str, str] = field(default_factory=dict)
    run_as_db_user: bool = False
    stop_signal: int = signal.SIGTERM
    process: Optional[subprocess.Popen] = None
    restarts: List[float] = field(default_factory=list)


@dataclass
class Cluster:
    """The cluster's servers. `start()` blocks until every one answers; `stop()` stops them all."""

    replicas: int = 2
    action_servers: int = 2
    rest_port: int = 5005  # nginx: REST and socket.io, as `make run`'s Rasa
    web_port: int = 8080  # nginx: the page
    actions_port: int = 5055  # nginx: Rasa's calls to the action servers
    postgres_port: int = 5433
    redis_port: int = 6380
    first_rasa_port: int = 5011
    first_action_port: int = 5061
    page_port: int = 8081
    data_dir: Path = ROOT / "var" / "cluster"
    host: str = "127.0.0.1"  # where nginx listens; beyond localhost REST needs a token
    model: Path = MODEL
    temporary: bool = False  # tests and benchmarks: the data folder is deleted at stop
    channel_settings: Dict[str, object] = field(default_factory=dict)
    retention_hours: float = 24
    die_with_parent: bool = False
    say: Callable[[str], None] = lambda message: None
    servers: Dict[str, Server] = field(default_factory=dict)
    startup_seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _supervisor: Optional[threading.Thread] = None
    failure: Optional[str] = None

    @classmethod
    def on_free_ports(cls, **kwargs: object) -> Cluster:
        """A cluster for a test or a benchmark: free ports, a temporary data folder, no rate limits."""
        ports = {
            name: free_port()
            for name in ("rest_port", "web_port", "actions_port", "postgres_port", "redis_port", "page_port")
        }
        settings = {**UNTHROTTLED, **kwargs.pop("channel_settings", {})}  # type: ignore[dict-item]
        cluster = cls(
            **ports,  # type: ignore[arg-type]
            data_dir=Path(tempfile.mkdtemp(prefix="referral-cluster-")),
            temporary=True,
            channel_settings=settings,
            **kwargs,  # type: ignore[arg-type]
        )
        cluster._rasa_ports = [free_port() for _ in range(cluster.replicas)]
        cluster._action_ports = [free_port() for _ in range(cluster.action_servers)]
        return cluster

    def __post_init__(self) -> None:
        self._rasa_ports = [self.first_rasa_port + i for i in range(self.replicas)]
        self._action_ports = [self.first_action_port + i for i in range(self.action_servers)]

    # ----- URLs -----

    @property
    def rasa_url(self) -> str:
        """Through the proxy, as a website or integrator sees it."""
        return f"http://127.0.0.1:{self.rest_port}"

    @property
    def web_url(self) -> str:
        return f"http://localhost:{self.web_port}"

    def replica_url(self, index: int) -> str:
        """One replica directly, behind the proxy's back (for tests)."""
        return f"http://127.0.0.1:{self._rasa_ports[index]}"

    @property
    def replica_names(self) -> List[str]:
        return [f"rasa-{i + 1}" for i in range(self.replicas)]

    @property
    def action_names(self) -> List[str]:
        return [f"actions-{i + 1}" for i in range(self.action_servers)]

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    # ----- configuration -----

    def _pg_password(self) -> str:
        path = self.data_dir / "postgres.password"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(24))
            path.chmod(0o600)
        return path.read_text().strip()

    def _database_settings(self) -> Dict[str, object]:
        return {
            "dialect": "postgresql",
            "url": "127.0.0.1",
            "port": self.postgres_port,
            "db": DATABASE,
            "username": PG_USER,
            "password": self._pg_password(),
        }

    def _write_endpoints(self) -> Path:
        from rasa.shared.utils.io import read_yaml_file, write_yaml

        endpoints = read_yaml_file(ROOT / "endpoints.yml")
        endpoints["action_endpoint"] = {"url": f"http://127.0.0.1:{self.actions_port}/webhook"}
        store = dict(endpoints["tracker_store"])
        for key in ("db", "dialect"):
            store.pop(key, None)
        store.update(self._database_settings(), retention_hours=self.retention_hours)
        endpoints["tracker_store"] = store
        endpoints["lock_store"] = {
            "type": "components.lock_store.ClusterLockStore",
            "url": "127.0.0.1",
            "port": self.redis_port,
            "db": 1,
            "socket_timeout": 2,
            "lease_seconds": LOCK_LEASE_SECONDS,
        }
        path = self.data_dir / "endpoints.yml"
        write_yaml(endpoints, path)
        path.chmod(0o600)  # it holds the database password
        return path

    def _write_nginx_conf(self) -> Path:
        directory = self.data_dir / "nginx"
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (directory / "tmp" / sub).mkdir(parents=True, exist_ok=True)

        def servers(ports: List[int]) -> str:
            # A server that fails once is left alone for 3 s, then tried again (it may be back).
            return "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=3s;" for port in ports)

        text = (ROOT / "tools" / "cluster_nginx.conf").read_text()
        for name, value in {
            "@DIR@": str(directory),
            "@LOGS@": str(self.log_dir),
            "@RASA_SERVERS@": servers(self._rasa_ports),
            "@ACTION_SERVERS@": servers(self._action_ports),
            "@PAGE_PORT@": str(self.page_port),
            "@HOST@": self.host,
            "@REST_PORT@": str(self.rest_port),
            "@WEB_PORT@": str(self.web_port),
            "@ACTIONS_PORT@": str(self.actions_port),
        }.items():
            text = text.replace(name, value)
        path = directory / "nginx.conf"
        path.write_text(text)
        return path

    # ----- PostgreSQL -----

    def _as_db_user(self) -> bool:
        return os.geteuid() == 0

    def _db_user_ids(self) -> tuple:
        entry = pwd.getpwnam(PG_OS_USER)
        return entry.pw_uid, entry.pw_gid

    def _init_postgres(self) -> Path:
        """A database cluster in data_dir/postgres, created once (initdb), owned by its OS user."""
        pg_dir = self.data_dir / "postgres"
        if (pg_dir / "PG_VERSION").exists():
            return pg_dir
        self.say("Creating the PostgreSQL database (once) ...")
        pg_dir.mkdir(parents=True, exist_ok=True)
        password_file = self.data_dir / "postgres.pwfile"
        password_file.write_text(self._pg_password() + "\n")
        if self._as_db_user():
            uid, gid = self._db_user_ids()
            for path in (pg_dir, password_file):
                os.chown(path, uid, gid)
        pg_dir.chmod(0o700)
        try:
            subprocess.run(
                [str(PG_BIN / "initdb"), "-D", str(pg_dir), "-U", PG_USER, "--pwfile", str(password_file),
                 "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-instructions"],
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **self._db_user_popen(),
            )  # fmt: skip
        except subprocess.CalledProcessError as error:
            raise RuntimeError(f"initdb failed: {error.stderr.decode(errors='replace')[-500:]}") from error
        finally:
            password_file.unlink(missing_ok=True)
        return pg_dir

    def _db_user_popen(self) -> Dict[str, object]:
        if not self._as_db_user():
            return {}
        uid, gid = self._db_user_ids()
        return {"user": uid, "group": gid, "extra_groups": []}

    def _postgres_ready(self) -> bool:
        import psycopg2

        try:
            settings = self._database_settings()
            psycopg2.connect(
                host="127.0.0.1", port=self.postgres_port, user=PG_USER, password=settings["password"],
                dbname="postgres", connect_timeout=2,
            ).close()  # fmt: skip
            return True
        except psycopg2.OperationalError:
            return False

    def _prepare_database(self) -> None:
        """The database, its tables and the retention schedule, made once before the replicas
        start (replicas creating them at the same moment would trip over each other)."""
        import psycopg2

        password = self._database_settings()["password"]
        connection = psycopg2.connect(
            host="127.0.0.1", port=self.postgres_port, user=PG_USER, password=password, dbname="postgres"
        )
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE DATABASE {DATABASE}")
        connection.close()
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
        from components.retention import ExpiringSQLTrackerStore

        settings = self._database_settings()
        settings["host"] = settings.pop("url")
        store = ExpiringSQLTrackerStore(domain=None, retention_hours=self.retention_hours, **settings)
        store.engine.dispose()

    # ----- processes -----

    def _servers(self, endpoints: Path, credentials: Path, nginx_conf: Path, pg_dir: Path) -> List[Server]:
        python = sys.executable
        pg = Server(
            "postgres",
            [
                str(PG_BIN / "postgres"), "-D", str(pg_dir), "-p", str(self.postgres_port),
                "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={pg_dir}",
                # No statement text in the log, even for a failing one: it holds what people wrote.
                "-c", "log_min_error_statement=panic", "-c", "log_statement=none",
                "-c", "logging_collector=off",
            ],
            ready_check=self._postgres_ready,
            run_as_db_user=True,
            stop_signal=signal.SIGINT,  # PostgreSQL's fast shutdown (SIGTERM waits for clients)
        )  # fmt: skip
        redis = Server(
            "redis",
            [
                "redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(self.data_dir), "--loglevel", "warning",
            ],
            ready_check=self._redis_ready,
        )  # fmt: skip
        actions = [
            Server(
                name,
                [python, "-m", "rasa_sdk", "--actions", "actions.server", "--port", str(port)],
                ready_url=f"http://127.0.0.1:{port}/health",
                env={"SANIC_HOST": "127.0.0.1"},
            )
            for name, port in zip(self.action_names, self._action_ports)
        ]
        replicas = [
            Server(
                name,
                [
                    python,
                    "-m",
                    "components.rasa_cli",
                    "run",
                    "--model",
                    str(self.model),
                    "--port",
                    str(port),
                    "--interface",
                    "127.0.0.1",
                    "--credentials",
                    str(credentials),
                    "--endpoints",
                    str(endpoints),
                ],
                ready_url=f"http://127.0.0.1:{port}/",
                # The proxy's X-Forwarded-For is the person's address (tools/cluster_nginx.conf).
                env={"SANIC_PROXIES_COUNT": "1"},
            )  # fmt: skip
            for name, port in zip(self.replica_names, self._rasa_ports)
        ]
        page = Server(
            "web",
            [python, str(ROOT / "tools" / "serve_web.py"), "--host", "127.0.0.1", "--port", str(self.page_port),
             "--rasa-url", f"http://localhost:{self.rest_port}"],
            ready_url=f"http://127.0.0.1:{self.page_port}/",
        )  # fmt: skip
        proxy = Server(
            "nginx",
            ["nginx", "-p", str(nginx_conf.parent), "-c", str(nginx_conf), "-g", "daemon off;"],
            ready_check=lambda: self._port_open(self.rest_port) and self._port_open(self.web_port),
            stop_signal=signal.SIGQUIT,  # graceful: finishes the requests in flight
        )
        return [pg, redis, *actions, *replicas, page, proxy]

    def _redis_ready(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.redis_port, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    @staticmethod
    def _port_open(port: int) -> bool:
        with socket.socket() as sock:
            sock.settimeout(1)
            return sock.connect_ex(("127.0.0.1", port)) == 0

    def _spawn(self, server: Server) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{server.name}.log", "ab")
        env = {**quiet_env(), **server.env}
        popen: Dict[str, object] = dict(cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        if server.run_as_db_user:
            popen.update(self._db_user_popen())
        if self.die_with_parent:
            popen["preexec_fn"] = die_with_parent
        server.process = subprocess.Popen(server.args, **popen)  # type: ignore[call-overload]
        log.close()

    def _wait_ready(self, server: Server, timeout: float) -> None:
        assert server.process is not None
        if server.ready_url:
            wait_for(server.ready_url, timeout, server.process, server.name)
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"{server.name} exited with code {server.process.returncode} while starting")
            if server.ready_check and server.ready_check():
                return
            time.sleep(0.2)
        raise RuntimeError(f"{server.name} did not become ready within {timeout:.0f} s")

    def start(self) -> Cluster:
        missing = missing_programs()
        if missing:
            raise RuntimeError(f"Not installed: {', '.join(missing)} (run `make cluster`, which installs them)")
        if not self.model.exists():
            raise RuntimeError(f"No trained model at {self.model}: run `make train` first")
        if not is_loopback(self.host) and not os.environ.get("REFERRAL_REST_TOKEN"):
            raise RuntimeError(
                f"The proxy would listen on {self.host}, beyond this machine: set REFERRAL_REST_TOKEN "
                "(see README, Security); the replicas require it of every REST request."
            )
        started = time.monotonic()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o755)  # PostgreSQL's own user must reach its folder inside
        pg_dir = self._init_postgres()
        endpoints = self._write_endpoints()
        credentials = write_credentials(self.web_port, self.data_dir, self.channel_settings)
        nginx_conf = self._write_nginx_conf()
        servers = self._servers(endpoints, credentials, nginx_conf, pg_dir)
        self.servers = {server.name: server for server in servers}
        try:
            by_name = self.servers
            self.say(f"Starting PostgreSQL on :{self.postgres_port} and Redis on :{self.redis_port} ...")
            for name in ("postgres", "redis"):
                self._spawn(by_name[name])
            for name in ("postgres", "redis"):
                self._wait_ready(by_name[name], 60)
            self._prepare_database()
            rest = [by_name[name] for name in (*self.action_names, *self.replica_names, "web", "nginx")]
            self.say(
                f"Starting {self.action_servers} action servers, {self.replicas} Rasa replicas "
                "(loading the model takes a few seconds), the page and nginx ..."
            )
            for server in rest:
                self._spawn(server)
            for server in rest:
                self._wait_ready(server, 240)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started
        self._supervisor = threading.Thread(target=self._supervise, name="supervisor", daemon=True)
        self._supervisor.start()
        return self

    # ----- supervision -----

    def _supervise(self) -> None:
        """Starts again every server that exits, until `stop()`; gives up on one that keeps dying."""
        while not self._stopping.wait(0.3):
            with self._lock:
                for server in self.servers.values():
                    if self._stopping.is_set() or server.process is None or server.process.poll() is None:
                        continue
                    now = time.monotonic()
                    server.restarts = [t for t in server.restarts if now - t < 60] + [now]
                    if len(server.restarts) > MAX_RESTARTS:
                        self.failure = f"{server.name} exited {MAX_RESTARTS} times within a minute"
                        self._stopping.set()
                        return
                    self.say(f"{server.name} exited with code {server.process.returncode}; starting it again.")
                    time.sleep(RESTART_PAUSE_SECONDS)
                    self._spawn(server)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """A fault, for tests: the server dies at once (the supervisor then starts it again)."""
        with self._lock:
            process = self.servers[name].process
            assert process is not None
            os.killpg(process.pid, sig)
            process.wait()

    def wait_ready(self, name: str, timeout: float = 240) -> None:
        """Until the (restarted) server answers again."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                server = self.servers[name]
                alive = server.process is not None and server.process.poll() is None
            if alive:
                try:
                    self._wait_ready(server, max(1.0, deadline - time.monotonic()))
                    return
                except RuntimeError:
                    pass  # it died again while starting; the supervisor starts it once more
            time.sleep(0.3)
        raise RuntimeError(f"{name} did not come back within {timeout:.0f} s")

    def alive(self) -> bool:
        return not self._stopping.is_set()

    def stop(self, timeout: float = 20) -> None:
        """Each server's own stop signal, the proxy first and the databases last; SIGKILL after
        `timeout` for any still there."""
        self._stopping.set()
        if self._supervisor is not None and self._supervisor is not threading.current_thread():
            self._supervisor.join(timeout=5)
        with self._lock:
            order = ["nginx", "web", *self.replica_names, *self.action_names, "redis", "postgres"]
            for group in (order[:-2], order[-2:]):
                running = [self.servers[n] for n in group if n in self.servers]
                for server in running:
                    if server.process is not None and server.process.poll() is None:
                        try:
                            os.killpg(server.process.pid, server.stop_signal)
                        except ProcessLookupError:
                            pass
                deadline = time.monotonic() + timeout
                for server in running:
                    if server.process is None:
                        continue
                    try:
                        server.process.wait(timeout=max(0.1, deadline - time.monotonic()))
                    except subprocess.TimeoutExpired:
                        try:
                            os.killpg(server.process.pid, signal.SIGKILL)
                        except ProcessLookupError:
                            pass
                        server.process.wait()
        if self.temporary:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def pids(self) -> List[int]:
        return [s.process.pid for s in self.servers.values() if s.process is not None and s.process.poll() is None]

    def log(self, name: str) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicas", type=int, default=2, help="Rasa replicas (default 2)")
    parser.add_argument("--action-servers", type=int, default=2, help="action servers (default 2)")
    parser.add_argument(
        "--host", default="127.0.0.1", help="where nginx listens (beyond localhost, set REFERRAL_REST_TOKEN)"
    )
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "cluster")
    args = parser.parse_args()
    say = lambda message: print(f"==> {message}", flush=True)  # noqa: E731
    cluster = Cluster(
        replicas=args.replicas, action_servers=args.action_servers, host=args.host, data_dir=args.data_dir,
        die_with_parent=True, say=say,
    )  # fmt: skip

    def request_stop(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        cluster.start()
        say(f"Ready in {cluster.startup_seconds:.1f} s.")
        say(f"Web chat:      {cluster.web_url}")
        say(f"REST channel:  {cluster.rasa_url}/webhooks/rest/webhook (balanced over {args.replicas} replicas)")
        say(f"Logs:          {cluster.log_dir}")
        say("Press Ctrl-C to stop.")
        while cluster.alive():
            time.sleep(1)
        say(f"{cluster.failure}; stopping the others.")
        sys.exit(1)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        say("Stopping ...")
        cluster.stop()
        say("Stopped.")


if __name__ == "__main__":
    main()
