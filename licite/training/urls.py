from django.urls import path

from licite.training import views

urlpatterns = [
    path("training/", views.quiz, name="quiz"),
    path("training/results/", views.quiz_results, name="quiz_results"),
]
