"""A single-node Apache Kafka (KRaft, combined broker and controller) from Maven Central jars."""

from __future__ import annotations

import base64
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from devstack.errors import StackError
from devstack.processes import Child, Supervisor, run_to_end

_POM = Path(__file__).parent / "kafka_runtime" / "pom.xml"

_LOG4J = """Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        Pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: STDOUT
"""


def require_java_and_maven() -> None:
    for tool, hint in (
        ("java", "install a Java 17 runtime (apt-get install openjdk-17-jre-headless)"),
        ("mvn", "install Maven (apt-get install maven)"),
    ):
        if shutil.which(tool) is None:
            raise StackError(f"`{tool}` is not on PATH: {hint}")


def ensure_jars(libs_dir: Path) -> Path:
    """Resolves the broker's jars once into a reusable cache folder."""
    if any(libs_dir.glob("kafka_2.13-*.jar")):
        return libs_dir
    require_java_and_maven()
    libs_dir = libs_dir.resolve()  # Maven resolves relative paths against the pom's folder
    libs_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = libs_dir.with_name(libs_dir.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    run_to_end(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(_POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}",
        ],
        failure="Maven could not resolve the Kafka jars (check access to Maven Central)",
    )
    shutil.rmtree(libs_dir, ignore_errors=True)
    staging.rename(libs_dir)
    return libs_dir


@dataclass(kw_only=True)
class LocalKafka:
    libs_dir: Path
    data_dir: Path
    port: int
    controller_port: int
    heap: str = "512m"

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, supervisor: Supervisor, *, name: str = "kafka") -> Child:
        require_java_and_maven()
        ensure_jars(self.libs_dir)
        config = self._write_config()
        if not (self.data_dir / "logs" / "meta.properties").exists():
            self._format(config)
        return supervisor.start(
            name,
            [*self._java(), "kafka.Kafka", str(config)],
            env={"KAFKA_HEAP_OPTS": f"-Xmx{self.heap}"},
        )

    def _java(self) -> list[str]:
        return [
            "java",
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.yaml'}",
            "-cp",
            f"{self.libs_dir}/*",
        ]

    def _format(self, config: Path) -> None:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        # An id starting with "-" is read as an option by the storage tool (1 start in 64 failed).
        while cluster_id.startswith("-"):
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        run_to_end(
            [
                *self._java(),
                "kafka.tools.StorageTool",
                "format",
                "--standalone",
                "-t",
                cluster_id,
                "-c",
                str(config),
            ],
            failure="Kafka storage format failed",
        )

    def _write_config(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "log4j2.yaml").write_text(_LOG4J)
        config = self.data_dir / "server.properties"
        config.write_text(
            "\n".join(
                [
                    "process.roles=broker,controller",
                    "node.id=1",
                    f"listeners=PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
                    f"advertised.listeners=PLAINTEXT://127.0.0.1:{self.port}",
                    "controller.listener.names=CONTROLLER",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    f"controller.quorum.bootstrap.servers=127.0.0.1:{self.controller_port}",
                    f"log.dirs={self.data_dir / 'logs'}",
                    "num.partitions=1",
                    "auto.create.topics.enable=false",
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=10",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "num.network.threads=2",
                    "num.io.threads=2",
                    "",
                ]
            )
        )
        return config
