"""For instructors: student editions of the chapters, per-student variants of their parameters, and
grading a class by recomputation on Dask. Book: *For instructors*."""

from .edition import student_edition, write_student_editions
from .grading import Limits, grade_class
from .variants import SpecError, assign, read_roster, read_spec, write_assignment

__all__ = [
    "Limits",
    "SpecError",
    "assign",
    "grade_class",
    "read_roster",
    "read_spec",
    "student_edition",
    "write_assignment",
    "write_student_editions",
]
