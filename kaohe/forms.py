from typing import Any

from django import forms


class StyledFormMixin:
    """Gives every widget Bootstrap's class, so that templates render a field as a plain {{ field }}."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css
