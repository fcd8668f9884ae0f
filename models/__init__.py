"""Model backends behind one chat interface, chosen by a spec string."""

from qed.models.base import ChatModel, Completion, Message, ModelError, Usage
from qed.models.registry import resolve

__all__ = ["ChatModel", "Completion", "Message", "ModelError", "Usage", "resolve"]
