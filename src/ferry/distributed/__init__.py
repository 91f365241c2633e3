"""Distributed Map: reading items from S3, batching them, running a Map Run, writing results."""
