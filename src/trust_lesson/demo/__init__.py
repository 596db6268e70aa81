"""`trust-lesson demo`: one lesson played end to end through the real API and worker (run.py)."""
