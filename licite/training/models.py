"""Proof that staff were trained (RULES H2, H3): each result of the quiz, kept for good."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from licite.accounts.models import Language


class QuizResult(models.Model):
    """One member of staff's attempt at the quiz. The username is kept beside the user: the
    proof of training outlives the account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    username = models.CharField(_("username"), max_length=150)
    score = models.PositiveSmallIntegerField(_("score"))
    total = models.PositiveSmallIntegerField(_("number of questions"))
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"))
    passed = models.BooleanField(_("passed"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    questions_version = models.CharField(_("question set version"), max_length=64)
    missed = models.JSONField(_("questions missed"), default=list, blank=True)
    taken_at = models.DateTimeField(_("taken at"), db_index=True)

    class Meta:
        verbose_name = _("quiz result")
        verbose_name_plural = _("quiz results")
        ordering: ClassVar = ["-taken_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.username} {self.score}/{self.total}"
