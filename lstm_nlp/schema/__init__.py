"""Config schemas: the type and range of every option, checked before a run starts."""

from lstm_nlp.schema.rules import option
from lstm_nlp.schema.validate import SCHEMAS, check_schemas, register_schema, validate_node

__all__ = ["SCHEMAS", "check_schemas", "option", "register_schema", "validate_node"]
