"""The project's own error type: everything a user can cause ends in one of these.

The command-line entry points catch :class:`LstmNlpError` and print its message as
one line (no traceback), so every message must name the file, line or config key
at fault and say what is expected.
"""


class LstmNlpError(Exception):
    """A user-facing error: bad input, bad config, unknown name."""


class ConfigError(LstmNlpError, ValueError):
    """An invalid configuration value; the message names the config key."""


class DataError(LstmNlpError):
    """An unreadable or malformed data file; the message names the file (and line)."""


class RegistryError(LstmNlpError, KeyError):
    """An unknown or duplicate registered name."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class LstmNlpWarning(UserWarning):
    """Something the user should know and can act on; the commands print it as one line."""
