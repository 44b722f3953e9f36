from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "riskroute.cases"
    label = "cases"
    verbose_name = "Cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from riskroute.cases import monthly_counts

        monthly_counts.connect()  # the dashboard's counts move with every write that changes them
