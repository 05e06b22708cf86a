"""The container recipe works as written: `cp .env.example .env`, then `docker compose up`.

No Docker engine runs in the tests, so this reads docker-compose.yml, the
Dockerfile and .env.example together and works out what every AudioMuse
container would see: the image's ENV, overridden by the copied .env (compose's
env_file), overridden by compose's own `environment`. Each mistake the recipe
can make is shown to be caught on a mutated copy of the files.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import yaml

from tests.infrastructure import REPO_DIR

RECIPE_FILES = ("docker-compose.yml", "Dockerfile", ".env.example")
CONTAINER_PATHS = ("AUDIOMUSE_DATA_DIR", "MODEL_DIR", "MUSIC_DIR", "AUDIOMUSE_BIND")
ALL_INTERFACES = {"0.0.0.0", "::", "[::]", ""}
_ASSIGNMENT = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


# --- The Dockerfile ----------------------------------------------------------------


@dataclass
class Stage:
    """One FROM ... stage: its name (or index) and its instructions in order."""

    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def arguments(self, instruction: str) -> list[str]:
        return [arguments for name, arguments in self.instructions if name == instruction]

    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for arguments in self.arguments("ENV"):
            values.update(env_instruction(arguments))
        return values

    def user(self) -> str:
        users = self.arguments("USER")
        return users[-1].split(":")[0] if users else "root"

    def commands(self) -> list[list[str]]:
        """Every simple shell command of every RUN, in order."""
        return [command for script in self.arguments("RUN") for command in shell_commands(script)]

    def copies(self) -> list[tuple[str | None, list[str], str]]:
        """(stage copied from or None, sources, destination) of every COPY, paths without a trailing slash."""
        result = []
        for arguments in self.arguments("COPY"):
            words = json.loads(arguments) if arguments.startswith("[") else shlex.split(arguments)
            origin = next((word.split("=", 1)[1].lower() for word in words if word.startswith("--from=")), None)
            paths = [word.rstrip("/") or "/" for word in words if not word.startswith("--")]
            result.append((origin, paths[:-1], paths[-1]))
        return result


def dockerfile_instructions(text: str) -> Iterator[tuple[str, str]]:
    pending = ""
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        instruction, _, arguments = (pending + line).strip().partition(" ")
        pending = ""
        yield instruction.upper(), arguments.strip()


def dockerfile_stages(text: str) -> list[Stage]:
    stages: list[Stage] = []
    for instruction, arguments in dockerfile_instructions(text):
        if instruction == "FROM":
            words = arguments.split()
            named = len(words) >= 3 and words[-2].lower() == "as"
            stages.append(Stage(words[-1].lower() if named else str(len(stages))))
        elif stages:
            stages[-1].instructions.append((instruction, arguments))
    return stages


def env_instruction(arguments: str) -> dict[str, str]:
    words = shlex.split(arguments)
    if "=" not in words[0]:  # the legacy form: ENV NAME value with spaces
        name, _, value = arguments.partition(" ")
        return {name: value.strip()}
    return dict(word.split("=", 1) for word in words)


def shell_commands(script: str) -> list[list[str]]:
    if script.startswith("["):
        return [json.loads(script)]
    lexer = shlex.shlex(script, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    for token in lexer:
        if token in {"&&", "||", ";", "|", "&"}:
            commands.append([])
        else:
            commands[-1].append(token)
    return [command for command in commands if command]


def without_assignments(command: list[str]) -> tuple[dict[str, str], list[str]]:
    """The `NAME=value` prefix of a shell command, and the command itself."""
    assignments: dict[str, str] = {}
    for position, word in enumerate(command):
        match = _ASSIGNMENT.match(word)
        if not match:
            return assignments, command[position:]
        assignments[match[1]] = match[2]
    return assignments, []


# --- .env and docker-compose.yml ---------------------------------------------------


def active_lines(env_text: str) -> list[tuple[int, str]]:
    return [
        (number, line.strip())
        for number, line in enumerate(env_text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def dotenv_values(env_text: str) -> dict[str, str]:
    values = {}
    for _, line in active_lines(env_text):
        if match := _ASSIGNMENT.match(line):
            values[match[1]] = match[2].strip().strip("'\"")
    return values


def interpolate(node, variables: dict[str, str], required_unset: set[str]):
    """The compose file with `${...}` replaced as compose does; `:?`/`?` variables left unset are collected."""
    if isinstance(node, dict):
        return {key: interpolate(value, variables, required_unset) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(value, variables, required_unset) for value in node]
    if not isinstance(node, str):
        return node

    def replace(match: re.Match) -> str:
        if match["escaped"]:
            return "$"
        name, operator, argument = match["braced"] or match["bare"], match["op"] or "", match["arg"] or ""
        value = variables.get(name)
        missing = value is None or (operator.startswith(":") and value == "")
        if operator.endswith("?") and missing:
            required_unset.add(name)
        if operator.endswith("-") and missing:
            return argument
        if operator.endswith("+"):
            return "" if missing else argument
        return value or ""

    return _VARIABLE.sub(replace, node)


def service_environment(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) if "=" in item else (item, None) for item in environment)
    return {name: str(value) for name, value in environment.items() if value is not None}


def loads_dotenv(service: dict) -> bool:
    entries = service.get("env_file") or []
    entries = [entries] if isinstance(entries, (str, dict)) else entries
    paths = [entry["path"] if isinstance(entry, dict) else entry for entry in entries]
    return any(os.path.normpath(path) == ".env" for path in paths)


def mounts(service: dict) -> dict[str, str]:
    """Mount target -> source ('' for an anonymous volume)."""
    result = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            result[volume["target"]] = volume.get("source", "")
        else:
            parts = volume.split(":")  # source:target[:mode], or just a target
            if len(parts) == 1:
                result[parts[0]] = ""
            else:
                result[parts[1]] = parts[0]
    return result


def container_ports(service: dict) -> set[str]:
    ports = set()
    for port in service.get("ports") or []:
        target = port["target"] if isinstance(port, dict) else str(port).split("/")[0].rsplit(":", 1)[-1]
        ports.add(str(target))
    return ports


# --- The recipe as a whole ------------------------------------------------------------


@dataclass
class Recipe:
    """What `cp .env.example .env && docker compose up` would run, read from the files."""

    env_example: str
    dotenv: dict[str, str]
    compose: dict
    required_unset: set[str]
    stages: list[Stage]

    @classmethod
    def read(cls, files: dict[str, str]) -> Recipe:
        dotenv = dotenv_values(files[".env.example"])
        required_unset: set[str] = set()
        compose = interpolate(yaml.safe_load(files["docker-compose.yml"]), dotenv, required_unset)
        stages = dockerfile_stages(files["Dockerfile"])
        return cls(files[".env.example"], dotenv, compose, required_unset, stages)

    @property
    def image(self) -> Stage:
        return self.stages[-1]

    def audiomuse_services(self) -> dict[str, dict]:
        """The services built from the Dockerfile."""
        return {name: service for name, service in self.compose["services"].items() if "build" in service}

    def role(self, service: dict) -> str:
        """web, worker or beat: the word after `run` in the command (the image's CMD by default)."""
        command = service.get("command") or json.loads(self.image.arguments("CMD")[-1])
        words = shlex.split(command) if isinstance(command, str) else command
        return words[words.index("run") + 1] if "run" in words[:-1] else ""

    def container_env(self, service: dict) -> dict[str, tuple[str, str]]:
        """Name -> (value, where it comes from) as the container sees it."""
        env = {name: (value, "the image") for name, value in self.image.env().items()}
        if loads_dotenv(service):
            env.update({name: (value, ".env") for name, value in self.dotenv.items()})
        env.update({name: (value, "docker-compose.yml") for name, value in service_environment(service).items()})
        return env


def copy_changes_nothing(recipe: Recipe) -> Iterator[str]:
    for number, line in active_lines(recipe.env_example):
        yield f".env.example line {number} is active ({line}): every line must be a commented-out default"


def compose_requires_nothing_unset(recipe: Recipe) -> Iterator[str]:
    for name in sorted(recipe.required_unset):
        yield f"docker-compose.yml requires {name}, which the copied .env.example leaves unset"


def image_values_kept(recipe: Recipe) -> Iterator[str]:
    image_env = recipe.image.env()
    for service_name, service in recipe.audiomuse_services().items():
        for name, (value, source) in recipe.container_env(service).items():
            if name in image_env and value != image_env[name]:
                yield f"{service_name}: {name} is {value!r} (from {source}) instead of the image's {image_env[name]!r}"


def volumes_at_image_paths(recipe: Recipe) -> Iterator[str]:
    image_env = recipe.image.env()
    data_dir, music_dir = image_env["AUDIOMUSE_DATA_DIR"], image_env["MUSIC_DIR"]
    data_sources = set()
    for name, service in recipe.audiomuse_services().items():
        targets = mounts(service)
        source = targets.get(data_dir)
        data_sources.add(source)
        if source is None:
            yield f"{name}: no volume at the image's AUDIOMUSE_DATA_DIR {data_dir}"
        elif source not in (recipe.compose.get("volumes") or {}):
            yield f"{name}: {data_dir} is mounted from {source!r}, not a named volume of docker-compose.yml"
        if recipe.role(service) in {"web", "worker"} and music_dir not in targets:
            yield f"{name}: no volume at the image's MUSIC_DIR {music_dir}"
    if len(data_sources) > 1:
        yield f"web, worker and beat do not share one data volume (generated secrets live there): {data_sources}"


def web_port_published(recipe: Recipe) -> Iterator[str]:
    host, _, port = recipe.image.env()["AUDIOMUSE_BIND"].rpartition(":")
    if host not in ALL_INTERFACES:
        yield f"the image binds the web server to {host}, which no published port reaches"
    if port not in " ".join(recipe.image.arguments("EXPOSE")).replace("/tcp", "").split():
        yield f"the image does not EXPOSE its bind port {port}"
    for name, service in recipe.audiomuse_services().items():
        if recipe.role(service) == "web" and port not in container_ports(service):
            yield f"{name}: publishes no port to {port}, the image's AUDIOMUSE_BIND port"


def models_in_image(recipe: Recipe) -> Iterator[str]:
    model_dir = recipe.image.env()["MODEL_DIR"]
    built = {
        (stage.name, {**stage.env(), **assignments}.get("MODEL_DIR"))
        for stage in recipe.stages[:-1]
        for assignments, command in map(without_assignments, stage.commands())
        if "build_models" in command
    }
    copied = {
        (origin, source)
        for origin, sources, target in recipe.image.copies()
        if target == model_dir
        for source in sources
    }
    if not built & copied:
        yield f"the image's MODEL_DIR {model_dir} is not a copy of the models a build stage built ({built})"


def data_dir_owned(recipe: Recipe) -> Iterator[str]:
    data_dir, user = recipe.image.env()["AUDIOMUSE_DATA_DIR"], recipe.image.user()
    commands = recipe.image.commands()
    if user == "root":
        yield "the image runs as root"
    if not any(command[0] == "mkdir" and data_dir in command[1:] for command in commands):
        yield f"the image does not create AUDIOMUSE_DATA_DIR {data_dir}"
    owners = {
        re.split("[:.]", arguments[0])[0]
        for command in commands
        if command[0] == "chown" and data_dir in command
        for arguments in [[word for word in command[1:] if not word.startswith("-")]]
    }
    if owners != {user}:
        chowned = ", ".join(sorted(owners)) or "no one"
        yield f"AUDIOMUSE_DATA_DIR {data_dir} is not owned by the image's USER {user} (chown to: {chowned})"


def venv_copied_in_place(recipe: Recipe) -> Iterator[str]:
    venvs = {
        (stage.name, command[-1].rstrip("/"))
        for stage in recipe.stages[:-1]
        for command in stage.commands()
        if command[1:3] == ["-m", "venv"]
    }
    copied = {(origin, target) for origin, sources, target in recipe.image.copies() if sources == [target]}
    path = recipe.image.env().get("PATH", "").split(":")
    if not any(venv in copied and f"{venv[1]}/bin" in path for venv in venvs):
        yield f"the image does not copy the build stage's virtualenv {venvs} to the same path on its PATH"


CHECKS = (
    copy_changes_nothing,
    compose_requires_nothing_unset,
    image_values_kept,
    volumes_at_image_paths,
    web_port_published,
    models_in_image,
    data_dir_owned,
    venv_copied_in_place,
)


def recipe_mistakes(files: dict[str, str]) -> list[str]:
    recipe = Recipe.read(files)
    return [mistake for check in CHECKS for mistake in check(recipe)]


def repository_files() -> dict[str, str]:
    return {name: (REPO_DIR / name).read_text() for name in RECIPE_FILES}


# --- Tests ---------------------------------------------------------------------------------


def test_the_recipe_as_written_has_no_mistakes():
    assert recipe_mistakes(repository_files()) == []


def test_the_image_sets_every_container_path():
    assert set(CONTAINER_PATHS) <= Recipe.read(repository_files()).image.env().keys()


def _env_line_active(name: str, value: str) -> tuple[str, str, str]:
    return ".env.example", f"# {name}={value}\n", f"{name}={value}\n"


_COMPOSE_REDIS = "    REDIS_URL: redis://redis:6379/0\n"
MUTATIONS = {
    "env bind on loopback": (
        *_env_line_active("AUDIOMUSE_BIND", "127.0.0.1:8000"),
        "AUDIOMUSE_BIND is '127.0.0.1:8000'",
    ),
    "env data dir ./var": (*_env_line_active("AUDIOMUSE_DATA_DIR", "./var"), "AUDIOMUSE_DATA_DIR is './var'"),
    "env music dir ./music": (*_env_line_active("MUSIC_DIR", "./music"), "MUSIC_DIR is './music'"),
    "env empty model dir": (*_env_line_active("MODEL_DIR", ""), "MODEL_DIR is '' (from .env)"),
    "env any active line": (*_env_line_active("DEBUG", "false"), "is active (DEBUG=false)"),
    "compose requires a secret": (
        "docker-compose.yml",
        _COMPOSE_REDIS,
        _COMPOSE_REDIS + "    SECRET_KEY: ${SECRET_KEY:?set SECRET_KEY in .env}\n",
        "requires SECRET_KEY",
    ),
    "compose overrides the bind": (
        "docker-compose.yml",
        _COMPOSE_REDIS,
        _COMPOSE_REDIS + "    AUDIOMUSE_BIND: 127.0.0.1:8000\n",
        "AUDIOMUSE_BIND is '127.0.0.1:8000' (from docker-compose.yml)",
    ),
    "compose data volume elsewhere": (
        "docker-compose.yml",
        "audiomuse-data:/data\n",
        "audiomuse-data:/app/var\n",
        "no volume at",
    ),
    "compose data on a host folder": (
        "docker-compose.yml",
        "audiomuse-data:/data\n",
        "./var:/data\n",
        "not a named volume",
    ),
    "compose music elsewhere": ("docker-compose.yml", ":/music\n", ":/srv/music\n", "MUSIC_DIR /music"),
    "compose web port": ("docker-compose.yml", ':8000"\n', ':8080"\n', "publishes no port to 8000"),
    "image binds loopback": (
        "Dockerfile",
        "AUDIOMUSE_BIND=0.0.0.0:8000",
        "AUDIOMUSE_BIND=127.0.0.1:8000",
        "binds the web",
    ),
    "image model dir moved": ("Dockerfile", "\n    MODEL_DIR=/opt/models", "\n    MODEL_DIR=/app/models", "MODEL_DIR"),
    "models built elsewhere": (
        "Dockerfile",
        "MODEL_DIR=/opt/models \\\n    python",
        "MODEL_DIR=/tmp/m \\\n    python",
        "MODEL_DIR",
    ),
    "models not copied": ("Dockerfile", "COPY --from=build /opt/models /opt/models\n", "", "MODEL_DIR"),
    "data dir not created": ("Dockerfile", "mkdir -p /data /music", "mkdir -p /music", "does not create"),
    "data dir owned by root": ("Dockerfile", " \\\n && chown audiomuse /data", "", "not owned"),
    "another user": ("Dockerfile", "USER audiomuse\n", "USER nobody\n", "not owned"),
    "venv moved": (
        "Dockerfile",
        "COPY --from=build /opt/venv /opt/venv",
        "COPY --from=build /opt/venv /venv",
        "virtualenv",
    ),
}


@pytest.mark.parametrize(("filename", "old", "new", "expected"), MUTATIONS.values(), ids=MUTATIONS.keys())
def test_each_mistake_is_caught(filename, old, new, expected):
    files = repository_files()
    assert files[filename].count(old) == 1, "the mutation no longer applies to the file"
    files[filename] = files[filename].replace(old, new)
    mistakes = recipe_mistakes(files)
    assert any(expected in mistake for mistake in mistakes), mistakes


def test_the_build_context_leaves_out_local_secrets_and_data():
    ignored = {line.strip().rstrip("/") for line in (REPO_DIR / ".dockerignore").read_text().splitlines()}
    assert {".env", "var", ".venv", ".git"} <= ignored
