"""canton-console: the Canton operator console in Python, over an in-process node runtime."""

__version__ = "0.1.0"
# The Canton release whose console, names and outputs we reproduce.
CANTON_VERSION = "3.3.0"
PROTOCOL_VERSION = 33
