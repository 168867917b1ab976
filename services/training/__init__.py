"""Training: courses, enrolments, attendance, completion, trainers, categories, practices."""
