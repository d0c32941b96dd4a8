"""`runserver`, its banner ending with where and how to log in while the demo accounts exist.

`make run` migrates, seeds and serves in one go; of all it prints, a newcomer needs two lines:
where to log in and with which password. They come last, under Django's own banner, so nothing
scrolls them away. The password is shown only while the demo accounts still have it.
"""

from whitenoise.runserver_nostatic.management.commands.runserver import (
    Command as RunserverCommand,
)

from journal import demo


class Command(RunserverCommand):
    def on_bind(self, server_port):
        super().on_bind(server_port)
        login = demo.login_words(f"{self.protocol}://{self.addr}:{server_port}")
        if login:
            self.stdout.write(self.style.SUCCESS(f"\n{login}"))
        # Through a pipe (`make run | tee`, a process manager) Python holds its output back in a
        # buffer, and the server then prints nothing while it serves.
        self.stdout.flush()
