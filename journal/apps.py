from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "journal"
    verbose_name = "OMS Journal"

    def ready(self) -> None:
        # Connects the log-in receiver that remembers the browser's language for emails.
        from journal import languages  # noqa: F401
