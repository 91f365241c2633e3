"""Runners drive the interpreter: they run tasks, keep timers and record history."""
