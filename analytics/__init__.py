"""Support analytics over the tracker store: episodes, metrics, the store reader,
the service and its pages, reports, demo data."""
