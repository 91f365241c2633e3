"""The migration product: state machine definitions, task functions and drivers."""
