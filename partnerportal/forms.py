"""Sign-in form: email + password."""

from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

from partnerportal.infrastructure.emails import email_enqueue


class LoginForm(AuthenticationForm):
    """The stock authentication form, labelled for email sign-in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Email address")
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "autofocus": True})


class QueuedPasswordResetForm(PasswordResetForm):
    """Password reset that queues its email instead of sending it inside the request."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        # The reset token is kept out of the stored body once the message is delivered.
        email_enqueue(to=to_email, subject=subject, body=body, topic="password-reset", secret=context["token"])
