"""Background work: a Huey queue (SQLite file or Redis) and the periodic jobs."""
