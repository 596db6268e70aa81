"""Biometric consent and face enrolment: the templates a student's captures are compared with."""
