"""Identity verification: a student's identity record checked against an ID document."""
