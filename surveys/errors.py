"""Expected, user-facing failures of the questionnaire engine (messages are plain English)."""


class SurveyError(Exception):
    """A rule of the questionnaire engine was broken; the message can be shown as it is."""


class ConsultationNotOpen(SurveyError):
    pass
