"""Evidence that holds up outside the school: a tamper-evident log, checkpoints, signatures."""
