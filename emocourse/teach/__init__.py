"""For instructors: student editions of the chapters and per-student variants of their parameters.
Book: *For instructors*."""

from .edition import student_edition, write_student_editions
from .variants import SpecError, assign, read_roster, read_spec, write_assignment

__all__ = [
    "SpecError",
    "assign",
    "read_roster",
    "read_spec",
    "student_edition",
    "write_assignment",
    "write_student_editions",
]
