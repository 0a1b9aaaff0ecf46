"""The configuration error: ``CONFIG_VALIDATION_FAILED`` with the offending key path."""

from __future__ import annotations

from canton_console.values.errors import CONFIG_VALIDATION_FAILED, CantonError


class ConfigError(CantonError):
    """A configuration that cannot be read or is invalid.

    ``path`` is the offending key path (``canton.participants.participant1.admin-api.port``) or None
    when the problem is a whole file; ``file`` names the file or ``-C`` override when known.
    """

    def __init__(self, cause: str, path: str | None = None, file: str | None = None):
        self.path = path
        self.file = file
        super().__init__(CONFIG_VALIDATION_FAILED, cause)

    def __reduce__(self):
        return (type(self), (self.cause, self.path, self.file))


def fail(path: str, message: str) -> ConfigError:
    return ConfigError(f"{path}: {message}", path=path)
