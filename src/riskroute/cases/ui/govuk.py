"""Django form pieces that render as GOV.UK Frontend components (see `includes/field.html`).

GOV.UK asks for dates as three boxes (day, month, year) rather than a browser date picker, for
unknown facts as an explicit answer rather than an unticked box, and for an error summary whose
links move focus to the field at fault. These classes give Django forms those three behaviours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

UNKNOWN = "unknown"
TRI_STATE_CHOICES = (("yes", "Yes"), ("no", "No"), (UNKNOWN, "Not known"))
_TRI_STATE_VALUES: dict[str, bool | None] = {"yes": True, "no": False, UNKNOWN: None}


class GovDateWidget(forms.MultiWidget):
    """Day, month and year boxes; `widget_type` is "govdate" for the field template."""

    def __init__(self) -> None:
        parts = (
            forms.TextInput(attrs={"label": "Day"}),
            forms.TextInput(attrs={"label": "Month"}),
            forms.TextInput(attrs={"label": "Year"}),
        )
        super().__init__(parts)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        if isinstance(value, str) and value:
            try:
                parsed = dt.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
            return [parsed.day, parsed.month, parsed.year]
        return [None, None, None]


class GovDateField(forms.MultiValueField):
    """A calendar date entered as three numbers, with GOV.UK's error wording."""

    widget = GovDateWidget

    def __init__(self, *, required: bool = True, **kwargs: Any) -> None:
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields, required=required, require_all_fields=False, **kwargs)

    def compress(self, data_list: Sequence[str]) -> dt.date | None:
        if not data_list or not any(data_list):
            if self.required:
                raise ValidationError(f"Enter the {self.label_text()}")
            return None
        names = ("day", "month", "year")
        missing = [name for name, part in zip(names, data_list, strict=True) if not part]
        if missing:
            raise ValidationError(f"The {self.label_text()} must include a {' and '.join(missing)}")
        try:
            day, month, year = (int(str(part).strip()) for part in data_list)
            if year < 1900 or year > 2200:
                raise ValueError("year out of range")
            return dt.date(year, month, day)
        except ValueError:
            raise ValidationError(f"The {self.label_text()} must be a real date") from None

    def label_text(self) -> str:
        return str(self.label or "date").lower()


class TriStateField(forms.TypedChoiceField):
    """Yes / No / Not known. "Not known" is the default: a missing fact must never read as "no"."""

    inline = True

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", UNKNOWN)
        super().__init__(
            choices=TRI_STATE_CHOICES,
            coerce=_TRI_STATE_VALUES.__getitem__,
            empty_value=None,
            widget=forms.RadioSelect,
            **kwargs,
        )

    def prepare_value(self, value: Any) -> Any:
        if value is True:
            return "yes"
        if value is False:
            return "no"
        if value is None:
            return UNKNOWN
        return value


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def plain_messages(name: str, field: forms.Field) -> dict[str, str]:
    """GOV.UK-style error messages that say what to do, naming the field (not "This field...")."""
    label = str(field.label or name.replace("_", " "))
    widget = field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        required = f"Select at least one option for “{label}”"
    elif isinstance(widget, forms.RadioSelect | forms.Select):
        required = f"Select an answer for “{label}”"
    else:
        required = f"Enter {_lower_first(label)}"
    numeric = isinstance(field, forms.IntegerField | forms.FloatField)
    return {
        "required": required,
        "invalid": f"{label} must be a number" if numeric else f"Enter a valid value for “{label}”",
        "incomplete": f"{label} must include a day, month and year",
        "invalid_choice": f"Select one of the options for “{label}”",
        "min_value": f"{label} must be %(limit_value)s or more",
        "max_value": f"{label} must be %(limit_value)s or less",
        "max_length": f"{label} must be %(limit_value)d characters or fewer",
    }


class GovForm(forms.Form):
    """A form whose errors can be listed in a GOV.UK error summary, each linking to its field."""

    def full_clean(self) -> None:
        for name, field in self.fields.items():
            field.error_messages.update(plain_messages(name, field))
        super().full_clean()

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor id, message) for every error, in field order; form-wide errors come first."""
        out: list[tuple[str, str]] = []
        first_anchor = self._anchor(next(iter(self.fields))) if self.fields else "main-content"
        out.extend((first_anchor, str(message)) for message in self.non_field_errors())
        for name in self.fields:
            for message in self.errors.get(name, []):
                out.append((self._anchor(name), str(message)))
        return out

    def _anchor(self, name: str) -> str:
        bound = self[name]
        if isinstance(self.fields[name].widget, GovDateWidget):
            return f"{bound.auto_id}_0"
        return str(bound.auto_id)

    def add_service_errors(self, details: Iterable[tuple[str, str]]) -> None:
        """Attach field-path errors from the service layer to the matching form fields.

        A path that names no field of this form (for example a derived fact) is shown as a
        form-wide error naming the field in words, so no problem is ever silently dropped.
        """
        for path, message in details:
            name = self.field_for_path(path)
            if name is not None:
                self.add_error(name, self._worded(name, message))
            elif path in ("", "$", "state", "decision"):
                self.add_error(None, message[:1].upper() + message[1:])
            else:  # the field's name in words, never its dotted path
                subject = path.rsplit(".", 1)[-1].replace("_", " ")
                self.add_error(None, f"{subject[:1].upper()}{subject[1:]} {message}")

    def _worded(self, name: str, message: str) -> str:
        """Give a bare service message its field's name: "Date of arrest must not be in the future"."""
        if message.startswith(("must ", "is ", "cannot ", "needs ")):
            return f"{self.fields[name].label or name} {message}"
        return message[:1].upper() + message[1:]

    def field_for_path(self, path: str) -> str | None:
        """Map a service field path (e.g. ``facts.offence.image_counts.A``) to a field name."""
        candidates = [path, path.replace(".", "__")]
        parts = path.split(".")
        for start in range(1, len(parts)):
            tail = parts[start:]
            candidates += [".".join(tail), "__".join(tail)]
        for candidate in candidates:
            if candidate in self.fields:
                return candidate
        return None
