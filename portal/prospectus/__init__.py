"""Public rounds, eligibility checker, events and published questions and answers."""
