"""Reports and exports: a term's attendance, lesson by lesson and student by student."""
