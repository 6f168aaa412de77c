"""Every table, imported in one place so Alembic and the mappers see the whole schema."""

from engage.accounts.models import User
from engage.findings.models import AnalysisRun, QuestionAnalysis, Theme, ThemeAssignment
from surveys.base import Base
from surveys.models import Answer, Consultation, Organisation, Question, Response

__all__ = [
    "AnalysisRun",
    "Answer",
    "Base",
    "Consultation",
    "Organisation",
    "Question",
    "QuestionAnalysis",
    "Response",
    "Theme",
    "ThemeAssignment",
    "User",
]
