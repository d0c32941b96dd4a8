"""Model instances read with SQL written once, for the few queries every logged-in request runs.

Building a query through the ORM costs far more than running it: the session, the user and the
caregiver's membership (with the child) took 0.75 ms of Python a request to compile and 0.1 ms to
run, most of a logged-in page's floor (docs/benchmarks.md). Here each is one statement, made once
from the models' own columns, and the rows become instances as the ORM makes them: the database's
converters applied, then `Model.from_db`.
"""

import functools
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Model


@dataclass(frozen=True)
class Joined:
    """One model of a join: its table's alias in the SQL and its columns, in field order."""

    model: type[Model]
    alias: str

    @property
    def fields(self) -> tuple:
        return self.model._meta.concrete_fields

    def columns(self, quote) -> str:
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    def table(self, quote) -> str:
        return f"{quote(self.model._meta.db_table)} {self.alias}"

    def instance(self, values, converters, connection, db: str) -> Model | None:
        if values[self.fields.index(self.model._meta.pk)] is None:
            return None
        converted = []
        for value, (expression, functions) in zip(values, converters, strict=True):
            for convert in functions:
                value = convert(value, expression, connection)
            converted.append(value)
        return self.model.from_db(db, [field.attname for field in self.fields], converted)


class RowReader:
    """Reads rows of `SELECT <the models' columns> <tail>` into one instance of each model.

    `tail` is the rest of the statement after the column list (FROM, joins, WHERE), with `{name}`
    for each model's quoted table and alias, e.g. `{child}`. A model whose row is missing from a
    LEFT JOIN (its primary key NULL) comes back as None.
    """

    def __init__(self, tail: str, **joined: Joined):
        self.tail = tail
        self.joined = joined
        self.compiled: dict[str, tuple[str, list]] = {}  # by database alias

    def first(self, params: list) -> dict[str, Model | None] | None:
        """The instances of the first row, by name, or None when there is no row."""
        rows = self.read(params, first_only=True)
        return rows[0] if rows else None

    def all(self, params: list) -> list[dict[str, Model | None]]:
        """The instances of every row, by name."""
        return self.read(params, first_only=False)

    def read(self, params: list, first_only: bool) -> list[dict[str, Model | None]]:
        alias = router.db_for_read(next(iter(self.joined.values())).model)
        connection = connections[alias]
        if alias not in self.compiled:
            self.compiled[alias] = (self.sql(connection), self.converters(connection))
        sql, converters = self.compiled[alias]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = [cursor.fetchone()] if first_only else cursor.fetchall()
        return [self.instances(row, converters, connection, alias) for row in rows if row]

    def instances(self, row, converters, connection, alias) -> dict[str, Model | None]:
        instances = {}
        start = 0
        for (name, part), part_converters in zip(self.joined.items(), converters, strict=True):
            values = row[start : start + len(part.fields)]
            start += len(part.fields)
            instances[name] = part.instance(values, part_converters, connection, alias)
        return instances

    def sql(self, connection) -> str:
        quote = connection.ops.quote_name
        columns = ", ".join(part.columns(quote) for part in self.joined.values())
        tables = {name: part.table(quote) for name, part in self.joined.items()}
        return f"SELECT {columns} {self.tail.format(**tables)}"

    def converters(self, connection) -> list:
        """For each model, for each column: the functions that turn the database's value into
        the field's, as the ORM's compiler finds them."""
        return [
            [column_converters(part, field, connection) for field in part.fields]
            for part in self.joined.values()
        ]


def column_converters(part: Joined, field, connection) -> tuple:
    column = field.get_col(part.alias)
    return column, connection.ops.get_db_converters(column) + field.get_db_converters(connection)


@functools.cache
def by_primary_key(model: type[Model]) -> RowReader:
    """The row of `model` with a given primary key: `by_primary_key(M).first([pk])["row"]`."""
    return RowReader(f"FROM {{row}} WHERE r.{model._meta.pk.column} = %s", row=Joined(model, "r"))
