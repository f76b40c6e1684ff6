"""What the OpenTelemetry, OpenLineage and CDEvents exports share."""
