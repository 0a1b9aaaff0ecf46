"""Canton configuration: HOCON files in Canton's layout, read into frozen ``attrs`` models.

``load_config(files, overrides, base_dir)`` merges ``-c`` files and ``-C`` overrides like Canton
and validates the result; every problem raises :class:`ConfigError` naming the key path. Importing
this package is cheap: pyhocon is only imported when a config is loaded.
"""

from canton_console.config.loader import (
    DEFAULT_CONFIG_FILE,
    FIRST_DEFAULT_PORT,
    ConfigError,
    default_config,
    load_config,
    parse_duration,
)
from canton_console.config.models import (
    CLOCK_TYPES,
    SEQUENCER_TYPES,
    STORAGE_TYPES,
    ApiConfig,
    CantonConfig,
    ConsoleTimeouts,
    HealthServerConfig,
    MediatorConfig,
    MonitoringConfig,
    NodeConfig,
    Parameters,
    ParticipantConfig,
    ReplicationConfig,
    SequencerConfig,
    StorageConfig,
)

__all__ = [
    "ApiConfig",
    "CLOCK_TYPES",
    "CantonConfig",
    "ConfigError",
    "ConsoleTimeouts",
    "DEFAULT_CONFIG_FILE",
    "FIRST_DEFAULT_PORT",
    "HealthServerConfig",
    "MediatorConfig",
    "MonitoringConfig",
    "NodeConfig",
    "Parameters",
    "ParticipantConfig",
    "ReplicationConfig",
    "SEQUENCER_TYPES",
    "STORAGE_TYPES",
    "SequencerConfig",
    "StorageConfig",
    "default_config",
    "load_config",
    "parse_duration",
]
