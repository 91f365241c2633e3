"""Lambda integration tests."""
