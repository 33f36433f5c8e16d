from django.contrib import admin

from licite.accounts.admin_access import ReadOnlyAdmin
from licite.training.models import QuizResult


@admin.register(QuizResult)
class QuizResultAdmin(ReadOnlyAdmin):
    """RULES H: the proof of training is written by the quiz, never by hand."""

    list_display = ("username", "taken_at", "score", "total", "passed", "language", "questions_version")
    list_filter = ("passed", "language", "taken_at")
    search_fields = ("username",)
