"""AppContext: what every tab shares (runner, settings, keys, sandbox, cross-tab signals).

Tabs receive the context in their constructor and talk to each other only through it: the
JWT tab calls ``ctx.send_to_inspect(token)``; the Live tab listens to ``ctx.use_in_live``. The
context is created by ``app.amain`` (or a test) and outlives every tab.

The app's realtime connections live in one ``ConnectionManager`` (``ctx.connections``): the Live
tab shows and drives every connection in it, and the Lessons tab runs its steps on it, so a
lesson's connections appear in Live and a step done by hand in Live is observed by the lesson.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from PySide6.QtCore import QObject, Signal

from tokenlab.core.clock import NowMs, system_now_ms
from tokenlab.core.errors import SettingsError
from tokenlab.core.keys import ApiKey
from tokenlab.core.secrets import SecretStore
from tokenlab.core.settings import KeyProfile, Settings, save_settings
from tokenlab.gui.errors import ErrorReporter
from tokenlab.gui.runner import TaskRunner

if TYPE_CHECKING:
    import httpx

    from tokenlab.gui.embedded_sandbox import EmbeddedSandbox
    from tokenlab.realtime.manager import ConnectionManager

ABLY_REST_URL = "https://rest.ably.io"
# The shared stream only buffers until the tabs' listeners take the events (they keep their own).
STREAM_BUFFER = 1_000


class SandboxHandle(Protocol):
    """The part of ``tokenlab.sandbox.Sandbox`` the GUI foundation relies on."""

    @property
    def rest_url(self) -> str: ...
    @property
    def ws_url(self) -> str: ...
    @property
    def demo_keys(self) -> Mapping[str, ApiKey]: ...
    def subscribe(self, callback: Callable[[Any], None]) -> Callable[[], None]: ...


@dataclass(frozen=True)
class KeyChoice:
    """A key the user can sign with: a sandbox demo key or one of their key profiles."""

    label: str
    key_name: str
    key: ApiKey | None  # None when the secret is not available (not in the keyring)
    source: Literal["sandbox", "profile", "sample"]
    rest_url: str | None  # where to exchange TokenRequests signed with it
    capability: str | None = None  # the key's capability JSON when known
    revocable: bool = False  # revocable keys issue tokens of at most 1 h


def sample_choice() -> KeyChoice:
    """The fake key the one-click samples are signed with (offline only)."""
    from tokenlab.core import samples

    return KeyChoice(
        f"Sample key of the examples (fake, offline only) ({samples.SAMPLE_KEY.name})",
        samples.SAMPLE_KEY.name,
        samples.SAMPLE_KEY,
        "sample",
        None,
        samples.SAMPLE_CAPABILITY,
    )


@dataclass(frozen=True)
class UseInLive:
    """A credential handed to the Live tab: a token string, TokenRequest JSON or key choice."""

    kind: Literal["token", "token_request", "key"]
    value: str  # the token / TokenRequest JSON / key name
    label: str
    rest_url: str | None = None


class AppContext(QObject):
    settings_changed = Signal(object)  # Settings
    mask_secrets_changed = Signal(bool)
    key_choices_changed = Signal()
    sandbox_changed = Signal()
    token_sent_to_inspect = Signal(str)
    use_in_live = Signal(object)  # UseInLive
    show_tab_requested = Signal(str)  # tab id
    connection_selected = Signal(str)  # select this connection (by name) in the Live tab
    manage_keys_requested = Signal()  # open the key profiles dialog
    status_message = Signal(str)

    def __init__(
        self,
        *,
        reporter: ErrorReporter,
        runner: TaskRunner,
        settings: Settings,
        secrets: SecretStore,
        now_ms: NowMs = system_now_ms,
        save: Callable[[Settings], None] = save_settings,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.reporter = reporter
        self.runner = runner
        self.secrets = secrets
        self.now_ms = now_ms
        self._settings = settings
        self._save = save
        self.sandbox: SandboxHandle | None = None
        self.external_sandbox_url: str | None = None
        self.embedded_sandbox: EmbeddedSandbox | None = None  # restarts it (TLS on/off)
        self.settings_error: SettingsError | None = None  # why the settings file was not used
        self._http: httpx.AsyncClient | None = None
        self._choices: list[KeyChoice] | None = None
        self._connections: ConnectionManager | None = None

    # settings ----------------------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def mask_secrets(self) -> bool:
        return self._settings.mask_secrets

    def update_settings(self, **changes: Any) -> Settings:
        """Replace fields, save atomically and announce; a save failure becomes a status line."""
        old = self._settings
        self._settings = dataclasses.replace(old, **changes)
        try:
            self._save(self._settings)
        except SettingsError as exc:
            self.status_message.emit(exc.message)
        self.settings_changed.emit(self._settings)
        if old.mask_secrets != self._settings.mask_secrets:
            self.mask_secrets_changed.emit(self._settings.mask_secrets)
        if old.key_profiles != self._settings.key_profiles:
            self.refresh_keys()
        return self._settings

    # keys --------------------------------------------------------------------------------------

    def add_key_profile(self, profile: KeyProfile, secret: str) -> None:
        self.secrets.set(profile.key_name, secret)
        profiles = self._settings.with_profile(profile).key_profiles
        if profiles == self._settings.key_profiles:
            self.refresh_keys()  # same profile, new secret
        else:
            self.update_settings(key_profiles=profiles)

    def remove_key_profile(self, name: str) -> None:
        profile = next((p for p in self._settings.key_profiles if p.name == name), None)
        if profile is None:
            return
        remaining = self._settings.without_profile(name).key_profiles
        if not any(p.key_name == profile.key_name for p in remaining):
            self.secrets.delete(profile.key_name)
        self.update_settings(key_profiles=remaining)

    def key_choices(self) -> list[KeyChoice]:
        """Sandbox demo keys, then the user's profiles, then the examples' sample key."""
        if self._choices is None:
            self._choices = self._build_key_choices()
        return list(self._choices)

    def refresh_keys(self) -> None:
        """Forget cached key choices and tell every picker (call after keys change)."""
        self._choices = None
        self.key_choices_changed.emit()

    def _build_key_choices(self) -> list[KeyChoice]:
        choices: list[KeyChoice] = []
        if self.sandbox is not None:
            info = _sandbox_key_info(self.sandbox)
            for name, key in self.sandbox.demo_keys.items():
                capability, revocable = info.get(key.name, (None, name == "revocable"))
                label = f"Sandbox demo key: {name} ({key.name})"
                choices.append(
                    KeyChoice(
                        label,
                        key.name,
                        key,
                        "sandbox",
                        self.sandbox.rest_url,
                        capability,
                        revocable,
                    )
                )
        for profile in self._settings.key_profiles:
            choices.append(self._profile_choice(profile))
        choices.append(sample_choice())
        return choices

    def _profile_choice(self, profile: KeyProfile) -> KeyChoice:
        secret = self.secrets.get(profile.key_name)
        key = None
        if secret is not None:
            app_id, _, key_id = profile.key_name.partition(".")
            key = ApiKey(app_id, key_id, secret)
        label = f"{profile.name} ({profile.key_name})" + ("" if key else " – secret missing")
        return KeyChoice(
            label,
            profile.key_name,
            key,
            "profile",
            self.rest_url_for(profile.endpoint),
            profile.capability,
        )

    def known_keys(self) -> list[ApiKey]:
        """Every key whose secret we hold, for signature verification in the inspector."""
        return [c.key for c in self.key_choices() if c.key is not None]

    # endpoints ---------------------------------------------------------------------------------

    @property
    def sandbox_rest_url(self) -> str | None:
        if self.sandbox is not None:
            return self.sandbox.rest_url
        return self.external_sandbox_url

    def rest_url_for(self, endpoint: str) -> str | None:
        if endpoint == "sandbox":
            return self.sandbox_rest_url
        if endpoint == "ably":
            return self._settings.ably_rest_url or ABLY_REST_URL
        return endpoint

    def set_sandbox(self, sandbox: SandboxHandle | None) -> None:
        self.sandbox = sandbox
        self._choices = None
        self.sandbox_changed.emit()
        self.key_choices_changed.emit()

    @property
    def http(self) -> httpx.AsyncClient:
        """One shared HTTP client (created on first use; closed by ``aclose``)."""
        if self._http is None:
            import httpx  # imported late: it is not needed to show the first window

            from tokenlab.core.tls_trust import client_context

            self._http = httpx.AsyncClient(
                timeout=10.0, follow_redirects=False, verify=client_context()
            )
        return self._http

    @property
    def connections(self) -> ConnectionManager:
        """The app's one connection manager (created on first use; closed by ``aclose``).
        Its events are stamped with real time: tokens must match the server's clock."""
        if self._connections is None:
            from tokenlab.realtime.manager import ConnectionManager

            self._connections = ConnectionManager(capacity=STREAM_BUFFER)
        return self._connections

    async def aclose(self) -> None:
        if self._connections is not None:
            await self._connections.close_all()
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    # cross-tab requests ------------------------------------------------------------------------

    # The tab is shown first: the main window builds pages lazily, so the receiving page
    # exists (and listens) before the signal is emitted.

    def send_to_inspect(self, text: str) -> None:
        self.show_tab_requested.emit("inspect")
        self.token_sent_to_inspect.emit(text)

    def select_in_live(self, connection: str) -> None:
        """Show the Live tab with ``connection`` selected (a lesson step's "Open tab")."""
        self.show_tab_requested.emit("live")
        self.connection_selected.emit(connection)

    def request_use_in_live(self, request: UseInLive) -> None:
        self.show_tab_requested.emit("live")
        self.use_in_live.emit(request)


def _sandbox_key_info(sandbox: SandboxHandle) -> dict[str, tuple[str | None, bool]]:
    """key name -> (capability, revocable) from the sandbox's admin API, when it has one."""
    keys = getattr(sandbox, "list_keys", None) or getattr(sandbox, "keys", None)
    if not callable(keys):
        return {}
    info: dict[str, tuple[str | None, bool]] = {}
    for record in keys():
        name = getattr(record, "key_name", None)
        if isinstance(name, str):
            capability = getattr(record, "capability", None)
            revocable = bool(getattr(record, "revocable", False))
            info[name] = (capability if isinstance(capability, str) else None, revocable)
    return info
