from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from kaohe.forms import StyledFormMixin


class LoginForm(StyledFormMixin, AuthenticationForm):
    pass


class PasswordForm(StyledFormMixin, PasswordChangeForm):
    pass
