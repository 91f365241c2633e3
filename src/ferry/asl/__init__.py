"""Amazon States Language definitions: load, validate, and build a frozen typed model."""
