"""Lambda task functions used by the Lambda integration tests."""
