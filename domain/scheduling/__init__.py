"""Scheduling: weekly slots per group, generated class sessions, closures and holidays, calendar feeds."""
