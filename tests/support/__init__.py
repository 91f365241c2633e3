"""Helpers shared by tests and the conformance runner."""
