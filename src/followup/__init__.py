"""followup: win the weeks between the interview and the hiring decision."""

__version__ = "0.1.0"
