"""The yearly Partnership Assessment Scorecard: nominations, response rates, year on year."""
