"""Every table, imported in one place so Alembic and the mappers see the whole schema."""

from engage.accounts.models import User
from engage.codebooks.models import Codebook
from engage.findings.models import AnalysisRun, QuestionAnalysis, Theme, ThemeAssignment
from engage.mail import OutboxEmail
from engage.population.models import PopulationFigure
from engage.reports.models import Report
from engage.scorecard.models import Nomination
from surveys.base import Base
from surveys.models import (
    Answer,
    Consultation,
    Document,
    Draft,
    EqualitiesAnswers,
    Organisation,
    Page,
    Question,
    Response,
    TrackedLink,
)

__all__ = [
    "AnalysisRun",
    "Answer",
    "Base",
    "Codebook",
    "Consultation",
    "Document",
    "Draft",
    "EqualitiesAnswers",
    "Nomination",
    "Organisation",
    "OutboxEmail",
    "Page",
    "PopulationFigure",
    "Question",
    "QuestionAnalysis",
    "Report",
    "Response",
    "Theme",
    "ThemeAssignment",
    "TrackedLink",
    "User",
]
