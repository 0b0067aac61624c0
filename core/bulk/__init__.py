"""Bulk generation from CSV: validation, durable jobs in the database, a paced runner, exports."""

from .jobs import (JobOptions, Progress, cancel_job, create_job, get_job, items, list_jobs, pause_job, progress,
                   resume_job, retry_failed, retry_needs_review)
from .mapping import FIELDS, KINDS, REQUIRED, auto_map, template_csv
from .validation import Problem, Report, validate

__all__ = ["JobOptions", "Progress", "cancel_job", "create_job", "get_job", "items", "list_jobs", "pause_job",
           "progress", "resume_job", "retry_failed", "retry_needs_review", "FIELDS", "KINDS", "REQUIRED", "auto_map", "template_csv",
           "Problem", "Report", "validate"]
