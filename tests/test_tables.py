"""The light tables of the quick reads describe the columns exactly as the models do."""

import pytest
from sqlmodel import SQLModel

import caselog.models  # noqa: F401  (registers the tables)
from caselog.store.core_tables import LIGHT_TABLES

pytestmark = pytest.mark.no_database  # pure: runs once, in the SQLite run


@pytest.mark.parametrize("light", LIGHT_TABLES, ids=lambda table: table.name)
def test_light_columns_are_typed_as_the_models_type_them(light):
    model = SQLModel.metadata.tables[light.name]
    for column in light.c:
        assert type(column.type) is type(model.c[column.name].type), column
