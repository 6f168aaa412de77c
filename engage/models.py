"""Every table, imported in one place so Alembic and the mappers see the whole schema."""

from engage.accounts.models import User
from engage.audit.models import AuditEvent
from engage.codebooks.models import Codebook
from engage.curation.models import (
    CuratedAssignment,
    CuratedSet,
    CuratedTheme,
    CurationEvent,
    PriorityNote,
    StrategicPriority,
)
from engage.events.models import Event, EventAllocation, EventSignup
from engage.findings.models import AnalysisRun, QuestionAnalysis, Theme, ThemeAssignment
from engage.mail import OutboxEmail
from engage.outbox import Heartbeat, TaskOutbox
from engage.panel.models import PanelExercise, PanelInvitation, PanelMember, PanelNewsletter
from engage.population.models import PopulationFigure
from engage.privacy.models import RetentionSchedule
from engage.ratelimit import RateLimitHit
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
    "AuditEvent",
    "Base",
    "Heartbeat",
    "Codebook",
    "Consultation",
    "CuratedAssignment",
    "CuratedSet",
    "CuratedTheme",
    "CurationEvent",
    "Document",
    "Draft",
    "EqualitiesAnswers",
    "Event",
    "EventAllocation",
    "EventSignup",
    "Nomination",
    "Organisation",
    "OutboxEmail",
    "Page",
    "PanelExercise",
    "PanelInvitation",
    "PanelMember",
    "PanelNewsletter",
    "PriorityNote",
    "PopulationFigure",
    "Question",
    "QuestionAnalysis",
    "RateLimitHit",
    "Report",
    "Response",
    "RetentionSchedule",
    "StrategicPriority",
    "TaskOutbox",
    "Theme",
    "ThemeAssignment",
    "TrackedLink",
    "User",
]
