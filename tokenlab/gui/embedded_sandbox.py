"""The app's embedded sandbox: started at start-up, restarted with TLS on or off, closed at exit.

``EmbeddedSandbox`` owns the one ``Sandbox`` the app runs and hands each new instance to the
context (``on_change``, i.e. ``AppContext.set_sandbox``). ``set_tls`` restarts it serving
HTTPS/WSS (or plain HTTP/WS) on the same port when that port is still free, from the same SQLite
file, so the demo app and its keys stay the same, and with the runtime settings (reauth lead,
clock skew) carried over. The certificate comes from ``sandbox.tls.ensure_certificate`` in the
data dir, as for ``tokenlab sandbox --tls``; it is made before the running sandbox is stopped, so
a certificate that cannot be written leaves the sandbox as it was. No Qt here: the Sandbox tab's
TLS switch calls ``set_tls`` through the TaskRunner.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from pathlib import Path

from tokenlab.core.errors import UserError
from tokenlab.core.tls_trust import trust_certificate
from tokenlab.sandbox import Sandbox, SandboxConfig, tls


class EmbeddedSandbox:
    """Starts, restarts (TLS on/off) and closes the app's sandbox; see the module docstring."""

    def __init__(
        self,
        config: SandboxConfig,
        cert_dir: Path,
        on_change: Callable[[Sandbox | None], None],
    ) -> None:
        self._base = config
        self._cert_dir = cert_dir
        self._on_change = on_change
        self.sandbox: Sandbox | None = None
        self.certificate: tls.Certificate | None = None
        self.tls_error: UserError | None = None  # why TLS asked for at start-up is off

    @property
    def tls(self) -> bool:
        return self.sandbox is not None and self.sandbox.tls

    async def start(self, *, use_tls: bool) -> Sandbox:
        """Start the sandbox; TLS that cannot be set up is noted in ``tls_error`` and left off."""
        config = self._base
        if use_tls:
            try:
                config = self._with_tls(config)
            except UserError as exc:
                self.tls_error = exc
        return await self._start(config)

    async def set_tls(self, on: bool) -> Sandbox:
        """Restart serving HTTPS/WSS (``on``) or HTTP/WS. A ``UserError`` leaves it as it was."""
        old = self.sandbox
        if old is not None and old.classroom.open:
            raise UserError(
                "The classroom is open: restarting the sandbox would end every attendee's "
                "connection and empty the roster.",
                code="sandbox.classroom_open",
                fix="Close the classroom (Classroom page) first, then switch TLS.",
            )
        config = self._carried_over(old)
        config = self._with_tls(config) if on else self._without_tls(config)
        if old is not None:
            self._on_change(None)  # no view polls a sandbox while it stops
            await old.stop()
            self.sandbox = None
        try:
            return await self._start(config)
        except OSError:  # the port was taken meanwhile: any free one will do
            pass
        try:
            return await self._start(dataclasses.replace(config, port=self._base.port))
        except OSError as exc:
            raise UserError(
                f"The sandbox stopped and could not listen again: {exc.strerror or exc}.",
                code="sandbox.restart",
                fix="Restart tokenlab.",
            ) from None

    async def aclose(self) -> None:
        sandbox, self.sandbox = self.sandbox, None
        if sandbox is not None:
            self._on_change(None)
            await sandbox.stop()

    # -- helpers ---------------------------------------------------------------------------------

    async def _start(self, config: SandboxConfig) -> Sandbox:
        sandbox = Sandbox(config)
        await sandbox.start()
        self.sandbox = sandbox
        self._on_change(sandbox)
        return sandbox

    def _carried_over(self, old: Sandbox | None) -> SandboxConfig:
        if old is None:
            return self._base
        with contextlib.suppress(RuntimeError):  # stopped: nothing to carry over
            settings = old.settings
            return dataclasses.replace(
                old.config,
                port=old.port,
                reauth_lead_ms=settings.reauth_lead_ms,
                clock_skew_ms=settings.clock_skew_ms,
            )
        return old.config

    def _with_tls(self, config: SandboxConfig) -> SandboxConfig:
        certificate = tls.ensure_certificate(self._cert_dir, (config.host,))
        trust_certificate(certificate.cert)  # the app's own clients (Live tab, REST calls)
        self.certificate = certificate
        self.tls_error = None
        return dataclasses.replace(
            config, tls_cert=str(certificate.cert), tls_key=str(certificate.key)
        )

    def _without_tls(self, config: SandboxConfig) -> SandboxConfig:
        self.tls_error = None
        return dataclasses.replace(config, tls_cert=None, tls_key=None)
