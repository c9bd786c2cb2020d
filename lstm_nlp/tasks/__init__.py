"""Task plugins: each builds a LightningModule and its DataModule from the composed config."""

from lstm_nlp.tasks.base import RunContext, TaskParts

__all__ = ["RunContext", "TaskParts"]
