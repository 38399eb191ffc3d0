from typing import Any

from kaohe.history.models import Action, Event


def record_event(actor: Any, action: Action, organisation: Any = None, **details: Any) -> Event:
    """Called by action functions inside their transaction, so history and change commit together."""
    return Event.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        organisation=organisation,
        details=details,
    )
