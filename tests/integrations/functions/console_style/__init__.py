"""Test Lambda function fixture."""
