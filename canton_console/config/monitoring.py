"""``canton.monitoring``: the metrics reporters (Canton's MetricsConfig and MetricsReporterConfig).

Canton reads ``reporters`` as a list of objects told apart by ``type``: ``prometheus`` (an HTTP
endpoint Prometheus scrapes), ``csv`` and ``logging``. canton-console serves the Prometheus one; the
other two are refused by name rather than ignored, so a config never silently loses a reporter.
"""

from __future__ import annotations

from typing import Any

from canton_console.config.errors import fail
from canton_console.config.fields import (
    CANTON_MONITORING_KEYS,
    METRICS_FILTER_KEYS,
    METRICS_KEYS,
    MISSING,
    PROMETHEUS_REPORTER_KEYS,
    join_path,
    read_object,
    read_port,
    read_string,
    show,
)
from canton_console.config.models import CantonMonitoringConfig, MetricsConfig, MetricsFilterConfig, PrometheusReporterConfig


def read_canton_monitoring(value: Any) -> CantonMonitoringConfig:
    path = "canton.monitoring"
    if value is MISSING or value is None:
        return CantonMonitoringConfig()
    monitoring = read_object(value, path, CANTON_MONITORING_KEYS)
    if monitoring.get("metrics") is None:
        return CantonMonitoringConfig()
    return CantonMonitoringConfig(metrics=_read_metrics(monitoring["metrics"], join_path(path, "metrics")))


def _read_metrics(value: Any, path: str) -> MetricsConfig:
    metrics = read_object(value, path, METRICS_KEYS)
    reporters = metrics.get("reporters")
    if reporters is None:
        return MetricsConfig()
    rpath = join_path(path, "reporters")
    if not isinstance(reporters, list):
        raise fail(rpath, f"expected a list of reporters [{{ type = prometheus, ... }}], found {show(reporters)}")
    return MetricsConfig(reporters=tuple(_read_reporter(entry, f"{rpath}.{i}") for i, entry in enumerate(reporters)))


def _read_reporter(value: Any, path: str) -> PrometheusReporterConfig:
    if not isinstance(value, dict):
        raise fail(path, f"expected a reporter {{ type = prometheus, ... }}, found {show(value)}")
    tpath = join_path(path, "type")
    typ = value.get("type")
    if typ is None:
        raise fail(tpath, "missing; expected prometheus")
    if not isinstance(typ, str):
        raise fail(tpath, f"expected prometheus, found {show(typ)}")
    if typ in ("csv", "logging"):
        raise fail(tpath, f"the {typ} metrics reporter is not available in canton-console; expected prometheus")
    if typ != "prometheus":
        raise fail(tpath, f"unknown metrics reporter type '{typ}'; expected prometheus")
    reporter = read_object(value, path, PROMETHEUS_REPORTER_KEYS)
    fields: dict[str, Any] = {}
    if reporter.get("address") is not None:
        apath = join_path(path, "address")
        address = read_string(reporter["address"], apath, "a host name or IP address").strip()
        if not address:
            raise fail(apath, 'expected a host name or IP address, found ""')
        fields["address"] = address
    if reporter.get("port") is not None:
        fields["port"] = read_port(reporter["port"], join_path(path, "port"), allow_zero=True)
    if reporter.get("filters") is not None:
        fpath = join_path(path, "filters")
        filters = reporter["filters"]
        if not isinstance(filters, list):
            raise fail(fpath, f"expected a list of filters [{{ starts-with = ... }}], found {show(filters)}")
        fields["filters"] = tuple(_read_filter(entry, f"{fpath}.{i}") for i, entry in enumerate(filters))
    return PrometheusReporterConfig(**fields)


def _read_filter(value: Any, path: str) -> MetricsFilterConfig:
    entry = read_object(value, path, METRICS_FILTER_KEYS)
    return MetricsFilterConfig(
        **{key.replace("-", "_"): read_string(entry[key], join_path(path, key)) for key in METRICS_FILTER_KEYS if entry.get(key) is not None}
    )
