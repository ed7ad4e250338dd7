"""Support analytics over the tracker store: episodes, figures, pages, reports."""
