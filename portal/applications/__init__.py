"""The applicant's journey: start, task list, sections, documents, check answers, submit, withdraw."""
