"""Ferry: a durable Amazon States Language engine and an AWS migration workflow system."""

__version__ = "0.1.0"
